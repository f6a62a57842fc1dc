/** Bounded, ordered merge of the selected streams. */
import { mergeAll, pipe } from 'rxjs';
import type { Observable, OperatorFunction } from 'rxjs';

/**
 * Bounded merge of the selected streams' Observables into one: at most `concurrency` subscribed at
 * once (at least 1), in catalog order; the next stream starts as soon as one completes.
 *
 * ```text
 * concurrency = 2
 * streams:  (abc|)             a = --1|, b = ----2|, c = -3|
 * a:        ^--!
 * b:        ^---!
 * c:        ---^!
 * result:   --1-(23|)
 * ```
 */
export function mergeStreams<T>(concurrency: number): OperatorFunction<Observable<T>, T> {
  const bound = Number.isNaN(concurrency) ? 1 : Math.max(1, Math.floor(concurrency));
  return pipe(mergeAll<Observable<T>>(bound));
}
