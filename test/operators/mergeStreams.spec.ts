import { describe, it } from 'vitest';
import { marbles } from '../helpers/marbles.js';
import { mergeStreams } from '../../operators/index.js';

describe('mergeStreams', () => {
  it('subscribes at most `concurrency` streams at once, in catalog order', marbles((m) => {
    const a = m.cold('--1|');
    const b = m.cold('-----2|');
    const c = m.cold('-3|');
    const d = m.cold('--4|');
    const streams = m.cold('(abcd|)', { a, b, c, d });
    m.expect(streams.pipe(mergeStreams<string>(2))).toBeObservable('--1-32-4|');
    m.expect(a).toHaveSubscriptions('^--!');
    m.expect(b).toHaveSubscriptions('^-----!');
    m.expect(c).toHaveSubscriptions('---^-!');
    m.expect(d).toHaveSubscriptions('-----^--!');
  }));

  it('with concurrency 1 reads the streams one after the other', marbles((m) => {
    const a = m.cold('-1|');
    const b = m.cold('-2|');
    const c = m.cold('-3|');
    m.expect(m.cold('(abc|)', { a, b, c }).pipe(mergeStreams<string>(1))).toBeObservable('-1-2-3|');
    m.expect(a).toHaveSubscriptions('^-!');
    m.expect(b).toHaveSubscriptions('--^-!');
    m.expect(c).toHaveSubscriptions('----^-!');
  }));

  it('a concurrency below 1 still reads one stream at a time', marbles((m) => {
    const a = m.cold('-1|');
    const b = m.cold('-2|');
    m.expect(m.cold('(ab|)', { a, b }).pipe(mergeStreams<string>(0))).toBeObservable('-1-2|');
    m.expect(b).toHaveSubscriptions('--^-!');
  }));

  it('subscribes streams as they arrive when below the bound, and waits for the last', marbles((m) => {
    const a = m.cold('----1|');
    const b = m.cold('-2|');
    const streams = m.hot('^a-b|', { a, b });
    m.expect(streams.pipe(mergeStreams<string>(3))).toBeObservable('----21|');
    m.expect(a).toHaveSubscriptions('-^----!');
    m.expect(b).toHaveSubscriptions('---^-!');
  }));

  it('unsubscribes every running stream when the merged output is cut short', marbles((m) => {
    const a = m.cold('-----1|');
    const b = m.cold('------2|');
    const c = m.cold('-3|');
    m.expect(m.cold('(abc|)', { a, b, c }).pipe(mergeStreams<string>(2)), '^--!').toBeObservable('----');
    m.expect(a).toHaveSubscriptions('^--!');
    m.expect(b).toHaveSubscriptions('^--!');
    m.expect(c).toHaveSubscriptions([]);
  }));
});
