/**
 * `detect_deletes: on`: deletes the lists hide. After an incremental read of a stream whose definition has a `sweep`
 * (persons, organizations, products, activities, deals), every id of the entity is listed the cheapest way the API
 * allows and compared with the ids known from before; an id that is gone gets a tombstone RECORD, which destinations
 * that apply Airbyte's CDC deletes remove.
 *
 * ```
 * stream pages ─observe(ids written)─▶ … ─▶ sweep pages ─ids─▶ S      known = previous sweep ∪ ids written by this read
 *                                                      └─▶ [tombstones of known \ S] ─▶ checkpoint (state: id_sweep = S)
 * ```
 *
 * Exactness:
 * - tombstones come only from a sweep that was read to its end; an interrupted sweep (a stop, a failure, a spent
 *   budget) adds nothing, and its STATE keeps the previous set: the next run finds the same deletions;
 * - every mid-stream STATE holds the previous set plus the ids written since (a record created after the previous
 *   sweep and deleted later still gets its tombstone); only the STATE after the last tombstone holds the new set;
 * - no previous set (the first run with `detect_deletes: on`): nothing to compare with, no tombstones but for records
 *   this read wrote itself and its own sweep no longer saw; mid-stream STATEs then carry no set (the run stays a first
 *   run until a sweep completes);
 * - a tombstone carries the stream's cursor at its highest (what the STATE holds), so it wins the destination's
 *   dedup (latest cursor first) against every version of the record written before, and `_ab_cdc_deleted_at` = the
 *   time the sweep ended.
 *
 * See docs/custom-fields-and-deletes.md.
 */
import { EMPTY, concatWith, defer, from, ignoreElements, map, tap, type Observable } from 'rxjs';
import type { StreamDefinition } from '../../streams/types.js';
import type { JsonObject } from '../protocol.js';
import { SystemError } from '../errors.js';
import { cursorOf, maxCursor } from '../cursor.js';
import { CDC_DELETED_AT } from '../deletes.js';
import { decodeIds, differenceIds, encodeIds, hasId, isId, sortedIds, unionIds, type SortedIds } from './idSet.js';
import { pagesOf, startCursor, type StreamContext, type StreamPlan, type StreamTail } from './readStream.js';

/** The key of the id set in `stream_state`. */
export const SWEEP_STATE_KEY = 'id_sweep';

/** Tombstones per page (each page is followed by its STATE). */
const TOMBSTONES_PER_PAGE = 500;

/** A share of the known ids gone at once that deserves a warning (a permission change looks like mass deletion). */
const MASS_DELETE_SHARE = 0.5;

const rfc3339 = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The `detect_deletes` config option. */
export function detectsDeletes(config: Readonly<Record<string, unknown>>): boolean {
  return config['detect_deletes'] === 'on';
}

/** The single top-level primary key field of a swept stream (the sweep needs one). */
export function sweepKey(def: Pick<StreamDefinition, 'name' | 'primaryKey'>): string {
  const pk = def.primaryKey;
  const field = pk.length === 1 && pk[0]?.length === 1 ? pk[0][0] : undefined;
  if (field === undefined) throw new SystemError(`${def.name}: an id sweep needs a single top-level primary key`);
  return field;
}

/** The definition the sweep pages through: the stream's paging and page size, the sweep's path and whole query. */
export function sweepDefinition(def: StreamDefinition): StreamDefinition {
  const sweep = def.sweep;
  if (!sweep) throw new SystemError(`${def.name} has no id sweep`);
  return {
    name: def.name,
    api: def.api,
    path: sweep.path ?? def.path,
    primaryKey: def.primaryKey,
    incremental: 'none',
    params: sweep.params,
    paging: def.paging,
    ...(def.pageSize !== undefined ? { pageSize: def.pageSize } : {}),
    ...(def.recordSelector !== undefined ? { recordSelector: def.recordSelector } : {}),
    tokenCost: sweep.tokenCost ?? def.tokenCost,
  };
}

interface Previous {
  readonly ids: SortedIds;
  /** The state value as read (written back unchanged while nothing is added). */
  readonly raw: JsonObject;
  readonly sweptAt?: string;
}

function previousOf(plan: StreamPlan, warn: (m: string) => void): Previous | undefined {
  const raw = plan.state?.[SWEEP_STATE_KEY];
  if (raw === undefined || raw === null) return undefined;
  try {
    const ids = decodeIds(raw);
    const sweptAt = (raw as JsonObject)['swept_at'];
    return { ids, raw: raw as JsonObject, ...(typeof sweptAt === 'string' ? { sweptAt } : {}) };
  } catch (err) {
    warn(
      `${plan.def.name}: the state's ${SWEEP_STATE_KEY} cannot be read (${err instanceof Error ? err.message : String(err)}), ` +
        'so this run only records the ids (no tombstones); deletions since the last sync are not detected',
    );
    return undefined;
  }
}

const stateOf = (ids: SortedIds, sweptAt: string | undefined): JsonObject =>
  ({ ...encodeIds(ids), ...(sweptAt !== undefined ? { swept_at: sweptAt } : {}) }) as unknown as JsonObject;

/**
 * The id sweep of one incremental stream read (the plan must be incremental and its definition have a `sweep`).
 */
export function idSweep(plan: StreamPlan, ctx: Pick<StreamContext, 'request' | 'root' | 'now' | 'log' | 'startDate'>): StreamTail {
  const { def } = plan;
  const key = sweepKey(def);
  const cursorField = def.cursorField;
  const start = startCursor(plan, ctx.startDate);
  const previous = previousOf(plan, (m) => ctx.log('warn', m));

  // Ids this read wrote that the previous set lacks (all of them on a first run), and the highest cursor written.
  const added = new Set<number>();
  let addedSorted: SortedIds | undefined;
  let highest: string | undefined;
  // The id_sweep value of mid-stream STATEs, recomputed only when `added` grew.
  let midState: JsonObject | undefined = previous?.raw;
  let committed: JsonObject | undefined;

  const known = (): SortedIds => {
    addedSorted ??= sortedIds(added);
    return previous ? unionIds(previous.ids, addedSorted) : addedSorted;
  };

  const observe = (records: readonly JsonObject[]): void => {
    for (const r of records) {
      const id = r[key];
      if (isId(id) && !added.has(id) && !(previous && hasId(previous.ids, id))) {
        added.add(id);
        addedSorted = undefined;
        midState = undefined;
      }
      if (cursorField !== undefined) highest = maxCursor(highest, cursorOf(r, cursorField));
    }
  };

  const extraState = (): JsonObject => {
    if (committed) return { [SWEEP_STATE_KEY]: committed };
    // A first run keeps no set until its sweep completes.
    if (!previous) return {};
    midState ??= stateOf(known(), previous.sweptAt);
    return { [SWEEP_STATE_KEY]: midState };
  };

  const pages$: Observable<readonly JsonObject[]> = defer(() => {
    const seen: number[] = [];
    let ascending = true;
    let requests = 0;
    const sweepDef = sweepDefinition(def);
    return pagesOf(sweepDef, ctx).pipe(
      tap((records) => {
        requests++;
        for (const r of records) {
          const id = r[key];
          // An id the sweep cannot read would turn into a false tombstone: fail instead (nothing is compared).
          if (!isId(id)) throw new SystemError(`${def.name}: the id sweep (${sweepDef.path}) returned a record whose ${key} is ${JSON.stringify(id)}, not a positive integer; no deletes were detected`);
          if (seen.length > 0 && id <= (seen[seen.length - 1] as number)) ascending = false;
          seen.push(id);
        }
      }),
      // The sweep's records are not written: only its result is.
      ignoreElements(),
      concatWith(defer(() => {
        const swept = ascending ? Float64Array.from(seen) : sortedIds(seen);
        const before = known();
        const gone = differenceIds(before, swept);
        const sweptAt = rfc3339(ctx.now());
        const next = stateOf(swept, sweptAt);
        const cursor = maxCursor(start, highest);
        const tokens = requests * sweepDef.tokenCost;
        ctx.log('info', `${def.name}: id sweep saw ${swept.length} ids in ${requests} requests (${tokens} API tokens); ` +
          (previous
            ? `${gone.length} of the ${before.length} known ids are gone: ${gone.length} tombstones`
            : `first sweep (no previous one in the state): ids recorded${gone.length > 0 ? `, ${gone.length} tombstones for records this read wrote and the sweep no longer saw` : ', no tombstones'}`));
        if (previous && before.length >= 20 && gone.length >= before.length * MASS_DELETE_SHARE) {
          ctx.log('warn', `${def.name}: ${gone.length} of ${before.length} known ids are gone at once. If the Pipedrive user of this connection lost access to records rather than deleting them, the tombstones remove them from the destination all the same`);
        }
        const tombstones: JsonObject[] = gone.map((id) => ({
          [key]: id,
          ...(cursorField !== undefined && cursor !== undefined ? { [cursorField]: cursor } : {}),
          [CDC_DELETED_AT]: sweptAt,
        }));
        const pages: JsonObject[][] = [];
        for (let i = 0; i < tombstones.length; i += TOMBSTONES_PER_PAGE) pages.push(tombstones.slice(i, i + TOMBSTONES_PER_PAGE));
        // The new set goes into the STATE after the last tombstone (or, without tombstones, the final STATE).
        return from(pages).pipe(
          map((page, i) => {
            if (i === pages.length - 1) committed = next;
            return page;
          }),
          concatWith(defer(() => {
            committed = next;
            return EMPTY;
          })),
        );
      })),
    );
  });

  return { observe, pages$, extraState };
}
