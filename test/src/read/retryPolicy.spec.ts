import { describe, it, expect } from 'vitest';
import { defer, mergeMap, of, throwError, timer } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { Observable } from 'rxjs';
import { marbles } from '../../helpers/marbles.js';
import { retryWithBackoff } from '../../../operators/index.js';
import { pipedriveBackoff, type BackoffOptions } from '../../../src/read/retryPolicy.js';
import type { SchedulerLike } from 'rxjs';

/** Pipedrive's retry: the generic operator with Pipedrive's policy (these cases are timed with a 1 s base delay). */
const retryRateLimited = <T>(o: BackoffOptions & { scheduler?: SchedulerLike; maxRetries?: number; onRetry?: (e: unknown, a: number, d: number) => void } = {}) =>
  retryWithBackoff<T>({ ...pipedriveBackoff({ baseDelayMs: 1000, ...o }), ...o });
import { ConfigError, HttpError, NetworkError, RateLimitError } from '../../../src/errors.js';

const details = (status: number) => ({ status, method: 'GET', path: '/api/v2/deals' });
const http = (status: number) => new HttpError(details(status));
const r = { status: 200, headers: {}, data: { success: true } };

/** A request that answers with the next Observable on each (re)subscription. */
function attempts<T>(...answers: Observable<T>[]): Observable<T> {
  let i = 0;
  return defer(() => {
    const answer = answers[Math.min(i, answers.length - 1)] as Observable<T>;
    i += 1;
    return answer;
  });
}

describe('retryWithBackoff with pipedriveBackoff (Pipedrive requests)', () => {
  it('waits at least the reset of a 429 before retrying', marbles((m) => {
    const err = new RateLimitError(details(429), 3);
    const fail = m.cold('-#', undefined, err);
    const ok = m.cold('-(r|)', { r });
    const delays: number[] = [];
    const request = attempts(fail, ok).pipe(
      retryRateLimited({ scheduler: m.scheduler, random: () => 0.999, onRetry: (_e, _a, d) => delays.push(d) }),
    );
    // error at 1, reset 3 s + up to 250 ms jitter (0.999 → 250 ms): retry at 1 + 3250
    m.expect(request).toBeObservable('3252ms (r|)', { r });
    m.expect(fail).toHaveSubscriptions('^!');
    m.expect(ok).toHaveSubscriptions('3251ms ^!');
    m.flush();
    expect(delays).toEqual([3250]);
  }));

  it('a reset longer than maxDelayMs is capped', marbles((m) => {
    const fail = m.cold('-#', undefined, new RateLimitError(details(429), 200));
    const ok = m.cold('-(r|)', { r });
    const request = attempts(fail, ok).pipe(retryRateLimited({ scheduler: m.scheduler, random: () => 0, maxDelayMs: 5000 }));
    m.expect(request).toBeObservable('5002ms (r|)', { r });
  }));

  it('backs off exponentially on 5xx and caps the delay', marbles((m) => {
    const fail = m.cold('-#', undefined, http(503));
    const ok = m.cold('-(r|)', { r });
    const seen: [number, number][] = [];
    const request = attempts(fail, fail, fail, fail, ok).pipe(
      retryRateLimited({ scheduler: m.scheduler, random: () => 1, baseDelayMs: 1000, maxDelayMs: 20_000, onRetry: (_e, a, d) => seen.push([a, d]) }),
    );
    // delays: 3000, 9000, 20000 (27000 capped), 20000; each attempt fails 1 ms after it starts
    m.expect(request).toBeObservable('52005ms (r|)', { r });
    m.expect(fail).toHaveSubscriptions(['^!', '3001ms ^!', '12002ms ^!', '32003ms ^!']);
    m.expect(ok).toHaveSubscriptions('52004ms ^!');
    m.flush();
    expect(seen).toEqual([[1, 3000], [2, 9000], [3, 20_000], [4, 20_000]]);
  }));

  it('jitter comes from the injected random source (decorrelated: uniform in [base, 3 × previous])', marbles((m) => {
    const fail = m.cold('-#', undefined, http(500));
    const delays: number[] = [];
    const request = attempts(fail, fail, fail, m.cold('-(r|)', { r })).pipe(
      retryRateLimited({ scheduler: m.scheduler, random: () => 0.5, onRetry: (_e, _a, d) => delays.push(d) }),
    );
    m.expect(request).toBeObservable('11254ms (r|)', { r });
    m.flush();
    expect(delays).toEqual([2000, 3500, 5750]);
  }));

  it('random() = 0 still waits the base delay (never hammers the server)', marbles((m) => {
    const request = attempts(m.cold('-#', undefined, http(502)), m.cold('-(r|)', { r })).pipe(
      retryRateLimited({ scheduler: m.scheduler, random: () => 0, baseDelayMs: 1000 }),
    );
    m.expect(request).toBeObservable('1002ms (r|)', { r });
  }));

  it('retries a NetworkError', marbles((m) => {
    const fail = m.cold('-#', undefined, new NetworkError('socket hang up', 'ECONNRESET'));
    const request = attempts(fail, m.cold('-(r|)', { r })).pipe(retryRateLimited({ scheduler: m.scheduler, random: () => 0 }));
    m.expect(request).toBeObservable('1002ms (r|)', { r });
    m.expect(fail).toHaveSubscriptions('^!');
  }));

  it('retries a 429 without reset like a 5xx', marbles((m) => {
    const fail = m.cold('-#', undefined, new RateLimitError(details(429), undefined));
    const request = attempts(fail, m.cold('-(r|)', { r })).pipe(retryRateLimited({ scheduler: m.scheduler, random: () => 0 }));
    m.expect(request).toBeObservable('1002ms (r|)', { r });
  }));

  for (const status of [400, 401, 402, 403, 404, 410]) {
    it(`does not retry ${status}: the same error passes through at once`, marbles((m) => {
      const err = http(status);
      const fail = m.cold('-#', undefined, err);
      let retried = false;
      const request = fail.pipe(retryRateLimited({ scheduler: m.scheduler, onRetry: () => { retried = true; } }));
      m.expect(request).toBeObservable('-#', undefined, err);
      m.expect(fail).toHaveSubscriptions('^!');
      m.flush();
      expect(retried).toBe(false);
    }));
  }

  it('does not retry a ConfigError or a daily RateLimitError, and keeps the error object', marbles((m) => {
    const config = new ConfigError('Check credentials.api_token');
    const daily = new RateLimitError(details(429), 3600, true);
    const caught: unknown[] = [];
    const a = m.cold('-#', undefined, config);
    const b = m.cold('-#', undefined, daily);
    m.expect(a.pipe(retryRateLimited({ scheduler: m.scheduler }))).toBeObservable('-#', undefined, config);
    m.expect(b.pipe(retryRateLimited({ scheduler: m.scheduler }))).toBeObservable('-#', undefined, daily);
    m.expect(a).toHaveSubscriptions('^!');
    m.expect(b).toHaveSubscriptions(['^!', '^!']);
    b.pipe(retryRateLimited({ scheduler: m.scheduler })).subscribe({ error: (e: unknown) => caught.push(e) });
    m.flush();
    expect(caught[0]).toBe(daily);
  }));

  it('gives up after maxRetries with the last error', marbles((m) => {
    const e1 = http(500);
    const e2 = http(502);
    const e3 = new NetworkError('timeout of 30000ms exceeded', 'ETIMEDOUT');
    const f1 = m.cold('-#', undefined, e1);
    const f2 = m.cold('-#', undefined, e2);
    const f3 = m.cold('-#', undefined, e3);
    const never = m.cold('-(r|)', { r });
    const request = attempts(f1, f2, f3, never).pipe(retryRateLimited({ scheduler: m.scheduler, maxRetries: 2, random: () => 0 }));
    // attempts at 0, 1001, 2002; the third failure (2003) is final
    m.expect(request).toBeObservable('2003ms #', undefined, e3);
    m.expect(never).toHaveSubscriptions([]);
  }));

  it('defaults to 8 retries', marbles((m) => {
    const fail = m.cold('-#', undefined, http(500));
    let count = 0;
    const request = fail.pipe(retryRateLimited({ scheduler: m.scheduler, random: () => 0, onRetry: () => { count += 1; } }));
    m.expect(request).toBeObservable('8009ms #', undefined, http(500));
    m.flush();
    expect(count).toBe(8);
  }));

  it('passes values through without delay when nothing fails', marbles((m) => {
    const ok = m.cold('-(r|)', { r });
    m.expect(ok.pipe(retryRateLimited({ scheduler: m.scheduler }))).toBeObservable('-(r|)', { r });
  }));

  it('keeps its backoff per subscription (one operator, two requests)', marbles((m) => {
    const delays: number[] = [];
    const op = retryRateLimited<typeof r>({ scheduler: m.scheduler, random: () => 1, onRetry: (_e, _a, d) => delays.push(d) });
    const request = () => attempts(m.cold('-#', undefined, http(500)), m.cold('-(r|)', { r }));
    m.expect(request().pipe(op)).toBeObservable('3002ms (r|)', { r });
    m.expect(request().pipe(op)).toBeObservable('3002ms (r|)', { r });
    m.flush();
    expect(delays).toEqual([3000, 3000]);
  }));

  it('a black-holed API (every attempt times out after 20 s, the default) ends the request within 2 minutes, whatever the jitter', () => {
    for (const jitter of [0, 0.25, 0.5, 0.75, 0.999]) {
      const scheduler = new TestScheduler(() => undefined);
      scheduler.run(({ expectObservable }) => {
        let attempts = 0;
        const timedOut = defer(() => { attempts++; return timer(20_000, scheduler).pipe(mergeMap(() => throwError(() => new NetworkError('no answer within 20 s', 'ETIMEDOUT')))); });
        let endedAt = -1;
        timedOut.pipe(retryRateLimited({ scheduler, random: () => jitter })).subscribe({ error: () => { endedAt = scheduler.now(); } });
        expectObservable(of(0)).toBe('(a|)', { a: 0 });
        scheduler.flush();
        expect(endedAt, `jitter ${jitter}`).toBeGreaterThan(0);
        expect(endedAt, `jitter ${jitter}`).toBeLessThanOrEqual(120_000);
        expect(attempts, `jitter ${jitter}`).toBeGreaterThanOrEqual(3);
      });
    }
  });

  it('retries a network failure only while the next attempt starts within networkWindowMs of the first', marbles((m) => {
    const err = new NetworkError('reset', 'ECONNRESET');
    const fail = m.cold('-#', undefined, err);
    // delays with random 0: 1000 each; window 2500: attempts at 0, 1001, 2002; the third failure at 2003 + 1000 > 2500
    const request = fail.pipe(retryRateLimited({ scheduler: m.scheduler, random: () => 0, networkWindowMs: 2500 }));
    m.expect(request).toBeObservable('2003ms #', undefined, err);
    m.expect(fail).toHaveSubscriptions(['^!', '1001ms ^!', '2002ms ^!']);
  }));

  it('a 429 whose reset is too far off, or a spent daily budget, is not retried: the read ends', marbles((m) => {
    const far = new RateLimitError(details(429), 86_400, false, Date.UTC(2026, 11, 2, 9, 0, 0));
    expect(far.endsRead).toBe(true);
    expect(far.retryable).toBe(false);
    expect(far.message).toBe("Pipedrive's rate limit on GET /api/v2/deals resets at 2026-12-02T09:00:00Z (in about 24 hours), too far off to wait for. Run the sync again after the reset: it resumes from the last state");
    expect(new RateLimitError(details(429), 300).endsRead).toBe(false);
    expect(new RateLimitError(details(429), 3600, true, Date.UTC(2026, 11, 2, 0, 0, 0)).message).toBe('The Pipedrive daily API token budget is spent; it resets at 2026-12-02T00:00:00Z (in about 60 minutes). Run the sync again after the reset: it resumes from the last state');
    const fail = m.cold('-#', undefined, far);
    m.expect(fail.pipe(retryRateLimited({ scheduler: m.scheduler }))).toBeObservable('-#', undefined, far);
  }));

  it('by default the first retry of a 5xx, a reset or a truncated body comes after 0.5 to 1.5 s (jitter), and a 429 still waits for its reset', () => {
    const { delayOf } = pipedriveBackoff({ random: () => 0 });
    for (const err of [http(503), new NetworkError('reset', 'ECONNRESET'), new NetworkError('truncated', 'EBADBODY')]) {
      expect(delayOf(err, 1, undefined, 0)).toBe(500);
    }
    const { delayOf: high } = pipedriveBackoff({ random: () => 0.999 });
    expect(high(http(503), 1, undefined, 0)).toBe(1499);
    expect(high(new RateLimitError(details(429), 30), 1, undefined, 0)).toBe(30_125);
    // Later retries of the same request back off further: up to 3 × the previous delay.
    expect(high(http(503), 2, 1499, 2000)).toBe(Math.round(500 + 0.999 * (3 * 1499 - 500)));
  });
});

