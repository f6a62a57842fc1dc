/**
 * Pagination as an `expand`: fetch the first request, compute the next request from the page,
 * fetch it, and so on until the next request is `null`.
 */
import { EMPTY, asyncScheduler, concatMap, expand, map, observeOn, pipe } from 'rxjs';
import type { Observable, OperatorFunction, SchedulerLike } from 'rxjs';
import type { HttpRequest, HttpResponse, QueryValue } from '../src/http/port.js';

/** Computes the request for the page after `page` (fetched with `request`), or `null` after the last page. */
export type NextRequest<Q, P> = (page: P, request: Q) => Q | null;

/**
 * Expand-based pagination: for each incoming first request, fetch it, then the next one computed
 * from the page, until `next` returns `null`. Never requests after the last page. Pages are emitted
 * in order, with one request in flight per stream (incoming first requests are handled one after
 * the other). A request that equals one already made in the same chain stops the chain too
 * (a server that repeats a cursor must not loop forever).
 *
 * Each page is handed downstream through `scheduler` (default `asyncScheduler`), after the request
 * for the next page has been sent: the server prepares page n + 1 while page n is turned into
 * messages and written, so a stream's throughput is bound by the slower of the two rather than their
 * sum. Still one request in flight per stream, and at most one page waiting downstream of it.
 *
 * ```text
 * every request answers after 2 frames; next(a) = q2, next(b) = q3, next(c) = null
 * first requests:  (q|)
 * fetch(q):        ^-!
 * fetch(q2):       --^-!          subscribed when page a arrives
 * fetch(q3):       ----^-!
 * result:          --a-b-(c|)     no request after c
 * ```
 */
export function paginate<Q, P>(
  fetch: (request: Q) => Observable<P>,
  next: NextRequest<Q, P>,
  scheduler: SchedulerLike = asyncScheduler,
): OperatorFunction<Q, P> {
  return pipe(
    concatMap((first: Q) => {
      const seen = new Set<string>();
      const remember = (request: Q): boolean => {
        const key = keyOf(request);
        if (key === undefined) return true;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      };
      remember(first);
      const step = (request: Q): Observable<{ page: P; request: Q }> =>
        fetch(request).pipe(map((page) => ({ page, request })));
      return step(first).pipe(
        expand(({ page, request }) => {
          const following = next(page, request);
          return following === null || !remember(following) ? EMPTY : step(following);
        }, 1),
        map(({ page }) => page),
        // The request for the next page is on its way before this page is handed downstream.
        observeOn(scheduler),
      );
    }),
  );
}

/** A stable identity of a request for loop detection; `undefined` when it cannot be serialised. */
function keyOf(request: unknown): string | undefined {
  try {
    return JSON.stringify(request);
  } catch {
    return undefined;
  }
}

type Body = { additional_data?: unknown } | null | undefined;

function additionalData(response: HttpResponse): Record<string, unknown> | undefined {
  const data = (response.data as Body)?.additional_data;
  return typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : undefined;
}

function withParam(request: HttpRequest, name: string, value: QueryValue): HttpRequest {
  return { ...request, params: { ...request.params, [name]: value } };
}

/**
 * API v2 cursor paging: `body.additional_data.next_cursor` (a non-empty string) gives the same
 * request with `params.cursor`; a null/absent/empty `additional_data` or `next_cursor` ends paging,
 * and so does a `next_cursor` equal to the cursor just used.
 */
export const nextCursorRequest: NextRequest<HttpRequest, HttpResponse> = (page, request) => {
  const cursor = additionalData(page)?.['next_cursor'];
  if (typeof cursor !== 'string' || cursor === '') return null;
  if (request.params?.['cursor'] === cursor) return null;
  return withParam(request, 'cursor', cursor);
};

/**
 * API v1 offset paging: `more_items_in_collection` and a numeric `next_start`, read from
 * `body.additional_data.pagination` or (as /leads, /leadFields and /deals/{id}/flow answer) straight
 * from `body.additional_data`, give the same request with `params.start = next_start`.
 * `more_items_in_collection` false, or a `next_start` that does not move past the current `start`,
 * ends paging. Endpoints that page but send no pagination object (/mailbox/mailThreads,
 * /permissionSets/{id}/assignments) continue while a page comes back full (`limit` records).
 */
export const nextOffsetRequest: NextRequest<HttpRequest, HttpResponse> = (page, request) => {
  const additional = additionalData(page);
  const nested = additional?.['pagination'];
  const pagination = typeof nested === 'object' && nested !== null
    ? (nested as Record<string, unknown>)
    : additional !== undefined && 'more_items_in_collection' in additional ? additional : undefined;
  const current = Number(request.params?.['start'] ?? 0);
  if (pagination === undefined) {
    const limit = Number(request.params?.['limit']);
    const records = (page.data as { data?: unknown } | null)?.data;
    if (!Array.isArray(records) || !Number.isFinite(limit) || limit <= 0 || records.length < limit) return null;
    return withParam(request, 'start', (Number.isFinite(current) ? current : 0) + records.length);
  }
  const { more_items_in_collection: more, next_start: nextStart } = pagination;
  if (more !== true || typeof nextStart !== 'number' || !Number.isFinite(nextStart)) return null;
  if (Number.isFinite(current) && nextStart <= current) return null;
  return withParam(request, 'start', nextStart);
};
