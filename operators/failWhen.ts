/** Ending a source with an error when a notifier speaks (a stop signal for a running read). */
import { map, take, takeUntil } from 'rxjs';
import type { MonoTypeOperatorFunction, Observable } from 'rxjs';

/**
 * Mirrors the source until `notifier` emits, then unsubscribes the source and errors with the value the notifier
 * emitted; completes when the source completes first (and unsubscribes the notifier). Unlike `takeUntil`, the
 * result does not complete quietly: whoever is downstream learns why it ended.
 *
 * ```text
 * source:    -a-b-c-|
 * notifier:  ----x
 * result:    -a-b#               error x
 * source:    ^---!
 *
 * source:    -a|
 * notifier:  ----x
 * result:    -a|
 * notifier:  ^-!
 * ```
 */
export function failWhen<T>(notifier: Observable<unknown>): MonoTypeOperatorFunction<T> {
  return takeUntil<T>(
    notifier.pipe(
      take(1),
      map((reason: unknown): never => {
        throw reason;
      }),
    ),
  );
}
