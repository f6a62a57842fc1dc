/**
 * What the API can count before a read: `estimate` endpoints (v1 `/deals/summary` → `data.total_count`). Counts give
 * the TRACE ESTIMATE of a full read (the progress ETA, emitted by readStream) and the cost preview
 * (src/read/costPreview.ts). Each count is
 * asked once per read, before the streams start, and charged to the first stream that needs it. Asking never fails
 * a stream: a failed count is a WARN (except a reason to end the whole read, such as the token cap).
 */
import { EMPTY, Observable, catchError, concatMap, from, map, of, reduce } from 'rxjs';
import type { StreamDefinition } from '../../streams/types.js';
import { endsRead, messageOf } from '../errors.js';
import { valueAt } from '../valueAt.js';
import { countKey, countedBy, type Count } from './costPreview.js';
import { startCursor, type StreamContext, type StreamPlan } from './readStream.js';

/** The count of `source`'s estimate endpoint, the request charged to `chargeTo`; nothing when it cannot be had. */
export function countOf(source: StreamDefinition, chargeTo: string, ctx: Pick<StreamContext, 'request' | 'root' | 'log'>): Observable<number> {
  const est = source.estimate;
  if (!est) return EMPTY;
  return ctx.request({ name: chargeTo, tokenCost: est.tokenCost }, { method: 'GET', url: ctx.root(est.api) + est.path }).pipe(
    concatMap((res) => {
      const node = valueAt(res.data, est.total);
      return typeof node === 'number' && Number.isInteger(node) && node >= 0 ? of(node) : EMPTY;
    }),
    catchError((err: unknown) => {
      // A reason to end the whole read (the token cap, a spent budget) is not a missing estimate.
      if (endsRead(err)) throw err;
      ctx.log('warn', `${chargeTo}: no estimate (${messageOf(err)})`);
      return EMPTY;
    }),
  );
}

/** The counts a read's full reads need (own estimates and fan-out parents'), each endpoint asked once. */
export function countsFor(plans: readonly StreamPlan[], ctx: Pick<StreamContext, 'request' | 'root' | 'log' | 'startDate'>): Observable<ReadonlyMap<string, Count>> {
  const wanted = new Map<string, { source: StreamDefinition; chargeTo: string }>();
  for (const plan of plans) {
    const source = countedBy(plan.def);
    const key = source ? countKey(source) : undefined;
    if (!source || key === undefined || wanted.has(key) || startCursor(plan, ctx.startDate) !== undefined) continue;
    wanted.set(key, { source, chargeTo: plan.def.name });
  }
  return from(wanted).pipe(
    concatMap(([key, { source, chargeTo }]) => countOf(source, chargeTo, ctx).pipe(map((total) => [key, { total, chargedTo: chargeTo }] as const))),
    reduce((all, [key, count]) => all.set(key, count), new Map<string, Count>()),
  );
}
