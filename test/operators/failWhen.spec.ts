import { describe, it } from 'vitest';
import { ReplaySubject } from 'rxjs';
import { marbles } from '../helpers/marbles.js';
import { failWhen } from '../../operators/index.js';

describe('failWhen', () => {
  it('errors with the notifier value and unsubscribes the source', marbles((m) => {
    const source = m.cold('-a-b-c-|');
    const notifier = m.cold('----x', { x: new Error('stop') });
    m.expect(source.pipe(failWhen(notifier))).toBeObservable('-a-b#', undefined, new Error('stop'));
    m.expect(source).toHaveSubscriptions('^---!');
    m.expect(notifier).toHaveSubscriptions('^---!');
  }));

  it('completes with the source and unsubscribes the notifier', marbles((m) => {
    const source = m.cold('-a|');
    const notifier = m.cold('----x');
    m.expect(source.pipe(failWhen(notifier))).toBeObservable('-a|');
    m.expect(notifier).toHaveSubscriptions('^-!');
  }));

  it('a notifier that already spoke (a replayed stop) fails the source at once', marbles((m) => {
    const source = m.cold('-a|');
    const notifier = new ReplaySubject<string>(1);
    notifier.next('stopped');
    m.expect(source.pipe(failWhen(notifier))).toBeObservable('#', undefined, 'stopped');
    m.expect(source).toHaveSubscriptions([]);
  }));
});
