/**
 * Which streams a read reads, and how: the configured catalog built from stream names (`read --streams`, the Node
 * API's `streams`), and the read plans of a configured catalog with its input state. The CLI and the Node API both
 * come here, so `--streams deals` and `read({ streams: ['deals'] })` read exactly what a configured catalog made
 * from `discover` with the jq recipe of docs/recipes.md would.
 */
import { allStreams, loadSchema, streamByName, supportsIncremental, type StreamDefinition } from '../streams/index.js';
import { airbyteStream } from './discover.js';
import { describeKnown, type KnownStream } from './catalog.js';
import { ConfigError, SystemError } from './errors.js';
import type { ConfiguredCatalog, ConfiguredStream, JsonObject } from './protocol.js';
import type { StreamPlan } from './read/readStream.js';

/** The streams this source offers, as the catalog check wants them: name → whether it supports incremental. */
export function knownStreams(): ReadonlyMap<string, KnownStream> {
  return new Map(allStreams.map((d) => [d.name, { supportsIncremental: supportsIncremental(d) }]));
}

/** Stream name → cursor field, for normalising input states. */
export function cursorFields(): ReadonlyMap<string, string | undefined> {
  return new Map(allStreams.map((d) => [d.name, d.cursorField]));
}

export interface SelectionOptions {
  /** Every stream full refresh, even those that support incremental. */
  readonly fullRefresh?: boolean;
  /** The setting the names come from, for error messages (default `--streams`). */
  readonly option?: string;
}

/**
 * Stream names (`['deals', 'persons']`, entries may hold comma-separated names) or `'all'` → the names to read, in
 * catalog order, each once. An unknown name, `all` beside other names, or no name at all is a ConfigError naming
 * `option` and listing the valid names.
 */
export function selectedNames(selection: readonly string[] | 'all', option = '--streams'): string[] {
  const given = (selection === 'all' ? ['all'] : selection).flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== '');
  const known = knownStreams();
  if (given.length === 0) throw new ConfigError(`${option}: name at least one stream (or 'all'). Known streams: ${[...known.keys()].join(', ')}`);
  if (given.includes('all')) {
    if (given.length > 1) throw new ConfigError(`${option}: 'all' cannot be combined with stream names`);
    return allStreams.map((d) => d.name);
  }
  for (const name of given) {
    if (!known.has(name)) throw new ConfigError(`${option}: unknown stream '${name}'. ${describeKnown(name, known, { listAll: true })}`);
  }
  const wanted = new Set(given);
  return allStreams.map((d) => d.name).filter((n) => wanted.has(n));
}

/**
 * The configured catalog of the selected streams, as discover + the recipe of docs/recipes.md make it: each stream's
 * catalog entry (its static schema: custom fields are typed only by `discover`, which reads the account's field
 * definitions), `sync_mode` incremental where the stream supports it (unless `fullRefresh`), `destination_sync_mode`
 * append.
 */
export function configuredCatalog(selection: readonly string[] | 'all', options: SelectionOptions = {}): ConfiguredCatalog {
  const names = selectedNames(selection, options.option);
  return {
    streams: names.map((name) => {
      const def = definition(name);
      return {
        stream: airbyteStream(def, loadSchema(def)),
        sync_mode: supportsIncremental(def) && !options.fullRefresh ? 'incremental' : 'full_refresh',
        destination_sync_mode: 'append',
      };
    }),
  };
}

/**
 * The read plans of a (checked) configured catalog: each stream's definition, sync mode, input state and catalog
 * schema (whose custom-field names `custom_field_names: name` keeps, src/customFields/catalogNames.ts).
 */
export function plansOf(configured: readonly ConfiguredStream[], states: ReadonlyMap<string, JsonObject>): StreamPlan[] {
  return configured.map((c) => ({
    def: definition(c.stream.name),
    syncMode: c.sync_mode,
    state: states.get(c.stream.name),
    catalogSchema: c.stream.json_schema,
  }));
}

function definition(name: string): StreamDefinition {
  const def = streamByName(name);
  // Names are checked against the known streams before they get here.
  if (!def) throw new SystemError(`no stream definition for '${name}'`);
  return def;
}
