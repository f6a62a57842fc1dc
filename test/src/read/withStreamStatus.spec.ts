import { describe, it, expect } from 'vitest';
import { marbles } from '../../helpers/marbles.js';
import { withStreamStatus } from '../../../src/read/withStreamStatus.js';
import { errorTrace, recordMessage, stateMessage, streamStatusTrace } from '../../../src/protocol.js';
import type { AirbyteMessage, StreamStatus } from '../../../src/protocol.js';
import { HttpError, NetworkError } from '../../../src/errors.js';
import { assertValidMessage } from '../../helpers/protocol.js';

const S = 'persons';
const T = 7;
const now = () => T;
const st = (s: StreamStatus): AirbyteMessage[] => [streamStatusTrace(S, s, T)];
const a: AirbyteMessage[] = [recordMessage(S, { id: 1 }, T), stateMessage(S, {}, 1)];
const b: AirbyteMessage[] = [recordMessage(S, { id: 2 }, T)];

describe('withStreamStatus', () => {
  it('STARTED at subscription, RUNNING before the first batch, batches, then COMPLETE', marbles((m) => {
    const batches = m.cold('--a---b--|', { a, b });
    m.expect(batches.pipe(withStreamStatus(S, { now }))).toBeObservable('s-(ra)b--(c|)', {
      s: st('STARTED'), r: st('RUNNING'), a, b, c: st('COMPLETE'),
    });
    m.expect(batches).toHaveSubscriptions('^--------!');
  }));

  it('emits RUNNING before COMPLETE when the stream has no batches', marbles((m) => {
    m.expect(m.cold('---|').pipe(withStreamStatus(S, { now }))).toBeObservable('s--(rc|)', {
      s: st('STARTED'), r: st('RUNNING'), c: st('COMPLETE'),
    });
  }));

  it('on error: onError, TRACE ERROR with stream and failure type, INCOMPLETE, and completes', marbles((m) => {
    const err = new HttpError({ status: 503, method: 'GET', path: '/api/v2/persons' });
    const seen: unknown[] = [];
    const batches = m.cold('--a----#', { a }, err);
    const e: AirbyteMessage[] = [
      errorTrace(err.message, 'transient_error', { stream: S, now: T }),
      streamStatusTrace(S, 'INCOMPLETE', T),
    ];
    m.expect(batches.pipe(withStreamStatus(S, { now, onError: (x) => seen.push(x) }))).toBeObservable('s-(ra)-(e|)', {
      s: st('STARTED'), r: st('RUNNING'), a, e,
    });
    m.flush();
    expect(seen).toEqual([err]);
  }));

  it('on an error before any batch, still emits RUNNING before the TRACE ERROR and INCOMPLETE', marbles((m) => {
    const err = new NetworkError('socket hang up', 'ECONNRESET');
    m.expect(m.cold('-#', undefined, err).pipe(withStreamStatus(S, { now }))).toBeObservable('s(re|)', {
      s: st('STARTED'),
      r: st('RUNNING'),
      e: [errorTrace('socket hang up', 'transient_error', { stream: S, now: T }), streamStatusTrace(S, 'INCOMPLETE', T)],
    });
  }));

  it('uses describe() for the message, failure type and internal message', marbles((m) => {
    const describe = () => ({ message: 'Check credentials.api_token', failureType: 'config_error' as const, internalMessage: 'HttpError 401' });
    m.expect(m.cold('#', undefined, new Error('x')).pipe(withStreamStatus(S, { now, describe }))).toBeObservable('(sre|)', {
      s: st('STARTED'),
      r: st('RUNNING'),
      e: [errorTrace('Check credentials.api_token', 'config_error', { stream: S, now: T, internalMessage: 'HttpError 401' }), streamStatusTrace(S, 'INCOMPLETE', T)],
    });
  }));

  it('maps unknown errors to system_error', marbles((m) => {
    m.expect(m.cold('#', undefined, 'weird').pipe(withStreamStatus(S, { now }))).toBeObservable('(sre|)', {
      s: st('STARTED'),
      r: st('RUNNING'),
      e: [errorTrace('weird', 'system_error', { stream: S, now: T }), streamStatusTrace(S, 'INCOMPLETE', T)],
    });
  }));

  it('lets other streams go on after one fails', marbles((m) => {
    const err = new Error('boom');
    const failing = m.cold('-#', undefined, err).pipe(withStreamStatus('x', { now }));
    const fine = m.cold('--a|', { a }).pipe(withStreamStatus('y', { now }));
    const out: AirbyteMessage[] = [];
    let completed = false;
    failing.subscribe({ next: (bt) => out.push(...bt), complete: () => (completed = true) });
    fine.subscribe((bt) => out.push(...bt));
    m.flush();
    expect(completed).toBe(true);
    for (const msg of out) assertValidMessage(msg);
    const statuses = (name: string) => out.flatMap((x) =>
      x.type === 'TRACE' && x.trace.type === 'STREAM_STATUS' && x.trace.stream_status.stream_descriptor.name === name ? [x.trace.stream_status.status] : []);
    expect(statuses('x')).toEqual(['STARTED', 'RUNNING', 'INCOMPLETE']);
    expect(statuses('y')).toEqual(['STARTED', 'RUNNING', 'COMPLETE']);
  }));

  it('does not subscribe the source before STARTED is out, and unsubscribes it when cut short', marbles((m) => {
    const batches = m.cold('--a--b--|', { a, b });
    m.expect(batches.pipe(withStreamStatus(S, { now })), '^---!').toBeObservable('s-(ra)', { s: st('STARTED'), r: st('RUNNING'), a });
    m.expect(batches).toHaveSubscriptions('^---!');
  }));
});
