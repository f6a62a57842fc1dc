/** Types shared by the generic operators (no dependency beyond RxJS). */

/** Computes the request for the page after `page` (fetched with `request`), or `null` after the last page. */
export type NextRequest<Q, P> = (page: P, request: Q) => Q | null;
