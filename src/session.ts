/**
 * The session every command shares: the config, the one requester (auth, rate budget, retries), the secrets to
 * redact, credential persistence and the LOG plumbing. Use cases (`check`, `discover`, `read`) return message
 * Observables; `session.output(main$)` merges the session's own messages into them:
 *
 * ```
 * migration CONTROL (first) ─┐
 * LOG lines ─────────────────┼─ side$ ─┐
 * rotated credentials CONTROL┘         ├─ output(main$) ─▶ the sink (CLI) or an async iterator (Node API)
 * use case messages ───────────────────┘
 * ```
 */
import { EMPTY, Observable, ReplaySubject, Subject, concatMap, defaultIfEmpty, finalize, map, merge, timeout, type SchedulerLike } from 'rxjs';
import { createAxiosPort } from './http/axios.js';
import type { HttpPort } from './http/port.js';
import type { LoadedConfig } from './config/index.js';
import { DEFAULT_REQUEST_TIMEOUT_SECONDS, secretsOf, type ConnectorConfig, type OAuthCredentials } from './config/types.js';

/** Longest wait, at the end of a command, for an OAuth refresh in flight. */
const SETTLE_MS = 30_000;
import { controlConfigMessage, streamStatusTrace, type AirbyteMessage, type FailureType } from './protocol.js';
import { failureTypeOf, messageOf, redact } from './errors.js';
import { apiRoot } from './http/urls.js';
import type { Logger } from './log.js';
import { createRequester, type Requester } from './read/requester.js';

export interface SessionOptions {
  /** The HTTP port (default: the axios adapter with the config's request timeout). */
  readonly port?: HttpPort;
  /** Per-attempt time limit of the default port (default 3 × the config's request timeout). */
  readonly timeoutMs?: number;
  readonly log: Logger;
  /** Waits until the output can take more (the sink's `ready`): a slow reader pauses the requests. */
  readonly ready?: () => Observable<void>;
  readonly scheduler?: SchedulerLike;
  readonly now?: () => number;
  /** Retries per request (default 8; interactive commands ask for fewer). */
  readonly maxRetries?: number;
  /** Longest wait between retries. */
  readonly maxDelayMs?: number;
}

/** An error as the user sees it: redacted text, its failure type, and the text with the error's name. */
export interface Described {
  readonly message: string;
  readonly failureType: FailureType;
  readonly internalMessage: string;
}

export interface Session {
  readonly config: ConnectorConfig;
  readonly log: Logger;
  readonly requester: Requester;
  readonly now: () => number;
  /** The roots of the API versions, once the base URL is known (an OAuth refresh may come first). */
  roots(): Observable<(api: 'v1' | 'v2') => string>;
  /** The redacted message and failure type of any error. */
  describe(err: unknown): Described;
  /** Every secret known so far (the config's, and rotated tokens). */
  secrets(): readonly string[];
  /**
   * The use case's messages with the session's own merged in: the migration CONTROL before anything else, LOG lines,
   * and CONTROL messages with rotated OAuth credentials the moment the token endpoint hands them out. Completes when
   * `main$` does (the session's side messages end with it).
   */
  output(main$: Observable<AirbyteMessage[]>): Observable<AirbyteMessage[]>;
}

export function openSession(loaded: LoadedConfig, options: SessionOptions): Session {
  const { config } = loaded;
  const { log } = options;
  const now = options.now ?? Date.now;
  const secrets: string[] = [...secretsOf(config)];
  log.addSecrets(secrets);
  /** What the platform must store: the migrated or given raw config, with rotated credentials. */
  let raw = loaded.migrated ?? loaded.raw;
  // Replayed: a rotation during the use case's start-up, before `output` is subscribed, is not lost.
  const control$ = new ReplaySubject<AirbyteMessage[]>();
  if (loaded.migrated) control$.next([controlConfigMessage(loaded.migrated, now())]);
  const rateLimited$ = new Subject<AirbyteMessage[]>();

  const onCredentials = (credentials: OAuthCredentials): void => {
    raw = { ...raw, credentials: { ...credentials } };
    const tokens = [credentials.refresh_token, credentials.access_token ?? ''].filter((t) => t !== '');
    secrets.push(...tokens);
    log.addSecrets(tokens);
    control$.next([controlConfigMessage(raw, now())]);
  };

  const requestMs = (config.request_timeout_seconds ?? DEFAULT_REQUEST_TIMEOUT_SECONDS) * 1000;
  const port = options.port ?? createAxiosPort({ headersTimeoutMs: requestMs, idleTimeoutMs: requestMs, timeoutMs: options.timeoutMs ?? Math.max(60_000, 3 * requestMs) });
  const requester = createRequester({
    config,
    port,
    now,
    onCredentials,
    ...(options.ready ? { ready: options.ready } : {}),
    ...(options.scheduler ? { scheduler: options.scheduler } : {}),
    ...(options.maxRetries !== undefined ? { maxRetries: options.maxRetries } : {}),
    ...(options.maxDelayMs !== undefined ? { maxDelayMs: options.maxDelayMs } : {}),
    ...(config.max_tokens_per_read !== undefined ? { maxTokens: config.max_tokens_per_read } : {}),
    warn: (m) => log.warn(m),
    onRateLimitWait: (ms) => { if (ms >= 1000) log.debug(`rate budget: waiting ${ms} ms`); },
    // Tell the platform why a stream is slow: RUNNING with reason RATE_LIMITED (quota reset as epoch ms).
    onRateLimited: (stream, waitMs) =>
      rateLimited$.next([streamStatusTrace(stream, 'RUNNING', now(), [{ type: 'RATE_LIMITED', rate_limited: { quota_reset: Math.round(now() + waitMs) } }])]),
  });

  const describe = (err: unknown): Described => {
    const message = redact(messageOf(err), secrets);
    return { message, failureType: failureTypeOf(err), internalMessage: err instanceof Error && err.name ? `${err.name}: ${message}` : message };
  };

  return {
    config,
    log,
    requester,
    now,
    roots: () => requester.baseUrl().pipe(map((base) => (api: 'v1' | 'v2') => apiRoot(base, api))),
    describe,
    secrets: () => secrets,
    output: (main$) => {
      const done$ = new ReplaySubject<void>(1);
      const side$ = merge(control$, log.messages$, rateLimited$);
      // When the use case ends (a stop signal included), a refresh still in flight is waited for (bounded): the
      // token endpoint may already have rotated the refresh token, and the CONTROL that persists it must go out.
      const end$ = done$.pipe(concatMap(() => requester.credentialsSettled().pipe(timeout({ first: SETTLE_MS, with: () => EMPTY }), defaultIfEmpty(undefined))));
      return merge(
        new Observable<AirbyteMessage[]>((subscriber) => {
          const sub = side$.subscribe(subscriber);
          const end = end$.subscribe({ complete: () => subscriber.complete() });
          return () => { sub.unsubscribe(); end.unsubscribe(); };
        }),
        main$.pipe(finalize(() => { done$.next(); done$.complete(); })),
      );
    },
  };
}
