/**
 * One stream as an Observable of message batches (one batch per page):
 *
 * ```
 * requests ─paginate─▶ pages ─select─▶ records[] ─filterByCursor─▶ ─stage─▶ ─failWhen(stop)─▶ ─checkpoint─▶ [RECORD…, STATE]
 * ```
 *
 * `stage` is the per-page transform the caller composes (run.ts: delete marker, then custom fields); a `tail` (the id
 * sweep of `detect_deletes`) sees the staged pages and adds its own after them. Fan-out streams
 * first page through their parent (only parents changed since the state), then request the children of each batch
 * of parent ids. What an error answer means for the stream (fail, skip a parent, not on this plan) comes from the
 * status policy and the definition (src/http/statusPolicy.ts).
 */
import { EMPTY, Observable, catchError, concat, concatMap, defer, from, identity, map, of, pipe, reduce, tap, type OperatorFunction } from 'rxjs';
import type { HttpRequest, HttpResponse, QueryValue } from '../http/port.js';
import type { StreamDefinition } from '../../streams/types.js';
import { supportsIncremental } from '../../streams/index.js';
import { estimateTrace, type AirbyteMessage, type JsonObject, type SyncMode } from '../protocol.js';
import { countKey, type Count } from './costPreview.js';
import { HttpError, messageOf } from '../errors.js';
import { streamOutcome } from '../http/statusPolicy.js';
import { maxCursor, toIsoCursor } from '../cursor.js';
import { RepeatedRequestError, concatMapEager, failWhen, paginate } from '../../operators/index.js';
import { assertPage, guardChain } from './pageGuard.js';
import { checkpoint } from './checkpoint.js';
import { filterByCursor } from './filterByCursor.js';
import { PagingError, endpointOf, nextRequestOf } from './paging.js';
import { firstRequest, selectRecords } from './requests.js';
import { numberFromOldest } from './sequence.js';

export interface StreamContext {
  /** Sends one request of a stream (auth, rate budget, retries, backpressure and token accounting included). */
  request(def: Pick<StreamDefinition, 'name' | 'tokenCost'>, request: HttpRequest): Observable<HttpResponse>;
  /** Root URL of an API version. */
  root(api: StreamDefinition['api']): string;
  /** Normalised `replication_start_date`. */
  readonly startDate?: string | undefined;
  now(): number;
  log(level: 'info' | 'warn', message: string): void;
  /** Emits when the read must stop: the stream ends with its last safe STATE and this error. */
  readonly stop$?: Observable<Error>;
  /** Child requests of a fan-out stream in flight at once (default 1); their pages still come in parent order. */
  readonly fanoutConcurrency?: number;
  /** The counts the read asked for before the streams started (src/read/estimates.ts), by estimate endpoint. */
  readonly counts?: ReadonlyMap<string, Count>;
  /** Merged into the stream's final STATE (what its next run needs, e.g. the tokens it spent). */
  readonly finalState?: (stream: string) => JsonObject;
  /** Ask for the definitions' `includeFields` (config `include_v1_fields`; default true). */
  readonly includeV1Fields?: boolean;
}

export interface StreamPlan {
  readonly def: StreamDefinition;
  readonly syncMode: SyncMode;
  /** The stream's input state (`stream_state`), if any. */
  readonly state?: JsonObject | undefined;
  /** The stream's `json_schema` in the configured catalog (the columns the destination has), if the catalog gives one. */
  readonly catalogSchema?: JsonObject | undefined;
}

/**
 * What a stream carries beyond its own pages (`detect_deletes`, src/read/idSweep.ts): it sees every page of records
 * as it goes to the checkpoint, adds pages after the stream's last one once the stream has been read to its end, and
 * adds to every STATE (`checkpoint`'s `extraState`).
 */
export interface StreamTail {
  observe(records: readonly JsonObject[]): void;
  readonly pages$: Observable<readonly JsonObject[]>;
  extraState(): JsonObject;
}

/** A per-page function of records, applied before checkpointing. */
export type PageStage = (records: readonly JsonObject[]) => readonly JsonObject[];

/** Whether reading `plan` is an incremental read with a cursor. */
export function isIncremental(plan: StreamPlan): boolean {
  return plan.syncMode === 'incremental' && supportsIncremental(plan.def);
}

/** The cursor a read starts from: the later of the stream's state and the replication start date. */
export function startCursor(plan: StreamPlan, startDate: string | undefined): string | undefined {
  const field = plan.def.cursorField;
  if (field === undefined) return undefined;
  const fromState = isIncremental(plan) ? toIsoCursor(plan.state?.[field]) : undefined;
  return maxCursor(fromState, startDate);
}

/** The status of an HTTP answer error, if the error is one. */
const statusOf = (err: unknown): number | undefined => (err instanceof HttpError ? err.status : undefined);

/** Pages of records of `def` (every partition in turn), filtered server-side from `since` where the API can. */
export function pagesOf(
  def: StreamDefinition,
  ctx: Pick<StreamContext, 'request' | 'root'>,
  opts: { since?: string | undefined; params?: Readonly<Record<string, QueryValue>>; id?: string | number } = {},
): Observable<JsonObject[]> {
  const partitions = def.partitions ?? [{}];
  const paths = [def.path, ...(def.extraPaths ?? [])];
  // Every answer must be a page of this stream's records (src/read/pageGuard.ts).
  const fetch = (req: HttpRequest): Observable<HttpResponse> => ctx.request(def, req).pipe(map((res) => assertPage(def, req, res)));
  const next = nextRequestOf(def.paging);
  // One chain per path and partition, each with its own loop guards.
  const chain = (first: HttpRequest): Observable<JsonObject[]> =>
    of(first).pipe(
      paginate(fetch, next),
      catchError((err: unknown) => {
        if (!(err instanceof RepeatedRequestError)) throw err;
        throw new PagingError(`Pipedrive's paging of ${endpointOf(first)} went in a loop: page ${err.pages + 1} would ask for a cursor or offset already read, so the rest of the stream cannot be read`);
      }),
      map((res) => selectRecords(def, res.data)),
      guardChain(def, first),
    );
  return from(paths.flatMap((path) => partitions.map((partition) => ({ path, partition })))).pipe(
    concatMap(({ path, partition }) =>
      chain(firstRequest({ ...def, path }, {
        root: ctx.root(def.api),
        since: opts.since,
        params: { ...partition, ...opts.params },
        ...(opts.id !== undefined ? { id: opts.id } : {}),
      }))),
  );
}

/** Parents changed since `since`, as pages: server-filtered where the parent supports it, else filtered here. */
function parentPages(child: StreamDefinition, parent: StreamDefinition, ctx: StreamContext, since: string | undefined): Observable<readonly JsonObject[]> {
  // The parent's pages are part of the fan-out stream's cost: its requests are charged to the fan-out stream.
  const charged = { ...ctx, request: (d: Pick<StreamDefinition, 'name' | 'tokenCost'>, req: HttpRequest) => ctx.request({ name: child.name, tokenCost: d.tokenCost }, req) };
  const pages = pagesOf(parent, charged, { since: parent.incremental === 'server' ? since : undefined });
  return parent.incremental === 'client' && parent.cursorField !== undefined && since !== undefined
    ? pages.pipe(filterByCursor(parent.cursorField, since))
    : pages;
}

/**
 * The child pages of one parent as the definition wants them: all its pages gathered into one and numbered
 * (`sequence`, src/read/sequence.ts), and the parent's id added to each record (`fanOut.parentIdField`).
 */
function ofParent(def: StreamDefinition, parentId: string | number): OperatorFunction<JsonObject[], JsonObject[]> {
  const seq = def.sequence;
  const field = def.fanOut?.parentIdField;
  return pipe(
    seq === undefined
      ? identity
      : pipe(reduce((all: JsonObject[], page: JsonObject[]) => (all.push(...page), all), []), map((all) => numberFromOldest(all, seq))),
    // In place, as the other per-page stages: the page's records are freshly parsed and nobody else holds them.
    field === undefined ? identity : map((page) => {
      for (const record of page) record[field] = parentId;
      return page;
    }),
  );
}

/**
 * Children pages of a fan-out stream: one request (paged) per batch of parent ids, up to `fanoutConcurrency` batches
 * at once (all through the one requester, so the shared rate budget paces them), their pages in parent order: a
 * STATE after a page covers every parent before it.
 */
function childPages(def: StreamDefinition, ctx: StreamContext, since: string | undefined): Observable<readonly JsonObject[]> {
  const fan = def.fanOut;
  if (!fan) return EMPTY;
  const key = fan.parentKey ?? 'id';
  // A parent read in several partitions (a mail thread in two folders) is expanded once.
  const seen = fan.parent.partitions && fan.parent.partitions.length > 1 ? new Set<string | number>() : undefined;
  return parentPages(def, fan.parent, ctx, since).pipe(
    concatMap((parents) => {
      let ids = parents.map((p) => p[key]).filter((id): id is string | number => typeof id === 'string' || typeof id === 'number');
      if (seen) ids = ids.filter((id) => (seen.has(id) ? false : (seen.add(id), true)));
      const batches: (string | number)[][] = [];
      for (let i = 0; i < ids.length; i += fan.batchSize) batches.push(ids.slice(i, i + fan.batchSize));
      return from(batches);
    }),
    concatMapEager((batch: (string | number)[]) => {
      // Batched ids (or a single one, where the path has no `{id}`) travel in the query parameter.
      const opts = fan.param !== undefined && !def.path.includes('{id}')
        ? { params: { [fan.param]: batch.join(',') } }
        : { id: batch[0] as string | number };
      return pagesOf(def, ctx, opts).pipe(
        ofParent(def, batch[0] as string | number),
        catchError((err: unknown) => {
          // One parent gone or forbidden must not fail the whole stream: skip it and say so.
          if (streamOutcome(def, statusOf(err), true).kind === 'skipParent') {
            ctx.log('warn', `${def.name}: skipped ${fan.parent.name} ${batch.join(',')}: ${messageOf(err)}`);
            return EMPTY;
          }
          throw err;
        }),
      );
    }, ctx.fanoutConcurrency ?? 1),
  );
}

const unchanged: PageStage = (records) => records;

/**
 * The whole stream as message batches: records of each page followed by their STATE. `stage$` gives the per-page
 * stage once (or fails, and the stream with it, after its last safe STATE).
 */
export function readStream(
  plan: StreamPlan,
  ctx: StreamContext,
  stage$: Observable<PageStage> = of(unchanged),
  tail?: StreamTail,
): Observable<AirbyteMessage[]> {
  return defer(() => {
    const { def } = plan;
    const incremental = isIncremental(plan);
    const since = startCursor(plan, ctx.startDate);
    const cursorField = def.cursorField;
    const serverFiltered = def.incremental === 'server' && !def.fanOut;
    // The fields v2 returns only when asked (never asked of a fan-out's parents: they give only their ids).
    const include = def.includeFields && def.includeFields.length > 0 && ctx.includeV1Fields !== false ? { include_fields: def.includeFields.join(',') } : {};
    const pages: Observable<readonly JsonObject[]> = (def.fanOut
      ? childPages(def, ctx, since)
      : pagesOf(def, ctx, { since: serverFiltered ? since : undefined, params: include })
    ).pipe(
      catchError((err: unknown) => {
        // A stream the plan lacks ends here, with what it has (nothing) and its STATE, instead of failing the read.
        if (streamOutcome(def, statusOf(err), false).kind !== 'unavailable') throw err;
        ctx.log('warn', `${def.name} is not available on this Pipedrive plan, so it has no records: ${messageOf(err)}. Deselect the stream or upgrade the plan`);
        return EMPTY;
      }),
    );
    const filtered = cursorField !== undefined && since !== undefined && !serverFiltered
      ? pages.pipe(filterByCursor(cursorField, since))
      : pages;
    const staged = stage$.pipe(concatMap((stage) => filtered.pipe(map((records) => stage(records)))));
    const written = tail ? concat(staged.pipe(tap((records) => tail.observe(records))), tail.pages$) : staged;
    // A total is only an estimate of this read when the read is not bounded below by a cursor; the read asked the
    // counts before the streams started (src/read/estimates.ts).
    const key = countKey(def);
    const known = since === undefined && !def.fanOut && key !== undefined ? ctx.counts?.get(key) : undefined;
    const estimate = known ? of([estimateTrace(def.name, known.total, ctx.now())]) : EMPTY;
    const stop$ = ctx.stop$;
    return concat(estimate, (stop$ ? written.pipe(failWhen(stop$)) : written).pipe(
      checkpoint({
        stream: def.name,
        ...(incremental && cursorField !== undefined ? { cursorField } : {}),
        ...(incremental && since !== undefined ? { start: since } : {}),
        ordered: serverFiltered,
        perPage: incremental,
        now: () => ctx.now(),
        ...(ctx.finalState ? { finalState: () => ctx.finalState?.(def.name) ?? {} } : {}),
        ...(tail ? { extraState: () => tail.extraState() } : {}),
      }),
    ));
  });
}
