/**
 * Input state (`--state`): every shape the platform or older versions of this connector store, parsed into
 * stream name → stream_state with cursor values normalised to `YYYY-MM-DDTHH:MM:SSZ`.
 */
import { ConfigError } from './errors.js';
import type { JsonObject } from './protocol.js';
import { isPlainObject, parseJsonText, readJsonFile, show } from './config/input.js';
import { strictIsoCursor } from './cursor.js';

const STATE_TYPES = new Set(['STREAM', 'GLOBAL', 'LEGACY']);

/**
 * Parses --state input into a map stream name → stream_state, with cursor values normalised to
 * `YYYY-MM-DDTHH:MM:SSZ`. Accepts:
 * - an array of STATE messages' `state` objects (`{type: 'STREAM', stream: {stream_descriptor: {name}, stream_state}}`)
 *   or of full AirbyteMessages (`{type: 'STATE', state: {…}}`), mixed freely;
 * - a GLOBAL state (its `stream_states`; `shared_state` is ignored);
 * - a LEGACY state `{type: 'LEGACY', data: {<stream>: {…}}}`;
 * - the legacy object keyed by stream name (`{"deals": {"update_time": "2021-06-01 10:10:10"}}`);
 * - a single state or message object instead of an array; JSON text;
 * - an empty array, `{}`, `null` or blank text → an empty map.
 * A stream whose stream_state is null or missing is left out (it starts from scratch); a later entry for a stream
 * replaces an earlier one. Cursor values (`YYYY-MM-DD HH:MM:SS`, `YYYY-MM-DD` or RFC 3339 with fractions and
 * offsets) of the given cursor fields are normalised; a non-string or unparseable cursor is a ConfigError naming
 * the stream and field. Anything else malformed is a ConfigError starting with `option` (default `--state`): the
 * setting the input came from.
 */
export function parseState(raw: unknown, cursorFields: ReadonlyMap<string, string | undefined>, option = '--state'): Map<string, JsonObject> {
  let input = raw;
  if (typeof input === 'string') input = input.trim() === '' ? null : parseJsonText(input, option);
  const states = new Map<string, JsonObject>();
  if (input === null || input === undefined) return states;

  if (Array.isArray(input)) {
    input.forEach((item, i) => collect(item, `item ${i}`, states, option));
  } else if (isPlainObject(input)) {
    if (isStateLike(input)) collect(input, 'the state object', states, option);
    else collectLegacy(input, 'the legacy state object', states, option);
  } else {
    throw new ConfigError(`${option}: expected a JSON array of STATE messages or an object keyed by stream name (got ${kind(input)})`);
  }

  for (const [name, state] of states) states.set(name, normaliseCursor(name, state, cursorFields.get(name), option));
  return states;
}

/** Reads `--state FILE` and parses it; a missing, unreadable or non-JSON file is a ConfigError naming --state. */
export function readStateFile(path: string, cursorFields: ReadonlyMap<string, string | undefined>): Map<string, JsonObject> {
  return parseState(readJsonFile(path, '--state', { value: null }), cursorFields);
}

// ---------------------------------------------------------------------------------------------------------------

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/** A STATE message or an AirbyteStateMessage, as opposed to the legacy object keyed by stream name. */
function isStateLike(o: Record<string, unknown>): boolean {
  const t = o['type'];
  if (t === 'STATE' || (typeof t === 'string' && STATE_TYPES.has(t))) return true;
  // The protocol allows `type` to be absent: recognise the shape by its fields.
  return t === undefined && (isPlainObject(o['stream']) || isPlainObject(o['global']) || isPlainObject(o['data']));
}

function collect(item: unknown, where: string, out: Map<string, JsonObject>, option: string): void {
  if (!isPlainObject(item)) throw new ConfigError(`${option}: ${where} must be a STATE object (got ${kind(item)})`);
  if (item['type'] === 'STATE') {
    if (!isPlainObject(item['state'])) throw new ConfigError(`${option}: ${where} is a STATE message without a 'state' object`);
    collect(item['state'], where, out, option);
    return;
  }
  const type = item['type'] ?? (isPlainObject(item['stream']) ? 'STREAM' : isPlainObject(item['global']) ? 'GLOBAL' : 'LEGACY');
  switch (type) {
    case 'STREAM':
      collectStream(item['stream'], where, out, option);
      return;
    case 'GLOBAL': {
      const global = item['global'];
      const streamStates = isPlainObject(global) ? global['stream_states'] : undefined;
      if (!Array.isArray(streamStates)) throw new ConfigError(`${option}: ${where} is a GLOBAL state without a 'global.stream_states' array`);
      streamStates.forEach((s, i) => collectStream(s, `${where}, global.stream_states[${i}]`, out, option));
      return;
    }
    case 'LEGACY': {
      const data = item['data'];
      if (data === null || data === undefined) return;
      if (!isPlainObject(data)) throw new ConfigError(`${option}: ${where} is a LEGACY state whose 'data' is not an object`);
      collectLegacy(data, `${where}, data`, out, option);
      return;
    }
    default:
      throw new ConfigError(`${option}: ${where} has type ${show(type)}: expected 'STREAM', 'GLOBAL' or 'LEGACY'`);
  }
}

function collectStream(stream: unknown, where: string, out: Map<string, JsonObject>, option: string): void {
  if (!isPlainObject(stream)) throw new ConfigError(`${option}: ${where} is a STREAM state without a 'stream' object`);
  const descriptor = stream['stream_descriptor'];
  const name = isPlainObject(descriptor) ? descriptor['name'] : undefined;
  if (typeof name !== 'string' || name === '') {
    throw new ConfigError(`${option}: ${where} has no stream name (expected stream.stream_descriptor.name)`);
  }
  addState(name, stream['stream_state'], where, out, option);
}

function collectLegacy(data: Record<string, unknown>, where: string, out: Map<string, JsonObject>, option: string): void {
  for (const [name, state] of Object.entries(data)) addState(name, state, where, out, option);
}

function addState(name: string, state: unknown, where: string, out: Map<string, JsonObject>, option: string): void {
  if (state === null || state === undefined) {
    out.delete(name);
    return;
  }
  if (!isPlainObject(state)) throw new ConfigError(`${option}: the state of stream '${name}' in ${where} must be an object (got ${kind(state)})`);
  out.set(name, { ...state });
}

function normaliseCursor(stream: string, state: JsonObject, field: string | undefined, option: string): JsonObject {
  if (field === undefined || !(field in state)) return state;
  const value = state[field];
  const iso = strictIsoCursor(value);
  if (iso === undefined) {
    throw new ConfigError(
      `${option}: stream '${stream}' has an invalid ${field} cursor ${show(value)}: ` +
        'expected YYYY-MM-DDTHH:MM:SSZ, YYYY-MM-DD HH:MM:SS or another RFC 3339 date-time',
    );
  }
  return { ...state, [field]: iso };
}
