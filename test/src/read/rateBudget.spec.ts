import { describe, it, expect } from 'vitest';
import { concatMap, defer, merge, range, switchMap, timer } from 'rxjs';
import type { Observable } from 'rxjs';
import { marbles } from '../../helpers/marbles.js';
import { createRateBudget } from '../../../src/read/rateBudget.js';
import { retryWithBackoff } from '../../../operators/index.js';
import { pipedriveBackoff, type BackoffOptions } from '../../../src/read/retryPolicy.js';
import type { SchedulerLike } from 'rxjs';

/** Pipedrive's retry: the generic operator with Pipedrive's policy (these cases are timed with a 1 s base delay). */
const retryRateLimited = <T>(o: BackoffOptions & { scheduler?: SchedulerLike; maxRetries?: number; onRetry?: (e: unknown, a: number, d: number) => void } = {}) =>
  retryWithBackoff<T>({ ...pipedriveBackoff({ baseDelayMs: 1000, ...o }), ...o });
import type { HttpResponse } from '../../../src/http/port.js';
import { RateLimitError } from '../../../src/errors.js';

const ok = (headers: Record<string, string> = {}): HttpResponse => ({ status: 200, headers, data: {} });
const r = ok();
const tooMany = (reset: number | undefined, daily = false) =>
  new RateLimitError({ status: 429, method: 'GET', path: '/api/v2/deals' }, reset, daily);

/** Counts how many of `times` fall in each window [t, t + windowMs) that starts at one of them. */
const maxInAnyWindow = (times: number[], windowMs: number) =>
  Math.max(0, ...times.map((t) => times.filter((u) => u >= t && u < t + windowMs).length));

describe('createRateBudget', () => {
  it('adds no delay at all below the limit', marbles((m) => {
    const budget = createRateBudget({ scheduler: m.scheduler });
    const req = m.cold('-(r|)', { r });
    m.expect(req.pipe(budget.throttle())).toBeObservable('-(r|)', { r });
    m.expect(merge(req.pipe(budget.throttle()), req.pipe(budget.throttle()), req.pipe(budget.throttle())))
      .toBeObservable('-(rrr|)', { r });
    m.expect(req).toHaveSubscriptions(['^!', '^!', '^!', '^!']);
    expect(budget.limit).toBe(20);
  }));

  it('paces two callers to 20 requests per rolling 2 s, sharing the budget fairly', marbles((m) => {
    const budget = createRateBudget({ scheduler: m.scheduler });
    const starts: Record<'A' | 'B', number[]> = { A: [], B: [] };
    const request = (who: 'A' | 'B'): Observable<HttpResponse> =>
      defer(() => { starts[who].push(m.scheduler.now()); return m.cold('----------(r|)', { r }); }).pipe(budget.throttle());
    // Each caller sends 30 requests one after the other; a response takes 10 ms, and a slot frees 2 s after the
    // answer (the first of each burst was answered at +10 ms).
    const caller = (who: 'A' | 'B') => range(0, 30).pipe(concatMap(() => request(who)));
    merge(caller('A'), caller('B')).subscribe();
    m.flush();
    const burst = (t0: number) => Array.from({ length: 10 }, (_, i) => t0 + i * 10);
    expect(starts.A).toEqual([...burst(0), ...burst(2010), ...burst(4020)]);
    expect(starts.B).toEqual([...burst(0), ...burst(2010), ...burst(4020)]);
    expect(maxInAnyWindow([...starts.A, ...starts.B].sort((x, y) => x - y), 2000)).toBe(20);
  }));

  it('matches the TSDoc diagram: limit 2, window 5', marbles((m) => {
    const budget = createRateBudget({ scheduler: m.scheduler, limit: 2, windowMs: 5 });
    const req = m.cold('(r|)', { r });
    const a = () => req.pipe(budget.throttle());
    m.expect(a()).toBeObservable('(r|)', { r });
    m.expect(a()).toBeObservable('(r|)', { r });
    m.expect(a()).toBeObservable('-----(r|)', { r });
    m.expect(timer(2, m.scheduler).pipe(switchMap(() => a()))).toBeObservable('-----(r|)', { r });
    m.expect(req).toHaveSubscriptions(['(^!)', '(^!)', '-----(^!)', '-----(^!)']);
  }));

  it('queues requests FIFO across all callers', marbles((m) => {
    const budget = createRateBudget({ scheduler: m.scheduler, limit: 1, windowMs: 10 });
    const order: string[] = [];
    const request = (name: string) => defer(() => { order.push(`${name}@${m.scheduler.now()}`); return m.cold('(r|)', { r }); }).pipe(budget.throttle());
    merge(request('a1'), timer(1, m.scheduler).pipe(switchMap(() => request('b1'))), request('a2'), timer(2, m.scheduler).pipe(switchMap(() => request('a3')))).subscribe();
    m.flush();
    expect(order).toEqual(['a1@0', 'a2@10', 'b1@20', 'a3@30']);
  }));

  it('a caller that keeps sending cannot starve another one', marbles((m) => {
    const budget = createRateBudget({ scheduler: m.scheduler, limit: 2, windowMs: 100 });
    const starts: string[] = [];
    const request = (who: string) => defer(() => { starts.push(who); return m.cold('(r|)', { r }); }).pipe(budget.throttle());
    // A greedy caller with 20 concurrent requests, then a polite one arriving a bit later.
    merge(...Array.from({ length: 20 }, () => request('greedy')), timer(50, m.scheduler).pipe(switchMap(() => request('polite')))).subscribe();
    m.flush();
    expect(starts.indexOf('polite')).toBe(20); // after the 20 queued before it, not after an endless stream
  }));

  it('adopts a larger x-ratelimit-limit from the first responses', marbles((m) => {
    const budget = createRateBudget({ scheduler: m.scheduler });
    const starts: number[] = [];
    const big = ok({ 'x-ratelimit-limit': '40', 'x-ratelimit-remaining': '30', 'x-ratelimit-reset': '2' });
    const request = () => defer(() => { starts.push(m.scheduler.now()); return m.cold('-(r|)', { r: big }); }).pipe(budget.throttle());
    merge(...Array.from({ length: 50 }, () => request())).subscribe();
    m.flush();
    const at = (t: number) => starts.filter((s) => s === t).length;
    // 20 at 0 (the initial limit), 20 more when their answers announce 40 at 1, the rest when the first 20 slots
    // free, 2 s after those answers.
    expect([at(0), at(1), at(2000), at(2001), at(2002)]).toEqual([20, 20, 0, 10, 0]);
    expect(budget.limit).toBe(40);
  }));

  it('adopts a smaller x-ratelimit-limit too', marbles((m) => {
    const budget = createRateBudget({ scheduler: m.scheduler, windowMs: 1000 });
    const starts: number[] = [];
    const small = ok({ 'x-ratelimit-limit': '2' });
    const request = () => defer(() => { starts.push(m.scheduler.now()); return m.cold('(r|)', { r: small }); }).pipe(budget.throttle());
    range(0, 6).pipe(concatMap(() => request())).subscribe();
    m.flush();
    expect(starts).toEqual([0, 0, 1000, 1000, 2000, 2000]);
    expect(budget.limit).toBe(2);
  }));

  it('holds a slot from the start until windowMs after the answer (as in the TSDoc diagram)', marbles((m) => {
    const budget = createRateBudget({ scheduler: m.scheduler, limit: 1, windowMs: 5 });
    const slow = m.cold('---(r|)', { r });
    m.expect(slow.pipe(budget.throttle())).toBeObservable('---(r|)', { r });
    m.expect(slow.pipe(budget.throttle())).toBeObservable('-----------(r|)', { r });
    m.expect(slow).toHaveSubscriptions(['^--!', '--------^--!']);
  }));

  it('an error answer and a cancelled request in flight free their slot windowMs later too', marbles((m) => {
    const budget = createRateBudget({ scheduler: m.scheduler, limit: 1, windowMs: 10 });
    const failing = m.cold('--#', undefined, new Error('boom'));
    const hanging = m.cold('-');
    const next = m.cold('(r|)', { r });
    m.expect(failing.pipe(budget.throttle())).toBeObservable('--#', undefined, new Error('boom'));
    m.expect(timer(1, m.scheduler).pipe(switchMap(() => hanging.pipe(budget.throttle()))), '^ 19ms !').toBeObservable('');
    m.expect(timer(3, m.scheduler).pipe(switchMap(() => next.pipe(budget.throttle())))).toBeObservable('30ms (r|)', { r });
    // failing answers at 2 (slot free at 12); hanging starts at 12 and is cancelled at 20 (free at 30).
    m.expect(hanging).toHaveSubscriptions('12ms ^ 7ms !');
    m.expect(next).toHaveSubscriptions('30ms (^!)');
  }));

  it('x-ratelimit-remaining 0 with its own window full: the next request starts when its own slot frees, not at the reset', marbles((m) => {
    const budget = createRateBudget({ scheduler: m.scheduler, limit: 2, windowMs: 1000 });
    const starts: number[] = [];
    const headers = (remaining: number) => ok({ 'x-ratelimit-limit': '2', 'x-ratelimit-remaining': String(remaining), 'x-ratelimit-reset': '2' });
    const responses = [headers(1), headers(0), headers(1)];
    const request = () => defer(() => {
      starts.push(m.scheduler.now());
      return m.cold('----------(r|)', { r: responses[starts.length - 1] ?? r });
    }).pipe(budget.throttle());
    merge(request(), request(), request()).subscribe();
    m.flush();
    // The server's reset (2 s, rounded up to whole seconds) would start the third request at 2010; the slot of the
    // first request, answered at 10, frees at 1010.
    expect(starts).toEqual([0, 0, 1010]);
  }));

  it('x-ratelimit-remaining 0 compares with the slots held when the request started, not when its answer came', marbles((m) => {
    const budget = createRateBudget({ scheduler: m.scheduler, limit: 2, windowMs: 10 });
    const full = ok({ 'x-ratelimit-limit': '2', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '5' });
    // a1 answers at once (its slot frees at 10); a2 starts at 0 too and answers at 12 that the window is full:
    // the server counted a1 and a2, both ours, so a3 at 12 only waits for our own window (a1's slot is free).
    m.expect(m.cold('(r|)', { r }).pipe(budget.throttle())).toBeObservable('(r|)', { r });
    m.expect(m.cold('------------(r|)', { r: full }).pipe(budget.throttle())).toBeObservable('------------(r|)', { r: full });
    const a3 = m.cold('(r|)', { r });
    m.expect(timer(12, m.scheduler).pipe(switchMap(() => a3.pipe(budget.throttle())))).toBeObservable('------------(r|)', { r });
  }));

  it('x-ratelimit-remaining 0 with slots of ours free: no request starts before x-ratelimit-reset (someone else shares the limit)', marbles((m) => {
    const budget = createRateBudget({ scheduler: m.scheduler });
    const last = ok({ 'x-ratelimit-limit': '20', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '3' });
    const first = m.cold('-(r|)', { r: last });
    const second = m.cold('-(r|)', { r });
    m.expect(first.pipe(budget.throttle())).toBeObservable('-(r|)', { r: last });
    m.expect(timer(2, m.scheduler).pipe(switchMap(() => second.pipe(budget.throttle())))).toBeObservable('3002ms (r|)', { r });
    m.expect(second).toHaveSubscriptions('3001ms ^!');
  }));

  it('a 429 with reset blocks every caller until the reset; a daily 429 does not', marbles((m) => {
    const budget = createRateBudget({ scheduler: m.scheduler });
    const err = tooMany(5);
    const failing = m.cold('-#', undefined, err);
    const other = m.cold('-(r|)', { r });
    m.expect(failing.pipe(budget.throttle())).toBeObservable('-#', undefined, err);
    m.expect(timer(2, m.scheduler).pipe(switchMap(() => other.pipe(budget.throttle())))).toBeObservable('5002ms (r|)', { r });
    m.expect(other).toHaveSubscriptions('5001ms ^!');

    const budget2 = createRateBudget({ scheduler: m.scheduler });
    const daily = tooMany(3600, true);
    const third = m.cold('-(r|)', { r });
    m.expect(m.cold('-#', undefined, daily).pipe(budget2.throttle())).toBeObservable('-#', undefined, daily);
    m.expect(timer(2, m.scheduler).pipe(switchMap(() => third.pipe(budget2.throttle())))).toBeObservable('---(r|)', { r });
  }));

  it('caps a block at maxWaitMs', marbles((m) => {
    const budget = createRateBudget({ scheduler: m.scheduler, maxWaitMs: 10_000 });
    const other = m.cold('(r|)', { r });
    // 200 s: longer than the cap, not so long that the read ends instead (LONG_RESET_SECONDS).
    m.expect(m.cold('-#', undefined, tooMany(200)).pipe(budget.throttle())).toBeObservable('-#', undefined, tooMany(200));
    m.expect(timer(2, m.scheduler).pipe(switchMap(() => other.pipe(budget.throttle())))).toBeObservable('10001ms (r|)', { r });
  }));

  it('with retryRateLimited: the retry waits for the reset and takes a new slot', marbles((m) => {
    const budget = createRateBudget({ scheduler: m.scheduler, limit: 2, windowMs: 10_000 });
    let attempt = 0;
    const fail = m.cold('-#', undefined, tooMany(2));
    const answer = m.cold('-(r|)', { r });
    const port = defer(() => (attempt++ === 0 ? fail : answer));
    const req = port.pipe(budget.throttle(), retryRateLimited({ scheduler: m.scheduler, random: () => 0 }));
    const other = m.cold('-(r|)', { r });
    // first attempt at 0 fails at 1 (reset 2 s); the retry at 2001 needs a slot: the window (limit 2)
    // holds the first attempt (answered at 1) and the other caller (2001), so it waits for the first slot to free
    // at 1 + 10000.
    m.expect(req).toBeObservable('10002ms (r|)', { r });
    m.expect(timer(10, m.scheduler).pipe(switchMap(() => other.pipe(budget.throttle())))).toBeObservable('2002ms (r|)', { r });
    m.expect(fail).toHaveSubscriptions('^!');
    m.expect(other).toHaveSubscriptions('2001ms ^!');
    m.expect(answer).toHaveSubscriptions('10001ms ^!');
  }));

  it('a request cancelled while waiting takes no slot and leaves the queue', marbles((m) => {
    const budget = createRateBudget({ scheduler: m.scheduler, limit: 1, windowMs: 1000 });
    const first = m.cold('(r|)', { r });
    const cancelled = m.cold('(r|)', { r });
    const later = m.cold('(r|)', { r });
    m.expect(first.pipe(budget.throttle())).toBeObservable('(r|)', { r });
    m.expect(cancelled.pipe(budget.throttle()), '^ 499ms !').toBeObservable('');
    m.expect(timer(600, m.scheduler).pipe(switchMap(() => later.pipe(budget.throttle())))).toBeObservable('1000ms (r|)', { r });
    m.expect(cancelled).toHaveSubscriptions([]);
    m.expect(later).toHaveSubscriptions('1000ms (^!)');
  }));

  it('reports waits through onWait', marbles((m) => {
    const waits: number[] = [];
    const budget = createRateBudget({ scheduler: m.scheduler, limit: 1, windowMs: 2000, onWait: (ms) => waits.push(ms) });
    merge(m.cold('(r|)', { r }).pipe(budget.throttle()), timer(500, m.scheduler).pipe(switchMap(() => m.cold('(r|)', { r }).pipe(budget.throttle())))).subscribe();
    m.flush();
    expect(waits).toEqual([1500]);
  }));
});
