/**
 * The configured catalog (`--catalog`): which streams to read and how, checked against the streams this source offers.
 */
import { ConfigError } from './errors.js';
import type { ConfiguredStream, SyncMode } from './protocol.js';
import { isPlainObject, parseJsonText, readJsonFile, show } from './config/input.js';

export interface KnownStream { readonly supportsIncremental: boolean }

const SYNC_MODES: readonly SyncMode[] = ['full_refresh', 'incremental'];
const SHOWN_NAMES = 12;

/**
 * Parses and validates a ConfiguredAirbyteCatalog (an object or its JSON text) against the known streams
 * `{ name → { supportsIncremental } }`. Unknown stream → ConfigError listing known names (shortened, with a
 * suggestion when one is close); a sync_mode other than 'full_refresh' | 'incremental', or incremental on a stream
 * that does not support it → ConfigError; a missing streams array or non-JSON → ConfigError naming --catalog;
 * a stream listed twice → ConfigError. Messages start with `option` (default `--catalog`). Returns the configured streams in the given order (shallow copies).
 */
export function parseCatalog(raw: unknown, known: ReadonlyMap<string, KnownStream>, option = '--catalog'): ConfiguredStream[] {
  const input = typeof raw === 'string' ? parseJsonText(raw, option) : raw;
  if (!isPlainObject(input) || !Array.isArray(input['streams'])) {
    throw new ConfigError(`${option}: expected a ConfiguredAirbyteCatalog, a JSON object with a 'streams' array`);
  }
  const seen = new Set<string>();
  return input['streams'].map((item: unknown, i: number): ConfiguredStream => {
    if (!isPlainObject(item)) throw new ConfigError(`${option}: streams[${i}] must be an object`);
    const stream = item['stream'];
    const name = isPlainObject(stream) ? stream['name'] : undefined;
    if (typeof name !== 'string' || name === '') throw new ConfigError(`${option}: streams[${i}] has no stream.name`);
    const def = known.get(name);
    if (!def) throw new ConfigError(`${option}: unknown stream '${name}'. ${describeKnown(name, known)}`);
    if (seen.has(name)) throw new ConfigError(`${option}: stream '${name}' is listed more than once`);
    seen.add(name);
    const mode = item['sync_mode'];
    if (!SYNC_MODES.includes(mode as SyncMode)) {
      throw new ConfigError(`${option}: stream '${name}' has sync_mode ${mode === undefined ? '(missing)' : show(mode)}: expected 'full_refresh' or 'incremental'`);
    }
    if (mode === 'incremental' && !def.supportsIncremental) {
      throw new ConfigError(`${option}: stream '${name}' does not support incremental sync: use sync_mode 'full_refresh'`);
    }
    return { ...item, stream: { ...(stream as ConfiguredStream['stream']) }, sync_mode: mode as SyncMode } as ConfiguredStream;
  });
}

/** Reads `--catalog FILE` and parses it; a missing, unreadable or non-JSON file is a ConfigError naming --catalog. */
export function readCatalogFile(path: string, known: ReadonlyMap<string, KnownStream>): ConfiguredStream[] {
  return parseCatalog(readJsonFile(path, '--catalog'), known);
}

/**
 * "Did you mean 'x'? Known streams: …" for an unknown stream name: the closest known name when one is near, and the
 * known names (the first 12, or all of them with `listAll`).
 */
export function describeKnown(name: string, known: ReadonlyMap<string, unknown>, options: { listAll?: boolean } = {}): string {
  const names = [...known.keys()].sort();
  const near = names
    .map((n) => ({ n, d: distance(name.toLowerCase(), n) }))
    .filter((x) => x.d <= Math.max(2, Math.floor(name.length / 4)))
    .sort((a, b) => a.d - b.d)[0];
  const shown = options.listAll ? names.length : SHOWN_NAMES;
  const listed = names.slice(0, shown).join(', ') + (names.length > shown ? `, … (${names.length} in all)` : '');
  return `${near ? `Did you mean '${near.n}'? ` : ''}Known streams: ${listed}`;
}

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}
