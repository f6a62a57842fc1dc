/**
 * Pagination as an `expand`: fetch the first request, compute the next request from the page,
 * fetch it, and so on until the next request is `null`.
 */
import { EMPTY, asyncScheduler, concatMap, expand, map, observeOn, pipe, throwError } from 'rxjs';
import type { Observable, OperatorFunction, SchedulerLike } from 'rxjs';
import type { NextRequest } from './types.js';

/** A chain's next request equals one it already made: the server's paging goes in a loop. */
export class RepeatedRequestError<Q = unknown> extends Error {
  override readonly name = 'RepeatedRequestError';
  constructor(
    /** The repeated request. */
    readonly request: Q,
    /** Pages the chain had fetched. */
    readonly pages: number,
  ) {
    super(`paging went in a loop: page ${pages + 1} would repeat an earlier request`);
  }
}

/**
 * Expand-based pagination: for each incoming first request, fetch it, then the next one computed
 * from the page, until `next` returns `null`. Never requests after the last page. Pages are emitted
 * in order, with one request in flight per chain (incoming first requests are handled one after
 * the other). A next request that equals one already made in the same chain errors with
 * `RepeatedRequestError` (after the pages before it): a server that repeats a cursor must neither
 * loop forever nor end the chain as if it were complete.
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
 *
 * next(a) = q2, next(b) = q (already made):
 * result:          --a-(b#)       RepeatedRequestError
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
      let pages = 0;
      const step = (request: Q): Observable<{ page: P; request: Q }> =>
        fetch(request).pipe(map((page) => (pages++, { page, request })));
      return step(first).pipe(
        expand(({ page, request }) => {
          const following = next(page, request);
          if (following === null) return EMPTY;
          return remember(following) ? step(following) : throwError(() => new RepeatedRequestError(following, pages));
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
