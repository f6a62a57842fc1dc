import { describe, it, expect } from 'vitest';
import { defer } from 'rxjs';
import { marbles } from '../helpers/marbles.js';
import { RepeatedRequestError, paginate } from '../../operators/index.js';

describe('paginate (generic)', () => {
  it('follows next() over several pages, one request at a time, subscribing each when the page before arrives', marbles((m) => {
    const p1 = m.cold('--(a|)', { a: 1 });
    const p2 = m.cold('--(b|)', { b: 2 });
    const p3 = m.cold('--(c|)', { c: 3 });
    const pages: Record<number, typeof p1> = { 1: p1, 2: p2, 3: p3 };
    const fetch = (n: number) => pages[n] ?? m.cold('#');
    const requests = m.cold('(q|)', { q: 1 });
    m.expect(requests.pipe(paginate(fetch, (page) => (page < 3 ? page + 1 : null), m.scheduler))).toBeObservable('--a-b-(c|)', { a: 1, b: 2, c: 3 });
    m.expect(requests).toHaveSubscriptions('(^!)');
    m.expect(p1).toHaveSubscriptions('^-!');
    m.expect(p2).toHaveSubscriptions('--^-!');
    m.expect(p3).toHaveSubscriptions('----^-!');
  }));

  it('errors with RepeatedRequestError, after the pages before it, when a next request repeats one already made (A → B → A)', marbles((m) => {
    const calls: string[] = [];
    const next: Record<string, string> = { A: 'B', B: 'A' };
    const fetch = (q: string) => defer(() => { calls.push(q); return m.cold('-(p|)', { p: q }); });
    m.expect(m.cold('(q|)', { q: 'A' }).pipe(paginate(fetch, (page) => next[page] ?? null))).toBeObservable('-a(b#)', { a: 'A', b: 'B' }, new RepeatedRequestError('A', 2));
    m.flush();
    expect(calls).toEqual(['A', 'B']);
  }));

  it('unsubscribing cancels the request in flight and asks for no more', marbles((m) => {
    const p1 = m.cold('-(a|)', { a: 1 });
    const p2 = m.cold('----(b|)', { b: 2 });
    const fetch = (n: number) => (n === 1 ? p1 : p2);
    m.expect(m.cold('(q|)', { q: 1 }).pipe(paginate(fetch, (page) => page + 1)), '^--!').toBeObservable('-a-', { a: 1 });
    m.expect(p2).toHaveSubscriptions('-^-!');
  }));

  it('never requests after the last page', marbles((m) => {
    const calls: number[] = [];
    const fetch = (n: number) => defer(() => { calls.push(n); return m.cold('-(p|)', { p: n }); });
    m.expect(m.cold('(q|)', { q: 1 }).pipe(paginate(fetch, (page) => (page < 3 ? page + 1 : null)))).toBeObservable('-ab(c|)', { a: 1, b: 2, c: 3 });
    m.flush();
    expect(calls).toEqual([1, 2, 3]);
  }));

  it('an empty first-request stream emits nothing', marbles((m) => {
    const fetch = (n: number) => m.cold('-(p|)', { p: n });
    m.expect(m.cold('|').pipe(paginate(fetch, () => null))).toBeObservable('|');
  }));
});
