/**
 * The `read` pipeline: every selected stream is an Observable of message batches; they are
 * merged with `num_workers` concurrency into the one sink.
 *
 * ```
 * stream A ─status─┐
 * stream B ─status─┼─ mergeStreams(num_workers) ─┬─ sink.write() ─▶ stdout
 * stream C ─status─┘                             │
 * LOG / CONTROL side messages ───────────────────┘
 * ```
 */
import {
  EMPTY, Observable, ReplaySubject, Subject, catchError, concat, concatMap, concatWith, defer, from,
  finalize, lastValueFrom, map, merge, of, takeUntil, tap, throwError, type SchedulerLike,
} from 'rxjs';
import type { HttpPort } from '../http/port.js';
import type { ConnectorConfig, OAuthCredentials } from '../config/types.js';
import { secretsOf } from '../config/types.js';
import {
  controlConfigMessage, stateMessage, streamStatusTrace, type AirbyteMessage, type JsonObject,
} from '../protocol.js';
import { RateLimitError, failureTypeOf, messageOf, redact } from '../errors.js';
import { createRequester } from './requester.js';
import { apiRoot } from '../http/urls.js';
import { mergeStreams, withStreamStatus } from '../../operators/index.js';
import type { Logger } from '../log.js';
import type { Sink } from '../sink.js';
import type { Progress } from '../progress.js';
import { isIncremental, readStream, startCursor, type StreamContext, type StreamPlan } from './readStream.js';
import { customFieldOptions, withCustomFieldTransforms } from '../customFields.js';

export interface ReadDeps {
  readonly config: ConnectorConfig;
  /** The raw config as the platform stores it, for CONTROL messages that persist rotated tokens. */
  readonly rawConfig: Record<string, unknown>;
  readonly plans: readonly StreamPlan[];
  readonly port: HttpPort;
  readonly sink: Sink;
  readonly log: Logger;
  /** Emits an error when the read must stop (a signal); the pipeline ends every stream INCOMPLETE. */
  readonly stop$?: Observable<Error>;
  readonly scheduler?: SchedulerLike;
  readonly now?: () => number;
  /** Sees every batch on its way to the sink (the progress display). */
  readonly progress?: Progress;
}

export interface ReadOutcome {
  /** Some stream failed (exit 1). */
  readonly failed: boolean;
  /** Why the read was stopped early, if it was. */
  readonly stoppedBy?: Error;
  /** API tokens spent per stream (answered requests × x-token-cost). */
  readonly tokens: ReadonlyMap<string, number>;
  readonly requests: number;
}

/** Runs a read to its end and resolves when everything written has been handed to the sink. */
export async function runRead(deps: ReadDeps): Promise<ReadOutcome> {
  const { config, log, sink } = deps;
  const now = deps.now ?? Date.now;
  const secrets = secretsOf(config);
  log.addSecrets(secrets);
  const side$ = new Subject<AirbyteMessage[]>();
  const logSub = log.messages$.subscribe((m) => side$.next(m));
  let rawConfig = deps.rawConfig;

  const requester = createRequester({
    config,
    port: deps.port,
    now,
    ready: () => sink.ready(),
    ...(deps.scheduler ? { scheduler: deps.scheduler } : {}),
    onCredentials: (credentials: OAuthCredentials) => {
      rawConfig = { ...rawConfig, credentials: { ...credentials } };
      log.addSecrets([credentials.refresh_token, credentials.access_token ?? '']);
      side$.next([controlConfigMessage(rawConfig, now())]);
    },
    warn: (m) => log.warn(m),
    onRateLimitWait: (ms) => { if (ms >= 1000) log.debug(`rate budget: waiting ${ms} ms`); },
    // Tell the platform why a stream is slow: RUNNING with reason RATE_LIMITED (quota reset as epoch ms).
    onRateLimited: (stream, waitMs) =>
      side$.next([streamStatusTrace(stream, 'RUNNING', now(), [{ type: 'RATE_LIMITED', rate_limited: { quota_reset: Math.round(now() + waitMs) } }])]),
  });
  const { request, tokens } = requester;

  const stop$ = new ReplaySubject<Error>(1);
  let stoppedBy: Error | undefined;
  const stop = (err: Error): void => {
    if (stoppedBy) return;
    stoppedBy = err;
    stop$.next(err);
  };
  const stopSub = deps.stop$?.subscribe(stop);
  let failed = false;

  const describe = (err: unknown) => ({ message: redact(messageOf(err), secrets), failureType: failureTypeOf(err) });

  const streamOf = (plan: StreamPlan, base: string): Observable<AirbyteMessage[]> => {
    const ctx: StreamContext = {
      request,
      root: (api) => apiRoot(base, api),
      startDate: config.replication_start_date,
      now,
      log: (level, message) => log[level](message),
    };
    let lastState: JsonObject | undefined;
    const start = startCursor(plan, config.replication_start_date);
    const safeState = (): JsonObject =>
      isIncremental(plan) && start !== undefined && plan.def.cursorField !== undefined ? { [plan.def.cursorField]: start } : {};
    return readStream(plan, ctx).pipe(
      takeUntil(stop$),
      concatWith(defer(() => (stoppedBy ? throwError(() => stoppedBy) : EMPTY))),
      tap((batch) => {
        for (let i = batch.length - 1; i >= 0; i--) {
          const m = batch[i] as AirbyteMessage;
          if (m.type === 'STATE') { lastState = m.state.stream.stream_state; break; }
        }
      }),
      // A failing stream hands back its last safe STATE before INCOMPLETE: the last one it emitted
      // (every record before it is written), or, if it had none yet, the state it started from.
      catchError((err: unknown) => concat(of([stateMessage(plan.def.name, lastState ?? safeState(), 0)]), throwError(() => err))),
      withStreamStatus(plan.def.name, {
        now,
        describe,
        onError: (err) => {
          failed = true;
          log.error(`${plan.def.name}: ${describe(err).message}`);
          if (err instanceof RateLimitError && err.daily) stop(err);
        },
      }),
    );
  };

  const streams$ = requester.baseUrl().pipe(
    catchError((err: unknown) => {
      failed = true;
      throw err;
    }),
    // Custom field definitions are read once, before the streams start, when records are renamed or relabelled.
    concatMap((base) => withCustomFieldTransforms({ request, root: (api) => apiRoot(base, api) }, deps.plans, customFieldOptions(config)).pipe(
      concatMap((plans) => from(plans).pipe(map((plan) => streamOf(plan, base)), mergeStreams<AirbyteMessage[]>(config.num_workers))),
    )),
    finalize(() => {
      const spent = [...tokens].map(([s, t]) => `${s}=${t}`).join(', ');
      log.info(`Read finished: ${requester.requestCount()} requests; API tokens spent per stream: ${spent || 'none'}`);
      side$.complete();
    }),
  );

  try {
    const progress = deps.progress;
    const all$ = merge(side$, streams$);
    await lastValueFrom((progress ? all$.pipe(tap((b) => progress.observe(b))) : all$).pipe(sink.write(), takeUntil(sink.closed$)), { defaultValue: undefined });
  } finally {
    deps.progress?.stop();
    logSub.unsubscribe();
    stopSub?.unsubscribe();
  }
  return { failed, ...(stoppedBy ? { stoppedBy } : {}), tokens, requests: requester.requestCount() };
}
