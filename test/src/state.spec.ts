import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseState, readStateFile } from '../../src/state.js';
import { ConfigError } from '../../src/errors.js';
import { stateMessage } from '../../src/protocol.js';

const cursors = new Map<string, string | undefined>([
  ['deals', 'update_time'],
  ['persons', 'update_time'],
  ['users', 'modified'],
  ['currencies', undefined],
]);

const streamState = (name: string, stream_state: unknown) => ({
  type: 'STREAM',
  stream: { stream_descriptor: { name }, stream_state },
});

const asObject = (m: Map<string, unknown>) => Object.fromEntries(m);

describe('parseState: accepted shapes', () => {
  it.each([null, undefined, [], {}, '', '  \n', '[]', 'null'])('%j → empty map', (raw) => {
    expect(parseState(raw, cursors).size).toBe(0);
  });

  it('reads an array of STREAM states as the platform stores them', () => {
    const raw = [
      { ...streamState('deals', { update_time: '2021-06-01T10:10:10Z' }), sourceStats: { recordCount: 3 } },
      streamState('currencies', {}),
    ];
    expect(asObject(parseState(raw, cursors))).toEqual({ deals: { update_time: '2021-06-01T10:10:10Z' }, currencies: {} });
  });

  it('reads full STATE AirbyteMessages (as this source emits them), also mixed with bare states', () => {
    const raw = [stateMessage('deals', { update_time: '2021-06-01T10:10:10+02:00' }, 5), streamState('persons', { update_time: '2021-06-02' })];
    expect(asObject(parseState(raw, cursors))).toEqual({
      deals: { update_time: '2021-06-01T08:10:10Z' },
      persons: { update_time: '2021-06-02T00:00:00Z' },
    });
  });

  it('reads a single state object or message', () => {
    expect(asObject(parseState(streamState('deals', { update_time: '2021-06-01 10:10:10' }), cursors))).toEqual({ deals: { update_time: '2021-06-01T10:10:10Z' } });
    expect(asObject(parseState(stateMessage('users', { modified: '2021-06-01 10:10:10' }, 0), cursors))).toEqual({ users: { modified: '2021-06-01T10:10:10Z' } });
  });

  it('recognises a STREAM state without type', () => {
    expect(asObject(parseState([{ stream: { stream_descriptor: { name: 'deals', namespace: 'x' }, stream_state: { update_time: '2021-06-01T10:10:10Z' } } }], cursors)))
      .toEqual({ deals: { update_time: '2021-06-01T10:10:10Z' } });
  });

  it('reads a GLOBAL state from its stream_states', () => {
    const raw = [{
      type: 'GLOBAL',
      global: {
        shared_state: { ignored: true },
        stream_states: [
          { stream_descriptor: { name: 'deals' }, stream_state: { update_time: '2021-06-01 10:10:10' } },
          { stream_descriptor: { name: 'persons' }, stream_state: { update_time: '2021-06-01T10:10:10.123456Z' } },
        ],
      },
    }];
    expect(asObject(parseState(raw, cursors))).toEqual({
      deals: { update_time: '2021-06-01T10:10:10Z' },
      persons: { update_time: '2021-06-01T10:10:10Z' },
    });
  });

  it('reads the legacy object keyed by stream name', () => {
    const raw = { deals: { update_time: '2021-06-01 10:10:10' }, users: { modified: '2021-06-01T10:10:10-01:00' }, unknown_stream: { x: 1 } };
    expect(asObject(parseState(raw, cursors))).toEqual({
      deals: { update_time: '2021-06-01T10:10:10Z' },
      users: { modified: '2021-06-01T11:10:10Z' },
      unknown_stream: { x: 1 },
    });
  });

  it('reads a LEGACY state (type LEGACY with data), bare or in a message', () => {
    const legacy = { type: 'LEGACY', data: { deals: { update_time: '2021-06-01 10:10:10' } } };
    expect(asObject(parseState(legacy, cursors))).toEqual({ deals: { update_time: '2021-06-01T10:10:10Z' } });
    expect(asObject(parseState([{ type: 'STATE', state: legacy }], cursors))).toEqual({ deals: { update_time: '2021-06-01T10:10:10Z' } });
    expect(asObject(parseState({ data: { persons: { update_time: '2021-06-01' } } }, cursors))).toEqual({ persons: { update_time: '2021-06-01T00:00:00Z' } });
    expect(parseState({ type: 'LEGACY', data: null }, cursors).size).toBe(0);
  });

  it('parses JSON text', () => {
    expect(asObject(parseState(JSON.stringify([streamState('deals', { update_time: '2021-06-01 10:10:10' })]), cursors))).toEqual({ deals: { update_time: '2021-06-01T10:10:10Z' } });
  });

  it('keeps other keys of a stream_state and leaves streams without a cursor field untouched', () => {
    const raw = [streamState('deals', { update_time: '2021-06-01 10:10:10', parent: { ids: [1, 2] } }), streamState('currencies', { anything: 'as is' })];
    expect(asObject(parseState(raw, cursors))).toEqual({
      deals: { update_time: '2021-06-01T10:10:10Z', parent: { ids: [1, 2] } },
      currencies: { anything: 'as is' },
    });
  });

  it('lets a later state of a stream replace an earlier one; a null stream_state clears it', () => {
    const raw = [
      streamState('deals', { update_time: '2021-06-01T00:00:00Z' }),
      streamState('deals', { update_time: '2021-07-01T00:00:00Z' }),
      streamState('persons', { update_time: '2021-07-01T00:00:00Z' }),
      streamState('persons', null),
    ];
    expect(asObject(parseState(raw, cursors))).toEqual({ deals: { update_time: '2021-07-01T00:00:00Z' } });
  });

  it('does not alias the input objects', () => {
    const state = { update_time: '2021-06-01T00:00:00Z' };
    const parsed = parseState([streamState('persons', state)], cursors);
    expect(parsed.get('persons')).not.toBe(state);
  });
});

describe('parseState: malformed input', () => {
  it.each<[string, unknown, RegExp]>([
    ['a number', 42, /^--state: expected a JSON array of STATE messages or an object keyed by stream name \(got a number\)$/],
    ['not JSON', '[{"type": "STREAM",', /^--state is not valid JSON/],
    ['an array item that is not an object', ['deals'], /^--state: item 0 must be a STATE object \(got a string\)$/],
    ['an unknown type', [{ type: 'PER_STREAM', stream: {} }], /^--state: item 0 has type 'PER_STREAM': expected 'STREAM', 'GLOBAL' or 'LEGACY'$/],
    ['a STATE message without state', [{ type: 'STATE' }], /^--state: item 0 is a STATE message without a 'state' object$/],
    ['a STREAM state without stream', [{ type: 'STREAM' }], /^--state: item 0 is a STREAM state without a 'stream' object$/],
    ['a STREAM state without a name', [{ type: 'STREAM', stream: { stream_descriptor: {}, stream_state: {} } }], /^--state: item 0 has no stream name/],
    ['a stream_state that is not an object', [streamState('deals', 'yesterday')], /^--state: the state of stream 'deals' in item 0 must be an object \(got a string\)$/],
    ['a GLOBAL state without stream_states', [{ type: 'GLOBAL', global: {} }], /^--state: item 0 is a GLOBAL state without a 'global\.stream_states' array$/],
    ['a bad GLOBAL stream state', [{ type: 'GLOBAL', global: { stream_states: [{ stream_state: {} }] } }], /^--state: item 0, global\.stream_states\[0\] has no stream name/],
    ['a LEGACY state with array data', { type: 'LEGACY', data: [] }, /^--state: the state object is a LEGACY state whose 'data' is not an object$/],
    ['a legacy object with a non-object stream state', { deals: '2021-06-01' }, /^--state: the state of stream 'deals' in the legacy state object must be an object \(got a string\)$/],
  ])('rejects %s', (_name, raw, expected) => {
    expect(() => parseState(raw, cursors)).toThrow(ConfigError);
    expect(() => parseState(raw, cursors)).toThrow(expected);
  });

  it.each<[unknown, string]>([
    [12345, '12345'],
    [null, 'null'],
    ['yesterday', "'yesterday'"],
    ['2021-02-30 10:00:00', "'2021-02-30 10:00:00'"],
    ['2021-06-01T25:00:00Z', "'2021-06-01T25:00:00Z'"],
    [{ nested: 1 }, '{"nested":1}'],
  ])('rejects the cursor %j naming the stream and field', (value, shown) => {
    expect(() => parseState([streamState('deals', { update_time: value })], cursors)).toThrow(
      new ConfigError(`--state: stream 'deals' has an invalid update_time cursor ${shown}: expected YYYY-MM-DDTHH:MM:SSZ, YYYY-MM-DD HH:MM:SS or another RFC 3339 date-time`),
    );
  });
});

describe('readStateFile', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'state-'));

  it('reads a state file; an empty file is an empty state', () => {
    const file = path.join(dir, 'state.json');
    writeFileSync(file, JSON.stringify([streamState('deals', { update_time: '2021-06-01 10:10:10' })]));
    expect(asObject(readStateFile(file, cursors))).toEqual({ deals: { update_time: '2021-06-01T10:10:10Z' } });
    const empty = path.join(dir, 'empty.json');
    writeFileSync(empty, '\n');
    expect(readStateFile(empty, cursors).size).toBe(0);
  });

  it('names --state for a missing or non-JSON file', () => {
    expect(() => readStateFile(path.join(dir, 'missing.json'), cursors)).toThrow(/^--state: file '.*missing\.json' does not exist$/);
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, '{deals: 1}');
    expect(() => readStateFile(bad, cursors)).toThrow(/^--state: file '.*bad\.json' is not valid JSON/);
  });
});
