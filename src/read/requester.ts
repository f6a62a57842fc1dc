/**
 * The request path every stream shares: backpressure from the sink, the shared rate budget,
 * authentication (API token or OAuth with refresh), retries of transient failures, and token
 * accounting per stream.
 *
 * ```
 * request(def, req) = sink.ready() ─▶ auth.wrap(port)(req) ─throttle─▶ ─retryWithBackoff(pipedriveBackoff)─▶ response
 * ```
 */
import { Observable, asyncScheduler, concatMap, defer, of, tap, type SchedulerLike } from 'rxjs';
import type { HttpPort, HttpRequest, HttpResponse } from '../http/port.js';
import type { StreamDefinition } from '../../streams/types.js';
import type { ConnectorConfig, OAuthCredentials } from '../config/types.js';
import { createAuth } from '../http/auth.js';
import { RateLimitError, messageOf } from '../errors.js';
import { retryWithBackoff } from '../../operators/index.js';
import { createRateBudget } from './rateBudget.js';
import { pipedriveBackoff } from './retryPolicy.js';

export interface RequesterDeps {
  readonly config: ConnectorConfig;
  readonly port: HttpPort;
  /** Called with rotated OAuth credentials before they are used. */
  readonly onCredentials?: (credentials: OAuthCredentials) => void;
  /** Waits until the output can take more (the sink's `ready`). */
  readonly ready?: () => Observable<void>;
  readonly scheduler?: SchedulerLike;
  readonly now?: () => number;
  readonly warn?: (message: string) => void;
  /** Called when the shared budget makes requests wait (ms, and when the wait ends). */
  readonly onRateLimitWait?: (waitMs: number) => void;
  /** Called when a stream's request waited for the rate limit (budget pacing ≥ 1 s, or a 429 retry). */
  readonly onRateLimited?: (stream: string, waitMs: number) => void;
  /** Retries per request (default 8). */
  readonly maxRetries?: number;
  /** Longest wait between retries (default that of pipedriveBackoff). */
  readonly maxDelayMs?: number;
}

export interface Requester {
  /** Sends one request of a stream. */
  request(def: Pick<StreamDefinition, 'name' | 'tokenCost'>, request: HttpRequest): Observable<HttpResponse>;
  /** The API base URL (may need an OAuth refresh first). */
  baseUrl(): Observable<string>;
  /** API tokens spent per stream (answered requests × x-token-cost). */
  readonly tokens: Map<string, number>;
  requestCount(): number;
}

export function createRequester(deps: RequesterDeps): Requester {
  const auth = createAuth(deps.config, {
    port: deps.port,
    ...(deps.now ? { now: deps.now } : {}),
    ...(deps.onCredentials ? { onConfigChange: deps.onCredentials } : {}),
  });
  const budget = createRateBudget({
    ...(deps.scheduler ? { scheduler: deps.scheduler } : {}),
    ...(deps.onRateLimitWait ? { onWait: deps.onRateLimitWait } : {}),
  });
  const authed = auth.wrap(deps.port);
  const tokens = new Map<string, number>();
  let requests = 0;
  const ready = deps.ready ?? (() => of(undefined));
  const clock = deps.scheduler ?? asyncScheduler;
  const request = (def: Pick<StreamDefinition, 'name' | 'tokenCost'>, req: HttpRequest): Observable<HttpResponse> =>
    ready().pipe(
      concatMap(() => defer(() => {
        const queued = clock.now();
        return authed(req).pipe(
          tap({
            // Tokens are charged for answered requests; every attempt counts as a request.
            next: () => { tokens.set(def.name, (tokens.get(def.name) ?? 0) + def.tokenCost); },
            subscribe: () => {
              requests++;
              const waited = clock.now() - queued;
              // Reported once the wait is over: the quota reset is now.
              if (waited >= 1000) deps.onRateLimited?.(def.name, 0);
            },
          }),
          budget.throttle(),
        );
      }).pipe(
        retryWithBackoff({
          ...pipedriveBackoff(deps.maxDelayMs !== undefined ? { maxDelayMs: deps.maxDelayMs } : {}),
          ...(deps.maxRetries !== undefined ? { maxRetries: deps.maxRetries } : {}),
          ...(deps.scheduler ? { scheduler: deps.scheduler } : {}),
          onRetry: (err, attempt, delayMs) => {
            if (err instanceof RateLimitError) deps.onRateLimited?.(def.name, delayMs);
            deps.warn?.(`${def.name}: retry ${attempt} in ${Math.round(delayMs)} ms after: ${messageOf(err)}`);
          },
        }),
      )),
    );
  return { request, baseUrl: () => auth.baseUrl(), tokens, requestCount: () => requests };
}
