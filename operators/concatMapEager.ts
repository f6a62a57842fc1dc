/** `concatMap` that subscribes ahead: bounded concurrency, results in source order. */
import { Observable, type ObservableInput, type OperatorFunction, from } from 'rxjs';

/**
 * Projects each source value to an Observable and subscribes up to `concurrency` of them at once (like
 * `mergeMap(project, concurrency)`), but emits their values in source order (like `concatMap`): the values of an
 * inner Observable that is ahead are buffered until every inner before it has completed. So downstream sees exactly
 * what `concatMap` would show, sooner. At most `concurrency` inners are subscribed (and buffered) at any time. An
 * error of any inner, in order or ahead, errors the result at once and unsubscribes the rest.
 *
 * ```text
 * concurrency = 2; a = --1--2|   b = -3|   c = --4|
 * source:   (abc|)
 * a:        ^-----!
 * b:        ^-!                 ahead of a: 3 is held until a completes
 * c:        --^--!              subscribed when b completes (2 in flight); 4 is held too
 * result:   --1--2(34|)
 * ```
 */
export function concatMapEager<T, R>(project: (value: T, index: number) => ObservableInput<R>, concurrency: number): OperatorFunction<T, R> {
  const limit = Number.isNaN(concurrency) ? 1 : Math.max(1, Math.floor(concurrency));
  return (source) =>
    new Observable<R>((subscriber) => {
      interface Slot { readonly values: R[]; done: boolean; unsubscribe?: () => void }
      /** Inner Observables subscribed and not yet drained, in source order (the head emits live). */
      const slots: Slot[] = [];
      const waiting: T[] = [];
      let index = 0;
      let sourceDone = false;
      let active = 0;

      const finish = (): void => {
        if (sourceDone && slots.length === 0 && waiting.length === 0) subscriber.complete();
      };

      /** Emits what the head slots hold, dropping the completed ones, then starts waiting values. */
      const drain = (): void => {
        while (slots.length > 0) {
          const head = slots[0] as Slot;
          while (head.values.length > 0) subscriber.next(head.values.shift() as R);
          if (!head.done) break;
          slots.shift();
        }
        while (active < limit && waiting.length > 0) start(waiting.shift() as T);
        finish();
      };

      const start = (value: T): void => {
        const slot: Slot = { values: [], done: false };
        slots.push(slot);
        active++;
        let inner: Observable<R>;
        try {
          inner = from(project(value, index++));
        } catch (err) {
          subscriber.error(err);
          return;
        }
        const sub = inner.subscribe({
          next: (v) => {
            if (slots[0] === slot) subscriber.next(v);
            else slot.values.push(v);
          },
          error: (err: unknown) => subscriber.error(err),
          complete: () => {
            slot.done = true;
            active--;
            drain();
          },
        });
        slot.unsubscribe = () => sub.unsubscribe();
      };

      const outer = source.subscribe({
        next: (value) => {
          if (active < limit) start(value);
          else waiting.push(value);
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => {
          sourceDone = true;
          finish();
        },
      });

      return () => {
        outer.unsubscribe();
        for (const slot of slots) slot.unsubscribe?.();
        slots.length = 0;
        waiting.length = 0;
      };
    });
}
