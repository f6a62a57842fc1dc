/**
 * Retries of a single request: 429, 5xx and network failures, with capped exponential backoff
 * and decorrelated jitter; rate limits with a known reset wait for the reset.
 */
import { asyncScheduler, defer, retry, throwError, timer } from 'rxjs';
import type { MonoTypeOperatorFunction, Observable, SchedulerLike } from 'rxjs';
import { RateLimitError, isRetryable } from '../src/errors.js';

export interface RetryOptions {
  /** Retries after the first attempt (default 8). */
  maxRetries?: number;
  /** Smallest backoff delay (default 1000 ms). */
  baseDelayMs?: number;
  /** Largest delay, also for rate-limit resets (default 60000 ms). */
  maxDelayMs?: number;
  /** Jitter source in [0, 1) (default `Math.random`). */
  random?: () => number;
  scheduler?: SchedulerLike;
  /** Called before each wait: the error being retried, the retry number (1-based) and the delay. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

/**
 * The delay before retry `attempt` (1-based), given the previous delay (`baseDelayMs` before the
 * first retry). Backoff uses decorrelated jitter: uniform in [base, 3 × previous], capped at
 * `maxDelayMs`, so its ceiling grows exponentially and a sequence of retries never drops below the
 * base delay. A `RateLimitError` with `resetSeconds` waits the reset plus up to a quarter of the
 * base delay of jitter (so concurrent callers do not all return at once), capped at `maxDelayMs`.
 */
function retryDelay(
  error: unknown,
  previousMs: number,
  opts: { baseDelayMs: number; maxDelayMs: number; random: () => number },
): number {
  const { baseDelayMs: base, maxDelayMs: cap, random } = opts;
  const r = Math.min(Math.max(random(), 0), 1);
  if (error instanceof RateLimitError && error.resetSeconds !== undefined && Number.isFinite(error.resetSeconds)) {
    const resetMs = Math.max(error.resetSeconds, 0) * 1000;
    return Math.min(cap, Math.ceil(resetMs + r * (base / 4)));
  }
  const ceiling = Math.max(base, previousMs * 3);
  return Math.min(cap, Math.round(base + r * (ceiling - base)));
}

/**
 * Retries errors for which `isRetryable(err)` is true: 429 (`RateLimitError`, non-daily), 5xx
 * `HttpError`, `NetworkError` (timeouts, resets, truncated/non-JSON bodies), with capped exponential
 * backoff and decorrelated jitter (see {@link retryDelay}); a `RateLimitError` with `resetSeconds`
 * waits at least `resetSeconds * 1000` (+ small jitter), capped by `maxDelayMs`. Non-retryable
 * errors (400/401/402/403/404/410 `HttpError`, `ConfigError`, daily `RateLimitError`) pass through
 * immediately, untouched. After `maxRetries` retries the last error passes through. Applies to a
 * single-request Observable: each retry resubscribes it.
 *
 * ```text
 * baseDelayMs = 1000, random = () => 0; the request fails with a 503, then answers r:
 * attempt 1:  -#
 * attempt 2:  1001ms -(r|)          (1000 ms backoff after the error at frame 1)
 * result:     1002ms (r|)
 *
 * 429 with resetSeconds = 3, random = () => 0:
 * attempt 1:  -#
 * attempt 2:  3001ms -(r|)
 * result:     3002ms (r|)
 *
 * 404: no retry, the same error at once:
 * attempt 1:  -#
 * result:     -#
 * ```
 */
export function retryRateLimited<T>(options: RetryOptions = {}): MonoTypeOperatorFunction<T> {
  const maxRetries = Math.max(0, Math.floor(options.maxRetries ?? 8));
  const baseDelayMs = Math.max(0, options.baseDelayMs ?? 1000);
  const maxDelayMs = Math.max(baseDelayMs, options.maxDelayMs ?? 60_000);
  const random = options.random ?? Math.random;
  const scheduler = options.scheduler ?? asyncScheduler;
  const onRetry = options.onRetry;
  return (source: Observable<T>) =>
    defer(() => {
      let previous = baseDelayMs;
      return source.pipe(
        retry({
          count: maxRetries,
          delay: (error: unknown, attempt: number) => {
            if (!isRetryable(error)) return throwError(() => error);
            const delayMs = retryDelay(error, previous, { baseDelayMs, maxDelayMs, random });
            previous = Math.max(baseDelayMs, delayMs);
            onRetry?.(error, attempt, delayMs);
            return timer(delayMs, scheduler);
          },
        }),
      );
    });
}
