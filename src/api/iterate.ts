/**
 * An Observable of message batches as an async iterator that the consumer's pace drives: the producer gets a
 * `ready()` (what the CLI's stdout sink gives the session) that waits while `highWater` messages or more are
 * buffered, so a consumer that stops pulling stops the requests too, as a slow stdout reader does.
 *
 * ```
 * start(ready) ─batch─batch─▶ buffer (≤ highWater + the pages in flight) ─next()─▶ consumer
 *        ▲                                                              │
 *        └────────── ready() emits when the buffer is below highWater ◀─┘
 * ```
 *
 * Nothing starts before the first `next()`. The source's error is thrown by the `next()` after the last buffered
 * message. `return()` (a `break` out of `for await`) unsubscribes: requests stop at once.
 */
import { Observable, Subject, defer, of, take, type Subscription } from 'rxjs';

interface Waiter<T> {
  resolve(result: IteratorResult<T, undefined>): void;
  reject(err: unknown): void;
}

export function toAsyncIterator<T>(start: (ready: () => Observable<void>) => Observable<readonly T[]>, highWater = 1000): AsyncIterableIterator<T, undefined> {
  const batches: (readonly T[])[] = [];
  let at = 0;
  let buffered = 0;
  let subscription: Subscription | undefined;
  let started = false;
  let finished = false;
  let failure: { error: unknown } | undefined;
  const waiters: Waiter<T>[] = [];
  const below$ = new Subject<void>();

  const ready = (): Observable<void> => defer(() => (buffered < highWater ? of(undefined) : below$.pipe(take(1))));

  const take1 = (): T => {
    const batch = batches[0] as readonly T[];
    const value = batch[at++] as T;
    buffered--;
    if (at >= batch.length) {
      batches.shift();
      at = 0;
    }
    // Crossing below the mark: every producer waiting in ready() goes on.
    if (buffered === highWater - 1) below$.next();
    return value;
  };

  /** Hands out what can be handed out: buffered messages first, then the end or the error. */
  const settle = (): void => {
    while (waiters.length > 0) {
      if (buffered > 0) {
        (waiters.shift() as Waiter<T>).resolve({ value: take1(), done: false });
      } else if (failure) {
        const { error } = failure;
        failure = undefined;
        finished = true;
        (waiters.shift() as Waiter<T>).reject(error);
      } else if (finished) {
        (waiters.shift() as Waiter<T>).resolve({ value: undefined, done: true });
      } else {
        return;
      }
    }
  };

  const begin = (): void => {
    started = true;
    subscription = start(ready).subscribe({
      next: (batch) => {
        if (finished || batch.length === 0) return;
        batches.push(batch);
        buffered += batch.length;
        settle();
      },
      error: (error: unknown) => {
        failure = { error };
        settle();
      },
      complete: () => {
        finished = true;
        settle();
      },
    });
  };

  const end = (): void => {
    finished = true;
    failure = undefined;
    batches.length = 0;
    buffered = 0;
    subscription?.unsubscribe();
    below$.complete();
    settle();
  };

  const iterator: AsyncIterableIterator<T, undefined> = {
    next: () => {
      if (!started) begin();
      return new Promise<IteratorResult<T, undefined>>((resolve, reject) => {
        waiters.push({ resolve, reject });
        settle();
      });
    },
    return: () => {
      end();
      return Promise.resolve({ value: undefined, done: true });
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}
