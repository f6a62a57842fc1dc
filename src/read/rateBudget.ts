/**
 * One rate budget shared by every concurrent stream: a rolling window of requests (each holds a slot from its
 * start until a window after its answer), steered by Pipedrive's `x-ratelimit-*` headers and by 429 answers.
 */
import { Observable, asyncScheduler, concatMap, tap } from 'rxjs';
import type { MonoTypeOperatorFunction, SchedulerLike, Subscription } from 'rxjs';
import { HttpError, RateLimitError } from '../errors.js';

export interface RateBudgetOptions {
  /** Initial burst: requests that may start per window (default 20) until `x-ratelimit-limit` says otherwise. */
  limit?: number;
  /** Length of the rolling window (default 2000 ms, Pipedrive's burst window). */
  windowMs?: number;
  scheduler?: SchedulerLike;
  /** Longest pause one reset may impose on everyone, whatever the server says (default 60000 ms). */
  maxWaitMs?: number;
  /** Called whenever the request at the head of the queue has to wait, with the wait in ms. */
  onWait?: (waitMs: number) => void;
}

export interface RateBudget {
  /**
   * Operator for one request Observable: delays its subscription until a slot in the rolling window
   * is free (FIFO across all callers), then updates the budget from the response headers
   * (`x-ratelimit-limit` adopts the account's real burst limit; `x-ratelimit-remaining` 0 means the
   * server's window is full: if the budget's own window was full too when the request started, its
   * own slots already say when the next request may start; otherwise someone else shares the limit
   * and no new request starts before `x-ratelimit-reset` (seconds)). On a `RateLimitError` (not the daily one) with
   * `resetSeconds`, blocks everyone until the reset (without `resetSeconds`: for one window).
   */
  throttle<T extends { headers: Readonly<Record<string, string>> }>(): MonoTypeOperatorFunction<T>;
  /** The current burst limit per window. */
  readonly limit: number;
}

/** A request's place in the window: held from its start until `windowMs` after its answer. */
interface Slot {
  readonly start: number;
  /** When the slot frees (answer + windowMs); +Infinity while the request is in flight. */
  freeAt: number;
}

interface Waiter {
  grant(): void;
}

const headerNumber = (headers: Readonly<Record<string, string>>, name: string): number | undefined => {
  const raw = headers[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const n = Number(raw);
  return Number.isFinite(n) ? n : undefined;
};

/**
 * Creates a shared rate budget. A request takes a slot when it starts (is subscribed) and holds it
 * until `windowMs` after its answer (response, error or cancellation): the server counts the request
 * at some moment between its start and its answer, so a slot freed `windowMs` after the answer is
 * free on the server too, whatever the latency. Waiting requests form one FIFO queue across all
 * callers, so none starves; far below the limit a request starts synchronously, without any added
 * latency. Retries resubscribe, so each attempt takes a slot of its own.
 *
 * ```text
 * limit = 2, windowMs = 5; a1 a2 a3 subscribed at frame 0, b1 at frame 2; answers come at once
 * frame:    0----5
 * started:  a1   a3      a3 waits for a1's slot (frees at 0 + 5)
 *           a2   b1      b1 queues behind a3 and takes a2's slot
 * a3:       ^----(r|)
 * b1:       --^--(r|)
 *
 * limit = 1, windowMs = 5; the answer takes 3 frames: the slot frees 5 frames after the answer
 * a1:       ^--(r|)
 * a2:       ^-------^--(r|)
 * ```
 */
export function createRateBudget(options: RateBudgetOptions = {}): RateBudget {
  const windowMs = Math.max(0, options.windowMs ?? 2000);
  const scheduler = options.scheduler ?? asyncScheduler;
  const maxWaitMs = Math.max(0, options.maxWaitMs ?? 60_000);
  const onWait = options.onWait;
  let limit = Math.max(1, Math.floor(options.limit ?? 20));

  /**
   * The requests that hold a slot (in flight, or answered less than `windowMs` ago), and those that freed theirs
   * after the start of a request still in flight (its answer is compared with them).
   */
  let slots: Slot[] = [];
  const queue: Waiter[] = [];
  /** No request starts before this time (a reset announced by the server). */
  let blockedUntil = Number.NEGATIVE_INFINITY;
  let wake: Subscription | undefined;
  let wakeAt = Number.POSITIVE_INFINITY;
  let draining = false;

  /** Forgets the slots nobody needs any more: free now, and freed before the start of every request in flight. */
  const prune = (t: number): void => {
    let oldest = t;
    for (const s of slots) if (s.freeAt === Number.POSITIVE_INFINITY && s.start < oldest) oldest = s.start;
    if (slots.some((s) => s.freeAt <= oldest)) slots = slots.filter((s) => s.freeAt > oldest);
  };

  /**
   * Earliest time, not before `t`, at which the next request may start; +Infinity when every slot is
   * held by a request in flight (the next answer starts the count).
   */
  const readyAt = (t: number): number => {
    prune(t);
    let at = Math.max(t, blockedUntil);
    const frees = slots.filter((s) => s.freeAt > t).map((s) => s.freeAt);
    if (frees.length >= limit) {
      // The (count - limit + 1)-th slot to free makes room for one more.
      frees.sort((x, y) => x - y);
      at = Math.max(at, frees[frees.length - limit] as number);
    }
    return at;
  };

  const cancelWake = (): void => {
    wake?.unsubscribe();
    wake = undefined;
    wakeAt = Number.POSITIVE_INFINITY;
  };

  const scheduleWake = (at: number, t: number): void => {
    if (wake !== undefined && wakeAt === at) return;
    cancelWake();
    if (at === Number.POSITIVE_INFINITY) return; // an answer calls drain()
    wakeAt = at;
    onWait?.(at - t);
    wake = scheduler.schedule(() => {
      wake = undefined;
      wakeAt = Number.POSITIVE_INFINITY;
      drain();
    }, at - t);
  };

  /** Starts every waiting request that may start now, in order; schedules a wake-up for the rest. */
  function drain(): void {
    if (draining) return; // the running loop re-reads the budget before each start
    draining = true;
    try {
      while (queue.length > 0) {
        const t = scheduler.now();
        const at = readyAt(t);
        if (at > t) {
          scheduleWake(at, t);
          return;
        }
        (queue.shift() as Waiter).grant();
      }
      cancelWake();
    } finally {
      draining = false;
    }
  }

  const block = (ms: number): void => {
    blockedUntil = Math.max(blockedUntil, scheduler.now() + Math.min(Math.max(ms, 0), maxWaitMs));
  };

  /** Updates the budget from the headers of the answer to the request of `slot`. */
  const applyHeaders = (headers: Readonly<Record<string, string>>, slot: Slot): void => {
    const announced = headerNumber(headers, 'x-ratelimit-limit');
    if (announced !== undefined && announced >= 1) limit = Math.floor(announced);
    const remaining = headerNumber(headers, 'x-ratelimit-remaining');
    // The server's window was full when the request arrived (some time after its start). If we held `limit` slots
    // then, those are the server's entries, and each of our slots frees (windowMs after its answer) no earlier than
    // its entry does: our own window paces the next requests. Otherwise requests we did not make count too, and
    // only the reset tells when the server's window frees.
    const ours = slots.reduce((n, s) => (s.freeAt > slot.start ? n + 1 : n), 0);
    if (remaining !== undefined && remaining <= 0 && ours < limit) {
      const reset = headerNumber(headers, 'x-ratelimit-reset');
      block(reset !== undefined ? reset * 1000 : windowMs);
    }
  };

  /** The request of `slot` has its answer (or was cancelled): its slot frees `windowMs` from now. */
  const answered = (slot: Slot): void => {
    if (slot.freeAt === Number.POSITIVE_INFINITY) slot.freeAt = scheduler.now() + windowMs;
  };

  /** Emits the slot once, when this subscriber's turn has come and the slot is taken for it. */
  const slot = new Observable<Slot>((subscriber) => {
    const waiter: Waiter = {
      grant: () => {
        const taken: Slot = { start: scheduler.now(), freeAt: Number.POSITIVE_INFINITY };
        slots.push(taken);
        subscriber.next(taken);
        subscriber.complete();
      },
    };
    queue.push(waiter);
    drain();
    return () => {
      const i = queue.indexOf(waiter);
      if (i >= 0) {
        queue.splice(i, 1);
        drain();
      }
    };
  });

  return {
    throttle<T extends { headers: Readonly<Record<string, string>> }>(): MonoTypeOperatorFunction<T> {
      return (source) =>
        slot.pipe(
          concatMap((taken) =>
            source.pipe(
              tap({
                next: (response) => {
                  answered(taken);
                  applyHeaders(response.headers, taken);
                  if (queue.length > 0) drain();
                },
                error: (error: unknown) => {
                  answered(taken);
                  if (error instanceof HttpError) applyHeaders(error.headers, taken);
                  if (error instanceof RateLimitError && !error.endsRead) {
                    block(error.resetSeconds !== undefined && Number.isFinite(error.resetSeconds) ? error.resetSeconds * 1000 : windowMs);
                  }
                  if (queue.length > 0) drain();
                },
                finalize: () => {
                  // Completed without an answer, or cancelled in flight.
                  if (taken.freeAt === Number.POSITIVE_INFINITY) {
                    answered(taken);
                    if (queue.length > 0) drain();
                  }
                },
              }),
            )),
        );
    },
    get limit(): number {
      return limit;
    },
  };
}
