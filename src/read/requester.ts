/**
 * The request path every stream shares: backpressure from the sink, the shared rate budget,
 * authentication (API token or OAuth with refresh), retries of transient failures, and token
 * accounting per stream.
 *
 * ```
 * request(def, req) = sink.ready() ─▶ auth.wrap(port)(req) ─throttle─▶ ─retryWithBackoff(pipedriveBackoff)─▶ response
 * ```
 */
import { Observable, ReplaySubject, asyncScheduler, concatMap, defer, of, tap, throwError, type SchedulerLike } from 'rxjs';
import type { HttpPort, HttpRequest, HttpResponse } from '../http/port.js';
import type { StreamDefinition } from '../../streams/types.js';
import { DEFAULT_REQUEST_TIMEOUT_SECONDS, type ConnectorConfig, type OAuthCredentials } from '../config/types.js';
import { createAuth } from '../http/auth.js';
import { NetworkError, RateLimitError, TlsError, TokenCapError, UnreachableError, messageOf } from '../errors.js';

/** Network failures of a request that never reached the server (it cannot have been charged). */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** Consecutive network failures (across streams) that stop the read. */
export const BREAKER_THRESHOLD = 10;
/** A request failing with network errors is retried for this many request timeouts (90 s at the default 20 s). */
export const NETWORK_WINDOW_FACTOR = 4.5;
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
  /** Consecutive attempts failing with network errors or timeouts, across streams, that open the breaker (default 10). */
  readonly breakerThreshold?: number;
  /**
   * The most API tokens the read may spend (`max_tokens_per_read`): a request that could take the spend (answered
   * requests plus those in flight, × x-token-cost) past it is not sent; it fails with a `TokenCapError`.
   */
  readonly maxTokens?: number;
}

export interface Requester {
  /** Sends one request of a stream. */
  request(def: Pick<StreamDefinition, 'name' | 'tokenCost'>, request: HttpRequest): Observable<HttpResponse>;
  /** The API base URL (may need an OAuth refresh first). */
  baseUrl(): Observable<string>;
  /** API tokens spent per stream (answered requests × x-token-cost). */
  readonly tokens: Map<string, number>;
  requestCount(): number;
  /** API tokens spent by the whole read. */
  tokensSpent(): number;
  /**
   * The circuit breaker: emits once when the last `breakerThreshold` attempts, across every stream, all failed with a
   * network error or a timeout (an `UnreachableError` naming the last failure); the read then stops as a whole
   * instead of letting each stream exhaust its own retries.
   */
  readonly unreachable$: Observable<UnreachableError>;
  /** Completes when no OAuth refresh is in flight (at once when none is). */
  credentialsSettled(): Observable<void>;
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
  const threshold = Math.max(1, deps.breakerThreshold ?? BREAKER_THRESHOLD);
  const unreachable$ = new ReplaySubject<UnreachableError>(1);
  let failedInARow = 0;
  let open = false;
  /** Every attempt's outcome: an answer (any status) closes the streak, a network failure extends it. */
  const outcome = (err: unknown): void => {
    if (!(err instanceof NetworkError)) {
      failedInARow = 0;
      return;
    }
    failedInARow++;
    if (failedInARow >= threshold && !open) {
      open = true;
      unreachable$.next(new UnreachableError(
        `Pipedrive could not be reached: the last ${threshold} requests all failed with network errors or timeouts ` +
          `(the last one: ${messageOf(err)}). Check the network, a proxy or firewall, and api_url; then run the sync ` +
          'again: it resumes from the last state',
      ));
    }
  };
  const timeoutMs = (deps.config.request_timeout_seconds ?? DEFAULT_REQUEST_TIMEOUT_SECONDS) * 1000;
  const tokens = new Map<string, number>();
  /** The read's spend: the sum of the streams' (a few dozen entries, added up per request). */
  const spentTotal = (): number => {
    let n = 0;
    for (const t of tokens.values()) n += t;
    return n;
  };
  let requests = 0;
  /** Tokens of requests in flight: they are charged if answered. */
  let reserved = 0;
  const cap = deps.maxTokens;
  /** One attempt: within the token cap, the request through auth; its tokens charged when it is answered. */
  const attempt = (def: Pick<StreamDefinition, 'name' | 'tokenCost'>, req: HttpRequest): Observable<HttpResponse> =>
    defer(() => {
      const cost = def.tokenCost;
      const spent = spentTotal();
      if (cap !== undefined && spent + reserved + cost > cap) {
        return throwError(() => new TokenCapError(
          `The read stopped before going past max_tokens_per_read (${cap.toLocaleString('en-US')} API tokens): it spent ` +
            `${(spent + reserved).toLocaleString('en-US')} tokens on ${requests.toLocaleString('en-US')} requests (those still ` +
            `answering included), and the next request (${def.name}, ${cost} tokens) would have gone over. Run the sync ` +
            'again: it continues from the last state',
        ));
      }
      reserved += cost;
      let settled = false;
      return authed(req).pipe(
        tap({
          next: () => {
            if (settled) return;
            settled = true;
            reserved -= cost;
            tokens.set(def.name, (tokens.get(def.name) ?? 0) + cost);
          },
          // Only a request that never reached the server frees its tokens. One that failed on the way back (a timeout,
          // a reset, an error answer) or was cancelled in flight (a stop) keeps them counted against the cap: the
          // server may have charged it. So the cap holds whatever the server counts.
          error: (err: unknown) => {
            if (settled) return;
            settled = true;
            if (err instanceof TlsError || (err instanceof NetworkError && NOT_SENT.has(err.code))) reserved -= cost;
          },
        }),
      );
    });
  const ready = deps.ready ?? (() => of(undefined));
  const clock = deps.scheduler ?? asyncScheduler;
  const request = (def: Pick<StreamDefinition, 'name' | 'tokenCost'>, req: HttpRequest): Observable<HttpResponse> =>
    ready().pipe(
      concatMap(() => defer(() => {
        const queued = clock.now();
        return attempt(def, req).pipe(
          tap({
            // Tokens are charged for answered requests (in `attempt`); every attempt counts as a request.
            next: () => outcome(undefined),
            error: outcome,
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
          ...pipedriveBackoff({ networkWindowMs: NETWORK_WINDOW_FACTOR * timeoutMs, ...(deps.maxDelayMs !== undefined ? { maxDelayMs: deps.maxDelayMs } : {}) }),
          ...(deps.maxRetries !== undefined ? { maxRetries: deps.maxRetries } : {}),
          ...(deps.scheduler ? { scheduler: deps.scheduler } : {}),
          onRetry: (err, attempt, delayMs) => {
            if (err instanceof RateLimitError) deps.onRateLimited?.(def.name, delayMs);
            deps.warn?.(`${def.name}: retry ${attempt} in ${Math.round(delayMs)} ms after: ${messageOf(err)}`);
          },
        }),
      )),
    );
  return {
    request,
    baseUrl: () => auth.baseUrl(),
    tokens,
    requestCount: () => requests,
    tokensSpent: spentTotal,
    unreachable$: unreachable$.asObservable(),
    credentialsSettled: () => auth.settled(),
  };
}
