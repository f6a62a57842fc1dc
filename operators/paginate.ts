/**
 * Pagination as an `expand`: fetch the first request, compute the next request from the page,
 * fetch it, and so on until the next request is `null`.
 */
import { EMPTY, asyncScheduler, concatMap, expand, map, observeOn, pipe } from 'rxjs';
import type { Observable, OperatorFunction, SchedulerLike } from 'rxjs';
import type { NextRequest } from './types.js';

/**
 * Expand-based pagination: for each incoming first request, fetch it, then the next one computed
 * from the page, until `next` returns `null`. Never requests after the last page. Pages are emitted
 * in order, with one request in flight per chain (incoming first requests are handled one after
 * the other). A request that equals one already made in the same chain stops the chain too
 * (a server that repeats a cursor must not loop forever).
 *
 * Each page is handed downstream through `scheduler` (default `asyncScheduler`), after the request
 * for the next page has been sent: the server prepares page n + 1 while page n is turned into
 * messages and written, so a chain's throughput is bound by the slower of the two rather than their
 * sum. Still one request in flight per chain, and at most one page waiting downstream of it.
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
