/**
 * One rate budget shared by every concurrent stream: a rolling window of request starts, steered by
 * Pipedrive's `x-ratelimit-*` headers and by 429 answers.
 */
import { Observable, asyncScheduler, concatMap, tap } from 'rxjs';
import type { MonoTypeOperatorFunction, SchedulerLike, Subscription } from 'rxjs';
import { HttpError, RateLimitError } from '../src/errors.js';

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
   * (`x-ratelimit-limit` adopts the account's real burst limit; `x-ratelimit-remaining` and
   * `x-ratelimit-reset` (seconds) avoid 429s: when remaining is 0, no new request starts before the
   * reset). On a `RateLimitError` (not the daily one) with `resetSeconds`, blocks everyone until the
   * reset (without `resetSeconds`: for one window).
   */
  throttle<T extends { headers: Readonly<Record<string, string>> }>(): MonoTypeOperatorFunction<T>;
  /** The current burst limit per window. */
  readonly limit: number;
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
 * Creates a shared rate budget. A request takes a slot when it starts (is subscribed); the slot
 * frees `windowMs` after that start. Waiting requests form one FIFO queue across all callers, so
 * none starves; far below the limit a request starts synchronously, without any added latency.
 * Retries resubscribe, so each attempt takes a slot of its own.
 *
 * ```text
 * limit = 2, windowMs = 5; a1 a2 a3 subscribed at frame 0, b1 at frame 2; answers come at once
 * frame:    0----5
 * started:  a1   a3      a3 waits for a1's slot (frees at 0 + 5)
 *           a2   b1      b1 queues behind a3 and takes a2's slot
 * a3:       ^----(r|)
 * b1:       --^--(r|)
 * ```
 */
export function createRateBudget(options: RateBudgetOptions = {}): RateBudget {
  const windowMs = Math.max(0, options.windowMs ?? 2000);
  const scheduler = options.scheduler ?? asyncScheduler;
  const maxWaitMs = Math.max(0, options.maxWaitMs ?? 60_000);
  const onWait = options.onWait;
  let limit = Math.max(1, Math.floor(options.limit ?? 20));

  /** Start times of the requests that still hold a slot, ascending. */
  const starts: number[] = [];
  const queue: Waiter[] = [];
  /** No request starts before this time (a reset announced by the server). */
  let blockedUntil = Number.NEGATIVE_INFINITY;
  let wake: Subscription | undefined;
  let wakeAt = Number.POSITIVE_INFINITY;
  let draining = false;

  /** Earliest time, not before `t`, at which the next request may start. */
  const readyAt = (t: number): number => {
    while (starts.length > 0 && (starts[0] as number) + windowMs <= t) starts.shift();
    let at = Math.max(t, blockedUntil);
    if (starts.length >= limit) at = Math.max(at, (starts[starts.length - limit] as number) + windowMs);
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
        const waiter = queue.shift() as Waiter;
        starts.push(t);
        waiter.grant();
      }
      cancelWake();
    } finally {
      draining = false;
    }
  }

  const block = (ms: number): void => {
    blockedUntil = Math.max(blockedUntil, scheduler.now() + Math.min(Math.max(ms, 0), maxWaitMs));
  };

  const applyHeaders = (headers: Readonly<Record<string, string>>): void => {
    const announced = headerNumber(headers, 'x-ratelimit-limit');
    if (announced !== undefined && announced >= 1) limit = Math.floor(announced);
    const remaining = headerNumber(headers, 'x-ratelimit-remaining');
    if (remaining !== undefined && remaining <= 0) {
      const reset = headerNumber(headers, 'x-ratelimit-reset');
      block(reset !== undefined ? reset * 1000 : windowMs);
    }
  };

  const observeResponse = (headers: Readonly<Record<string, string>>): void => {
    applyHeaders(headers);
    if (queue.length > 0) drain();
  };

  const observeError = (error: unknown): void => {
    if (error instanceof HttpError) applyHeaders(error.headers);
    if (error instanceof RateLimitError && !error.daily) {
      block(error.resetSeconds !== undefined && Number.isFinite(error.resetSeconds) ? error.resetSeconds * 1000 : windowMs);
    }
    if (queue.length > 0) drain();
  };

  /** Emits once, when this subscriber's turn has come and a slot is taken for it. */
  const slot = new Observable<void>((subscriber) => {
    const waiter: Waiter = {
      grant: () => {
        subscriber.next();
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
          concatMap(() => source),
          tap({ next: (response) => observeResponse(response.headers), error: observeError }),
        );
    },
    get limit(): number {
      return limit;
    },
  };
}
