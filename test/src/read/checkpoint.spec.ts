import { describe, it, expect } from 'vitest';
import { marbles } from '../../helpers/marbles.js';
import { checkpoint, type CheckpointOptions } from '../../../src/read/checkpoint.js';
import { errorTrace, recordMessage, stateMessage, streamStatusTrace } from '../../../src/protocol.js';
import { withStreamStatus } from '../../../src/read/withStreamStatus.js';
import { HttpError } from '../../../src/errors.js';
import type { AirbyteMessage, JsonObject } from '../../../src/protocol.js';
import { assertValidMessage } from '../../helpers/protocol.js';

const S = 'deals';
const T = 42;
const rec = (id: number, update_time: string): JsonObject => ({ id, update_time });
const R = (r: JsonObject) => recordMessage(S, r, T);
const state = (cursor: string | undefined, count: number, extra: JsonObject = {}) =>
  stateMessage(S, cursor === undefined ? { ...extra } : { ...extra, update_time: cursor }, count);
const opts = (o: Partial<CheckpointOptions>): CheckpointOptions => ({ stream: S, cursorField: 'update_time', ordered: true, perPage: true, now: () => T, ...o });

describe('checkpoint, ordered (server-side incremental)', () => {
  it('emits [RECORD…, STATE] per page with the cursor of the last record written, then a final STATE', marbles((m) => {
    const a = [rec(1, '2024-01-01T00:00:00Z'), rec(2, '2024-01-02T00:00:00Z')];
    const b = [rec(3, '2024-01-03 00:00:00')]; // v1 text, normalised in state
    const pages = m.cold('-a--b--|', { a, b });
    m.expect(pages.pipe(checkpoint(opts({ start: '2023-01-01T00:00:00Z' })))).toBeObservable('-A--B--(F|)', {
      A: [R(a[0]!), R(a[1]!), state('2024-01-02T00:00:00Z', 2)],
      B: [R(b[0]!), state('2024-01-03T00:00:00Z', 1)],
      F: [state('2024-01-03T00:00:00Z', 0)],
    });
  }));

  it('never moves the cursor below start, and an empty page still checkpoints', marbles((m) => {
    const a = [rec(1, '2020-01-01T00:00:00Z')];
    const pages = m.cold('-a-e|', { a, e: [] as JsonObject[] });
    m.expect(pages.pipe(checkpoint(opts({ start: '2024-05-05T00:00:00Z' })))).toBeObservable('-A-E(F|)', {
      A: [R(a[0]!), state('2024-05-05T00:00:00Z', 1)],
      E: [state('2024-05-05T00:00:00Z', 0)],
      F: [state('2024-05-05T00:00:00Z', 0)],
    });
  }));

  it('no start and nothing seen → {}', marbles((m) => {
    m.expect(m.cold('-e|', { e: [] as JsonObject[] }).pipe(checkpoint(opts({})))).toBeObservable('-E(F|)', {
      E: [stateMessage(S, {}, 0)],
      F: [stateMessage(S, {}, 0)],
    });
  }));

  it('an empty stream still emits one final STATE (with its start cursor)', marbles((m) => {
    m.expect(m.cold('---|').pipe(checkpoint(opts({ start: '2024-01-01T00:00:00Z' })))).toBeObservable('---(F|)', {
      F: [state('2024-01-01T00:00:00Z', 0)],
    });
  }));

  it('on error after unstated records, emits a STATE covering them, then rethrows', marbles((m) => {
    const a = [rec(1, '2024-01-01T00:00:00Z'), rec(2, '2024-01-02T00:00:00Z')];
    const b = [rec(3, '2024-01-03T00:00:00Z')];
    const err = new Error('boom');
    const pages = m.cold('-a-b-#', { a, b }, err);
    m.expect(pages.pipe(checkpoint(opts({ perPage: false })))).toBeObservable('-A-B-(E#)', {
      A: [R(a[0]!), R(a[1]!)],
      B: [R(b[0]!)],
      E: [state('2024-01-03T00:00:00Z', 3)],
    }, err);
  }));

  it('on error right after a STATE, hands that STATE back again (0 records), then the error', marbles((m) => {
    const a = [rec(1, '2024-01-01T00:00:00Z')];
    const err = new Error('boom');
    m.expect(m.cold('-a-#', { a }, err).pipe(checkpoint(opts({})))).toBeObservable('-A-(E#)', {
      A: [R(a[0]!), state('2024-01-01T00:00:00Z', 1)],
      E: [state('2024-01-01T00:00:00Z', 0)],
    }, err);
  }));
});

describe('checkpoint, unordered (client-side incremental)', () => {
  it('keeps start in every mid-stream STATE and advances only in the final one', marbles((m) => {
    const a = [rec(1, '2024-03-01T00:00:00Z'), rec(2, '2024-01-01T00:00:00Z')];
    const b = [rec(3, '2024-02-01 00:00:00')];
    const start = '2023-06-01T00:00:00Z';
    m.expect(m.cold('-a-b-|', { a, b }).pipe(checkpoint(opts({ ordered: false, start })))).toBeObservable('-A-B-(F|)', {
      A: [R(a[0]!), R(a[1]!), state(start, 2)],
      B: [R(b[0]!), state(start, 1)],
      F: [state('2024-03-01T00:00:00Z', 0)],
    });
  }));

  it('without start: mid-stream STATEs are {} and the final STATE has the highest cursor', marbles((m) => {
    const a = [rec(1, '2024-03-01T00:00:00Z'), rec(2, 'not a date')];
    m.expect(m.cold('-a|', { a }).pipe(checkpoint(opts({ ordered: false })))).toBeObservable('-A(F|)', {
      A: [R(a[0]!), R(a[1]!), stateMessage(S, {}, 2)],
      F: [state('2024-03-01T00:00:00Z', 0)],
    });
  }));

  it('on error emits the start-cursor STATE (the last safe one: the read did not reach the end), then the error', marbles((m) => {
    const a = [rec(1, '2024-03-01T00:00:00Z')];
    const err = new Error('boom');
    m.expect(m.cold('-a-#', { a }, err).pipe(checkpoint(opts({ ordered: false, perPage: false, start: '2024-01-01T00:00:00Z' }))))
      .toBeObservable('-A-(E#)', { A: [R(a[0]!)], E: [state('2024-01-01T00:00:00Z', 1)] }, err);
  }));
});

describe('checkpoint, full refresh', () => {
  it('emits records per page and one final STATE {} counting them all', marbles((m) => {
    const a = [{ id: 1 }, { id: 2 }];
    const b = [{ id: 3 }];
    const o: CheckpointOptions = { stream: S, ordered: false, perPage: false, now: () => T };
    m.expect(m.cold('-a-b-|', { a, b }).pipe(checkpoint(o))).toBeObservable('-A-B-(F|)', {
      A: [R(a[0]!), R(a[1]!)],
      B: [R(b[0]!)],
      F: [stateMessage(S, {}, 3)],
    });
  }));

  it('a failing full refresh emits exactly one STATE {} (counting what was written), then the error', marbles((m) => {
    const a = [{ id: 1 }];
    const err = new Error('boom');
    const o: CheckpointOptions = { stream: S, ordered: true, perPage: false, now: () => T };
    m.expect(m.cold('-a-#', { a }, err).pipe(checkpoint(o))).toBeObservable('-A-(E#)', { A: [R(a[0]!)], E: [stateMessage(S, {}, 1)] }, err);
  }));

  it('an empty full refresh stream still emits STATE {}', marbles((m) => {
    const o: CheckpointOptions = { stream: S, ordered: false, perPage: false };
    m.expect(m.cold('|').pipe(checkpoint(o))).toBeObservable('(F|)', { F: [stateMessage(S, {}, 0)] });
  }));
});

describe('checkpoint with withStreamStatus: the one STATE of a failing stream', () => {
  it('exactly one STATE between the last records and INCOMPLETE', marbles((m) => {
    const a = [rec(1, '2024-01-01T00:00:00Z')];
    const err = new HttpError({ status: 410, method: 'GET', path: '/api/v2/deals' });
    const pages = m.cold('-a-#', { a }, err);
    const out = pages.pipe(checkpoint(opts({ start: '2023-01-01T00:00:00Z' })), withStreamStatus(S, { now: () => T }));
    const seen: AirbyteMessage[] = [];
    out.subscribe((batch) => seen.push(...batch));
    m.expect(pages).toHaveSubscriptions('^--!');
    m.flush();
    expect(seen).toEqual([
      streamStatusTrace(S, 'STARTED', T),
      streamStatusTrace(S, 'RUNNING', T),
      R(a[0]!), state('2024-01-01T00:00:00Z', 1),
      state('2024-01-01T00:00:00Z', 0),
      errorTrace(err.message, 'system_error', { stream: S, now: T }), streamStatusTrace(S, 'INCOMPLETE', T),
    ]);
  }));
});

describe('checkpoint details', () => {
  it('calls now() once per page and stamps every record of the page with it', marbles((m) => {
    let t = 1000;
    const calls: number[] = [];
    const now = () => { calls.push(t); return t++; };
    const a = [rec(1, '2024-01-01T00:00:00Z'), rec(2, '2024-01-01T00:00:00Z')];
    const out: AirbyteMessage[][] = [];
    m.cold('-a-a|', { a }).pipe(checkpoint(opts({ now }))).subscribe((b) => out.push(b));
    m.flush();
    expect(calls).toEqual([1000, 1001]);
    const stamps = out.flat().filter((x) => x.type === 'RECORD').map((x) => (x.type === 'RECORD' ? x.record.emitted_at : 0));
    expect(stamps).toEqual([1000, 1000, 1001, 1001]);
  }));

  it('merges extraState, without letting it override the cursor', marbles((m) => {
    let n = 0;
    const extraState = () => ({ parents: ++n, update_time: 'ignored' });
    const a = [rec(1, '2024-01-01T00:00:00Z')];
    m.expect(m.cold('-a|', { a }).pipe(checkpoint(opts({ extraState })))).toBeObservable('-A(F|)', {
      A: [R(a[0]!), state('2024-01-01T00:00:00Z', 1, { parents: 1 })],
      F: [state('2024-01-01T00:00:00Z', 0, { parents: 2 })],
    });
  }));

  it('each subscription starts afresh', marbles((m) => {
    const a = [rec(1, '2024-01-01T00:00:00Z')];
    const op = checkpoint(opts({ perPage: false }));
    const pages = m.cold('-a|', { a });
    m.expect(pages.pipe(op)).toBeObservable('-A(F|)', { A: [R(a[0]!)], F: [state('2024-01-01T00:00:00Z', 1)] });
    m.expect(pages.pipe(op)).toBeObservable('-A(F|)', { A: [R(a[0]!)], F: [state('2024-01-01T00:00:00Z', 1)] });
  }));

  it('emits valid Airbyte messages, with each STATE after the records it covers', marbles((m) => {
    const a = [rec(1, '2024-01-01T00:00:00Z'), rec(2, '2024-01-02T00:00:00Z')];
    const out: AirbyteMessage[] = [];
    m.cold('-a-a|', { a }).pipe(checkpoint(opts({}))).subscribe((b) => out.push(...b));
    m.flush();
    for (const msg of out) assertValidMessage(msg);
    expect(out.map((x) => x.type)).toEqual(['RECORD', 'RECORD', 'STATE', 'RECORD', 'RECORD', 'STATE', 'STATE']);
    const counts = out.flatMap((x) => (x.type === 'STATE' ? [x.state.sourceStats.recordCount] : []));
    expect(counts).toEqual([2, 2, 0]);
  }));
});
