/** Bounded, ordered merge of the selected streams. */
import { mergeAll, pipe } from 'rxjs';
import type { Observable, OperatorFunction } from 'rxjs';

/**
 * Bounded merge of the selected streams' Observables into one: at most `concurrency` subscribed at
 * once (at least 1), in catalog order; the next stream starts as soon as one completes.
 *
 * ```text
 * concurrency = 2, catalog order a b c d:
 * streams:  (abcd|)            a = --1|  b = -----2|  c = -3|  d = --4|
 * a:        ^--!
 * b:        ^-----!
 * c:        ---^-!             starts when a completes
 * d:        -----^--!          starts when c completes
 * result:   --1-32-4|
 * ```
 */
export function mergeStreams<T>(concurrency: number): OperatorFunction<Observable<T>, T> {
  const bound = Number.isNaN(concurrency) ? 1 : Math.max(1, Math.floor(concurrency));
  return pipe(mergeAll<Observable<T>>(bound));
}
