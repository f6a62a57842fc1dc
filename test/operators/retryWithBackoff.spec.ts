import { describe, it, expect } from 'vitest';
import { defer } from 'rxjs';
import type { Observable } from 'rxjs';
import { marbles } from '../helpers/marbles.js';
import { retryWithBackoff } from '../../operators/index.js';

/** A source that answers with the next Observable on each (re)subscription. */
function attempts<T>(...answers: Observable<T>[]): Observable<T> {
  let i = 0;
  return defer(() => answers[Math.min(i++, answers.length - 1)] as Observable<T>);
}

describe('retryWithBackoff', () => {
  it('resubscribes after the delay delayOf gives, and passes the answer on', marbles((m) => {
    const fail = m.cold('-#', undefined, new Error('503'));
    const ok = m.cold('-(r|)', { r: 'r' });
    const source = attempts(fail, ok);
    m.expect(source.pipe(retryWithBackoff({ shouldRetry: () => true, delayOf: () => 3, scheduler: m.scheduler }))).toBeObservable('-----(r|)', { r: 'r' });
    m.expect(fail).toHaveSubscriptions('^!');
    m.expect(ok).toHaveSubscriptions('----^!');
  }));

  it('an error shouldRetry rejects passes through at once, without a retry', marbles((m) => {
    const err = new Error('404');
    const fail = m.cold('-#', undefined, err);
    let retries = 0;
    const op = retryWithBackoff<string>({ shouldRetry: () => false, delayOf: () => 1, scheduler: m.scheduler, onRetry: () => { retries++; } });
    m.expect(fail.pipe(op)).toBeObservable('-#', undefined, err);
    m.expect(fail).toHaveSubscriptions('^!');
    m.flush();
    expect(retries).toBe(0);
  }));

  it('gives delayOf the attempt and the previous delay of this subscription, and stops after maxRetries', marbles((m) => {
    const err = new Error('reset');
    const fail = m.cold('-#', undefined, err);
    const seen: [number, number | undefined][] = [];
    const op = retryWithBackoff<string>({
      shouldRetry: () => true,
      delayOf: (_e, attempt, previous) => { seen.push([attempt, previous]); return 2 * attempt; },
      maxRetries: 2,
      scheduler: m.scheduler,
    });
    // attempts at 0, 1+2 = 3, 4+4 = 8; the third failure (frame 9) passes through
    m.expect(fail.pipe(op)).toBeObservable('---------#', undefined, err);
    m.expect(fail).toHaveSubscriptions(['^!', '---^!', '--------^!']);
    m.flush();
    expect(seen).toEqual([[1, undefined], [2, 2]]);
  }));

  it('each subscription backs off on its own (backoff grows per request)', marbles((m) => {
    const previous: (number | undefined)[] = [];
    const op = retryWithBackoff<string>({
      shouldRetry: () => true,
      delayOf: (_e, _a, p) => { previous.push(p); return 1; },
      maxRetries: 1,
      scheduler: m.scheduler,
    });
    const a = attempts(m.cold('#', undefined, new Error('x')), m.cold('(a|)', { a: 'a' })).pipe(op);
    const b = attempts(m.cold('#', undefined, new Error('y')), m.cold('(b|)', { b: 'b' })).pipe(op);
    m.expect(a).toBeObservable('-(a|)', { a: 'a' });
    m.expect(b).toBeObservable('-(b|)', { b: 'b' });
    m.flush();
    expect(previous).toEqual([undefined, undefined]);
  }));
});
