/**
 * `read --state-file FILE`: the state of a chain of runs in one file. The file is read at the start (a missing file
 * is a first run), the run's output is observed for its STATE messages (their one owner is src/read/checkpoint.ts:
 * nothing here derives a cursor), and at the end the last STATE of every stream of the run, merged with the streams
 * of the file that were not in the run, replaces the file atomically (src/files/atomic.ts). A lock file
 * (`FILE.lock`, src/files/lock.ts) keeps a second run off the file meanwhile.
 *
 * The file holds what `--state` takes and the Airbyte platform stores: a JSON array of STREAM states, one per stream
 * (as the last-state and merge-state recipes of docs/recipes.md make it), sorted by stream name.
 */
import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError } from './errors.js';
import type { AirbyteMessage, JsonObject, StateMessage } from './protocol.js';
import { readJsonFile } from './config/input.js';
import { parseState } from './state.js';
import { writeFileAtomic } from './files/atomic.js';
import { acquireLock, type FileLock } from './files/lock.js';

/** One entry of a state file: the `state` of a STATE message. */
export type StreamStateEntry = StateMessage['state'] | { type: 'STREAM'; stream: { stream_descriptor: { name: string }; stream_state: JsonObject } };

export interface StateFile {
  readonly path: string;
  /** The input state of the run: stream name → stream_state (cursors normalised). */
  readonly states: ReadonlyMap<string, JsonObject>;
  /** What the user should know (a stale lock of a run that died was taken over). */
  readonly notes: readonly string[];
  /** Notes the STATE messages of a batch of the run's output: the last one of each stream counts. */
  observe(batch: readonly AirbyteMessage[]): void;
  /**
   * Writes the merged state (the file's streams, replaced by the run's last STATE where the run has one) atomically.
   * Does nothing when the run emitted no STATE. Returns the number of streams of the run it wrote.
   */
  save(): number;
  /** Releases the lock (idempotent). */
  close(): void;
}

/**
 * The run's last STATE per stream merged into the previous states: the run's entry where it has one, the previous
 * stream_state otherwise; sorted by stream name.
 */
export function mergeStates(previous: ReadonlyMap<string, JsonObject>, last: ReadonlyMap<string, StateMessage['state']>): StreamStateEntry[] {
  const names = [...new Set([...previous.keys(), ...last.keys()])].sort();
  return names.map((name): StreamStateEntry => last.get(name)
    ?? { type: 'STREAM', stream: { stream_descriptor: { name }, stream_state: previous.get(name) ?? {} } });
}

/**
 * Takes the lock of `path` and reads it. A missing file is an empty state; an unreadable or invalid one, a folder
 * that does not exist or a lock held by another run is a ConfigError naming `option`.
 */
export function openStateFile(path: string, cursorFields: ReadonlyMap<string, string | undefined>, option = '--state-file'): StateFile {
  const lock = lockOf(path, option);
  let states: Map<string, JsonObject>;
  try {
    states = exists(path, option) ? parseState(readJsonFile(path, option, { value: null }), cursorFields, `${option} '${path}'`) : new Map();
  } catch (err) {
    lock.release();
    throw err;
  }
  const last = new Map<string, StateMessage['state']>();
  const notes = lock.tookOver !== undefined
    ? [`${option}: took over the stale lock ${lock.path} of a run that has ended (${lock.tookOver}); its STATEs since its last write of '${path}' are not in the file, so those records are read again`]
    : [];
  return {
    path,
    states,
    notes,
    observe: (batch) => {
      for (const m of batch) if (m.type === 'STATE') last.set(m.state.stream.stream_descriptor.name, m.state);
    },
    save: () => {
      if (last.size === 0) return 0;
      writeFileAtomic(path, `${JSON.stringify(mergeStates(states, last), null, 2)}\n`);
      return last.size;
    },
    close: () => lock.release(),
  };
}

function exists(path: string, option: string): boolean {
  try {
    statSync(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new ConfigError(`${option}: cannot read '${path}' (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

function lockOf(path: string, option: string): FileLock {
  try {
    return acquireLock(`${path}.lock`, `${option} '${path}'`);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ConfigError(`${option}: the folder '${dirname(path)}' does not exist`);
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
      throw new ConfigError(`${option}: cannot write in the folder '${dirname(path)}' (${code}): the state file and its lock are written there`);
    }
    throw new ConfigError(`${option}: cannot create the lock file '${path}.lock'${code ? ` (${code})` : ''}`);
  }
}
