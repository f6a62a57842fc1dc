/** Airbyte stream statuses around one stream's message batches. */
import { catchError, concat, concatMap, concatWith, defer, of } from 'rxjs';
import type { MonoTypeOperatorFunction, Observable } from 'rxjs';
import { errorTrace, streamStatusTrace } from '../protocol.js';
import type { AirbyteMessage, FailureType, StreamStatus } from '../protocol.js';
import { failureTypeOf, messageOf } from '../errors.js';

export interface StreamStatusOptions {
  /** `emitted_at` clock (default `Date.now`). */
  now?: () => number;
  /** Called with the stream's error before its TRACE ERROR is emitted (logging, exit code). */
  onError?: (error: unknown) => void;
  /** Turns the error into the TRACE ERROR's text and failure type (default: `messageOf`/`failureTypeOf`). */
  describe?: (error: unknown) => Description;
  /**
   * Whether the error is reported by this stream's own TRACE ERROR (default: always), asked after `onError`. An error
   * that is reported once for the whole read (a stop) ends the stream with INCOMPLETE alone.
   */
  reports?: (error: unknown) => boolean;
}

type Description = { message: string; failureType: FailureType; internalMessage?: string };

const defaultDescribe = (error: unknown): Description => ({
  message: messageOf(error),
  failureType: failureTypeOf(error),
});

/**
 * Wraps one stream's message batches: emits `[STARTED]` at subscription, `[RUNNING]` before the
 * first batch (or before completion if there was none), passes batches through, then `[COMPLETE]`.
 * If the source errors: calls `onError`, emits `[RUNNING]` if it was not emitted yet, then
 * `[TRACE ERROR (with stream_descriptor and failure_type from describe), INCOMPLETE]` and
 * completes, so other streams go on.
 *
 * ```text
 * batches:  ---a---b---|
 * result:   S--(Ra)b---(C|)          S = [STARTED], R = [RUNNING], C = [COMPLETE]
 *
 * batches:  ---|
 * result:   S--(RC|)
 *
 * batches:  ---a---#
 * result:   S--(Ra)(E|)              E = [TRACE ERROR, INCOMPLETE]
 *
 * batches:  ---a---#                 reports(#) is false: the error is reported once, elsewhere
 * result:   S--(Ra)(I|)              I = [INCOMPLETE]
 * ```
 */
export function withStreamStatus(stream: string, options: StreamStatusOptions = {}): MonoTypeOperatorFunction<AirbyteMessage[]> {
  const now = options.now ?? Date.now;
  const describe: (error: unknown) => Description = options.describe ?? defaultDescribe;
  const onError = options.onError;

  return (source: Observable<AirbyteMessage[]>) =>
    defer(() => {
      let running = false;
      const status = (s: StreamStatus): AirbyteMessage[] => [streamStatusTrace(stream, s, now())];
      /** `[RUNNING]` the first time, nothing afterwards. */
      const ensureRunning = (): AirbyteMessage[][] => {
        if (running) return [];
        running = true;
        return [status('RUNNING')];
      };

      return concat(
        defer(() => of(status('STARTED'))),
        source.pipe(
          concatMap((batch) => of(...ensureRunning(), batch)),
          concatWith(defer(() => of(...ensureRunning(), status('COMPLETE')))),
          catchError((error: unknown) =>
            defer(() => {
              onError?.(error);
              const at = now();
              if (options.reports && !options.reports(error)) return of(...ensureRunning(), [streamStatusTrace(stream, 'INCOMPLETE', at)]);
              const d = describe(error);
              const trace = errorTrace(d.message, d.failureType, {
                stream,
                now: at,
                ...(d.internalMessage !== undefined ? { internalMessage: d.internalMessage } : {}),
              });
              return of(...ensureRunning(), [trace, streamStatusTrace(stream, 'INCOMPLETE', at)]);
            }),
          ),
        ),
      );
    });
}
