/**
 * Pipedrive's retry policy for the generic `retryWithBackoff` operator: what is retried (429, 5xx and network
 * failures: `isRetryable`, from the status table) and how long to wait (a rate-limit reset, else capped exponential
 * backoff with decorrelated jitter).
 */
import type { RetryWithBackoffOptions } from '../../operators/index.js';
import { NetworkError, RateLimitError, isRetryable } from '../errors.js';

export interface BackoffOptions {
  /** Smallest backoff delay (default 500 ms: the first retry comes after 0.5 to 1.5 s). */
  baseDelayMs?: number;
  /** Largest delay, also for rate-limit resets (default 60000 ms). */
  maxDelayMs?: number;
  /** Jitter source in [0, 1) (default `Math.random`). */
  random?: () => number;
  /**
   * How long a request that fails with network errors or timeouts is retried, from its first attempt (default 90000
   * ms): a dead or black-holed API ends the request in bounded time. Rate limits and 5xx answers are not bounded by it.
   */
  networkWindowMs?: number;
}

/**
 * `shouldRetry` and `delayOf` for Pipedrive requests. Backoff uses decorrelated jitter: the delay before a retry is
 * uniform in [base, 3 × previous] (previous = base before the first retry), capped at `maxDelayMs`, so its ceiling
 * grows exponentially and no retry comes sooner than the base delay. A `RateLimitError` with `resetSeconds` waits
 * the reset plus up to a quarter of the base delay of jitter (so concurrent callers do not all return at once),
 * capped at `maxDelayMs`. Non-retryable errors (400/401/402/403/404/410, `ConfigError`, `TlsError`, a spent daily
 * budget or a reset too far off) are not retried, and a network failure is not retried past `networkWindowMs`.
 */
export function pipedriveBackoff(options: BackoffOptions = {}): Pick<RetryWithBackoffOptions, 'shouldRetry' | 'delayOf'> {
  const base = Math.max(0, options.baseDelayMs ?? 500);
  const cap = Math.max(base, options.maxDelayMs ?? 60_000);
  const random = options.random ?? Math.random;
  const networkWindowMs = options.networkWindowMs ?? 90_000;
  return {
    shouldRetry: isRetryable,
    delayOf: (error, _attempt, previousMs, elapsedMs) => {
      const r = Math.min(Math.max(random(), 0), 1);
      if (error instanceof RateLimitError && error.resetSeconds !== undefined && Number.isFinite(error.resetSeconds)) {
        const resetMs = Math.max(error.resetSeconds, 0) * 1000;
        return Math.min(cap, Math.ceil(resetMs + r * (base / 4)));
      }
      const previous = Math.max(base, previousMs ?? base);
      const ceiling = Math.max(base, previous * 3);
      const delay = Math.min(cap, Math.round(base + r * (ceiling - base)));
      // A network failure is retried only while the next attempt starts within the window.
      return error instanceof NetworkError && elapsedMs + delay > networkWindowMs ? null : delay;
    },
  };
}
