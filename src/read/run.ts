/**
 * The `read` use case: every selected stream is an Observable of message batches; they are merged with
 * `num_workers` concurrency into one Observable of messages (which the session merges with its LOG and CONTROL
 * messages, and the CLI writes to the sink).
 *
 * ```
 * stream A ─stages─status─┐
 * stream B ─stages─status─┼─ mergeStreams(num_workers) ─▶ messages
 * stream C ─stages─status─┘
 * ```
 *
 * This module owns: the per-page stages of each stream (delete marker, then custom fields), the id sweep of
 * `detect_deletes` (src/read/idSweep.ts), the stream statuses,
 * stopping every stream (a signal, a spent daily budget), and the merge. STATE is owned by `checkpoint`.
 */
import { Observable, ReplaySubject, Subject, concatMap, defer, finalize, from, map, merge, tap, type Subscription } from 'rxjs';
import type { AirbyteMessage } from '../protocol.js';
import { ReadStoppedError, endsRead } from '../errors.js';
import { errorTrace } from '../protocol.js';
import { mergeStreams } from '../../operators/index.js';
import type { Session } from '../session.js';
import { DEFAULT_FANOUT_CONCURRENCY } from '../config/types.js';
import { customFieldOptions, customFieldStages, type CustomFieldStage } from '../customFields/index.js';
import { deleteMarker } from '../deletes.js';
import { isIncremental, pagesOf, readStream, startCursor, type PageStage, type StreamContext, type StreamPlan } from './readStream.js';
import { detectsDeletes, idSweep } from './idSweep.js';
import { withStreamStatus } from './withStreamStatus.js';
import { keyGate, skippedMessage } from './primaryKey.js';
import { TOKENS_SPENT, predictCost, previewLine, spendLine, type CostPrediction } from './costPreview.js';
import { countsFor } from './estimates.js';

export interface ReadOptions {
  /** Emits an error when the read must stop (a signal); every stream ends INCOMPLETE after its last safe STATE. */
  readonly stop$?: Observable<Error>;
  /** Gets the cost preview once it is known, before the streams start (the progress display). */
  readonly onPreview?: (predictions: readonly CostPrediction[]) => void;
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

export interface ReadRun {
  /** The read's messages (subscribe once). */
  readonly messages$: Observable<AirbyteMessage[]>;
  /** How the read went, once `messages$` has completed. */
  outcome(): ReadOutcome;
}

/** Two per-page functions, one after the other. */
const then = (first: PageStage, second: PageStage): PageStage => (records) => second(first(records));

/** The read of `plans` in `session`. */
export function read(session: Session, plans: readonly StreamPlan[], options: ReadOptions = {}): ReadRun {
  const { config, log, requester, now } = session;
  const stop$ = new ReplaySubject<Error>(1);
  /** The read's own messages: the one TRACE ERROR of a stop that no stream met (a signal, the circuit breaker). */
  const own$ = new Subject<AirbyteMessage[]>();
  let stoppedBy: Error | undefined;
  let failed = false;
  /** The cost preview, once the counts are known. */
  let predictions: CostPrediction[] | undefined;
  /**
   * Stops every stream: each ends with its last safe STATE and INCOMPLETE. The reason is reported once: by the stream
   * that met it (`byStream`), or here.
   */
  const stop = (reason: Error, byStream = false): void => {
    if (stoppedBy) return;
    stoppedBy = reason;
    failed = true;
    if (!byStream) {
      const d = session.describe(reason);
      log.error(d.message);
      own$.next([errorTrace(d.message, d.failureType, { internalMessage: d.internalMessage, now: now() })]);
    }
    stop$.next(new ReadStoppedError(reason));
  };

  const streamOf = (plan: StreamPlan, ctx: StreamContext, customFields: CustomFieldStage): Observable<AirbyteMessage[]> => {
    const { def } = plan;
    // The per-page stages: records without a primary key are skipped (counted, one WARN), then deletes are marked from
    // the API's own fields (`_ab_cdc_deleted_at`) before custom fields are renamed or relabelled.
    const keys = keyGate(def);
    const stages$ = customFields(def, plan.catalogSchema).pipe(map((cf) => then(then(keys.stage, deleteMarker(def, now)), cf)));
    // detect_deletes: an incremental read of a stream with an id sweep ends with the tombstones of the ids gone.
    const tail = detectsDeletes(config) && def.sweep && isIncremental(plan) ? idSweep(plan, ctx) : undefined;
    const warnSkipped = (): void => {
      if (keys.skipped() > 0) log.warn(skippedMessage(def.name, def, keys.skipped()));
    };
    return readStream(plan, ctx, stages$, tail).pipe(
      tap({ complete: warnSkipped, error: warnSkipped }),
      withStreamStatus(def.name, {
        now,
        describe: (err) => session.describe(err),
        onError: (err) => {
          failed = true;
          if (err instanceof ReadStoppedError) return;
          // A spent daily budget, a reset too far off or the token cap ends every stream now, each with its last safe
          // STATE; the first stream to meet it reports it.
          if (endsRead(err) && stoppedBy === undefined) stop(err as Error, true);
          else if (endsRead(err)) return;
          log.error(`${def.name}: ${session.describe(err).message}`);
        },
        reports: (err) => !(err instanceof ReadStoppedError) && !(endsRead(err) && stoppedBy !== err),
      }),
    );
  };

  const main$ = defer(() => {
    const external: Subscription | undefined = options.stop$?.subscribe((err) => stop(err));
    // The circuit breaker: requests of every stream keep failing with network errors.
    const breaker = requester.unreachable$.subscribe((err) => stop(err));
    return session.roots().pipe(
      concatMap((root) => {
        const base: StreamContext = {
          request: requester.request,
          root,
          startDate: config.replication_start_date,
          now,
          log: (level, message) => log[level](message),
          stop$,
          fanoutConcurrency: config.fanout_concurrency ?? DEFAULT_FANOUT_CONCURRENCY,
          // A complete read's final STATE carries what it spent: the next run's cost preview.
          finalState: (stream) => ({ [TOKENS_SPENT]: requester.tokens.get(stream) ?? 0 }),
          includeV1Fields: config['include_v1_fields'] !== false,
        };
        // What the API can count is asked once, before the streams start: the cost preview and the estimates.
        return countsFor(plans, base).pipe(
          concatMap((counts) => {
            const ctx: StreamContext = { ...base, counts };
            predictions = plans.map((p) => predictCost(p, startCursor(p, config.replication_start_date), counts));
            log.info(previewLine(predictions));
            options.onPreview?.(predictions);
            // Custom field definitions are read once, before the streams start, when records are renamed or relabelled.
            return customFieldStages((def) => pagesOf(def, ctx), plans.map((p) => p.def), customFieldOptions(config)).pipe(
              concatMap((stage) => from(plans).pipe(map((plan) => streamOf(plan, ctx, stage)), mergeStreams<AirbyteMessage[]>(config.num_workers))),
            );
          }),
        );
      }),
      finalize(() => {
        external?.unsubscribe();
        breaker.unsubscribe();
        const spent = [...requester.tokens].map(([s, t]) => `${s}=${t}`).join(', ');
        log.info(`Read finished: ${requester.requestCount()} requests; API tokens spent per stream: ${spent || 'none'}`);
        if (predictions) log.info(spendLine(predictions, requester.tokens, requester.tokensSpent()));
        own$.complete();
      }),
    );
  });
  const messages$ = merge(own$, main$);

  return {
    messages$,
    outcome: () => ({ failed, ...(stoppedBy ? { stoppedBy } : {}), tokens: requester.tokens, requests: requester.requestCount() }),
  };
}
