/** Retries of a single-request Observable, with the delay before each retry chosen by the caller. */
import { asyncScheduler, defer, retry, throwError, timer } from 'rxjs';
import type { MonoTypeOperatorFunction, Observable, SchedulerLike } from 'rxjs';

export interface RetryWithBackoffOptions {
  /** Whether an error may be retried; other errors pass through at once, untouched. */
  shouldRetry: (error: unknown) => boolean;
  /**
   * The wait in ms before retry `attempt` (1-based), given the previous wait of this subscription (`undefined` before
   * the first retry) and the time since its first attempt: exponential backoff with jitter, or a reset the server
   * announced; `null` gives up (the error passes through), e.g. when retrying would take too long.
   */
  delayOf: (error: unknown, attempt: number, previousMs: number | undefined, elapsedMs: number) => number | null;
  /** Retries after the first attempt (default 8). */
  maxRetries?: number;
  scheduler?: SchedulerLike;
  /** Called before each wait: the error being retried, the retry number (1-based) and the delay. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

/**
 * Resubscribes the source after an error for which `shouldRetry` is true, waiting `delayOf(error, attempt,
 * previous, elapsed)` ms first, at most `maxRetries` times; after that, for an error `shouldRetry` rejects, or when
 * `delayOf` gives `null`, the error passes through. Each subscription keeps its own count, previous delay and start
 * time (on the scheduler's clock), so backoff grows per request.
 *
 * ```text
 * delayOf = () => 3 frames; the source fails once (#), then answers r:
 * source:   -#
 *           ----(r|)             resubscribed 3 frames after the error
 * result:   -----(r|)
 *
 * shouldRetry(e) false:
 * source:   -#
 * result:   -#                   the same error, at once
 * ```
 */
export function retryWithBackoff<T>(options: RetryWithBackoffOptions): MonoTypeOperatorFunction<T> {
  const maxRetries = Math.max(0, Math.floor(options.maxRetries ?? 8));
  const scheduler = options.scheduler ?? asyncScheduler;
  const { shouldRetry, delayOf, onRetry } = options;
  return (source: Observable<T>) =>
    defer(() => {
      let previous: number | undefined;
      const started = scheduler.now();
      return source.pipe(
        retry({
          count: maxRetries,
          delay: (error: unknown, attempt: number) => {
            if (!shouldRetry(error)) return throwError(() => error);
            const wanted = delayOf(error, attempt, previous, scheduler.now() - started);
            if (wanted === null) return throwError(() => error);
            const delayMs = Math.max(0, wanted);
            previous = delayMs;
            onRetry?.(error, attempt, delayMs);
            return timer(delayMs, scheduler);
          },
        }),
      );
    });
}
