import { describe, expect, it } from 'vitest';
import { concatMap, from, lastValueFrom, of, timer, toArray, map, mergeMap } from 'rxjs';
import fc from 'fast-check';
import { marbles } from '../helpers/marbles.js';
import { concatMapEager } from '../../operators/index.js';

describe('concatMapEager', () => {
  it('subscribes up to `concurrency` inners at once and emits in source order', marbles((m) => {
    const a = m.cold('--1--2|');
    const b = m.cold('-3|');
    const c = m.cold('--4|');
    const inners: Record<string, typeof a> = { a, b, c };
    const source = m.cold('(abc|)');
    m.expect(source.pipe(concatMapEager((k: string) => inners[k] as typeof a, 2))).toBeObservable('--1--2(34|)');
    m.expect(a).toHaveSubscriptions('^-----!');
    m.expect(b).toHaveSubscriptions('^-!');
    m.expect(c).toHaveSubscriptions('--^--!');
    m.expect(source).toHaveSubscriptions('(^!)');
  }));

  it('with concurrency 1 is concatMap', marbles((m) => {
    const a = m.cold('-1|');
    const b = m.cold('-2|');
    m.expect(m.cold('(ab|)').pipe(concatMapEager((k: string) => (k === 'a' ? a : b), 1))).toBeObservable('-1-2|');
    m.expect(b).toHaveSubscriptions('--^-!');
  }));

  it('an error of an inner ahead errors the result at once and unsubscribes the others', marbles((m) => {
    const a = m.cold('----1|');
    const b = m.cold('-#');
    m.expect(m.cold('(ab|)').pipe(concatMapEager((k: string) => (k === 'a' ? a : b), 2))).toBeObservable('-#');
    m.expect(a).toHaveSubscriptions('^!');
  }));

  it('waits for values of the source that arrive later, and completes after the last inner', marbles((m) => {
    const a = m.cold('-1|');
    const b = m.cold('---2|');
    m.expect(m.cold('a---b|').pipe(concatMapEager((k: string) => (k === 'a' ? a : b), 3))).toBeObservable('-1-----2|');
  }));

  it('unsubscribing unsubscribes every inner in flight', marbles((m) => {
    const a = m.cold('-----1|');
    const b = m.cold('-----2|');
    m.expect(m.cold('(ab|)').pipe(concatMapEager((k: string) => (k === 'a' ? a : b), 2)), '^--!').toBeObservable('---');
    m.expect(a).toHaveSubscriptions('^--!');
    m.expect(b).toHaveSubscriptions('^--!');
  }));

  it('emits exactly what concatMap emits, for any completion order and concurrency', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 4 }), { maxLength: 12 }),
      fc.integer({ min: 1, max: 6 }),
      async (delays, concurrency) => {
        // Inner i emits its values after the given delays (ms): completion order is arbitrary.
        const inner = (d: number[], i: number) => from(d).pipe(concatMap((ms, j) => timer(ms).pipe(map(() => `${i}.${j}`))));
        const sequential = await lastValueFrom(from(delays).pipe(concatMap(inner), toArray()));
        const eager = await lastValueFrom(from(delays).pipe(concatMapEager(inner, concurrency), toArray()));
        expect(eager).toEqual(sequential);
      },
    ), { numRuns: 60 });
  });

  it('never has more than `concurrency` inners subscribed', async () => {
    let live = 0;
    let peak = 0;
    const inner = (i: number) => of(i).pipe(mergeMap((x) => { live++; peak = Math.max(peak, live); return timer(1 + (x % 3)).pipe(map(() => { live--; return x; })); }));
    const out = await lastValueFrom(from([...Array(20).keys()]).pipe(concatMapEager(inner, 4), toArray()));
    expect(out).toEqual([...Array(20).keys()]);
    expect(peak).toBe(4);
  });
});
