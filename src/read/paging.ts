/**
 * Pipedrive's paging rules, as `NextRequest` functions for the generic `paginate` operator: where the next cursor
 * or offset lives in a page, and when a chain ends. Which rule a stream uses is data (`StreamDefinition.paging`).
 *
 * A server that says there is more but does not move on (the cursor just used, a `next_start` that does not advance)
 * fails the chain with a `PagingError`: stopping there would claim a complete stream the server said was not.
 */
import type { NextRequest } from '../../operators/index.js';
import type { Paging } from '../../streams/types.js';
import type { HttpRequest, HttpResponse, QueryValue } from '../http/port.js';
import { valueAt } from '../valueAt.js';
import { SystemError } from '../errors.js';

type PageRule = NextRequest<HttpRequest, HttpResponse>;

const objectAt = (body: unknown, path: string): Record<string, unknown> | undefined => {
  const node = valueAt(body, path);
  return typeof node === 'object' && node !== null && !Array.isArray(node) ? (node as Record<string, unknown>) : undefined;
};

/** Pipedrive's paging broke its own rules (it went in a loop, or on without end): the stream is incomplete. */
export class PagingError extends SystemError {
  override readonly name = 'PagingError';
}

/** `GET /api/v2/deals`: the request's method and path (no host, no query: nothing secret). */
export function endpointOf(request: HttpRequest): string {
  let path = request.url;
  try {
    path = new URL(request.url).pathname;
  } catch {
    // not an absolute URL: shown as it is
  }
  return `${request.method} ${path}`;
}

function withParam(request: HttpRequest, name: string, value: QueryValue): HttpRequest {
  return { ...request, params: { ...request.params, [name]: value } };
}

/**
 * API v2 cursor paging: `body.additional_data.next_cursor` (a non-empty string) gives the same
 * request with `params.cursor`; a null/absent/empty `additional_data` or `next_cursor` ends paging.
 * A `next_cursor` equal to the cursor just used is a `PagingError`.
 */
export const nextCursorRequest: PageRule = (page, request) => {
  const cursor = objectAt(page.data, 'additional_data')?.['next_cursor'];
  if (typeof cursor !== 'string' || cursor === '') return null;
  if (request.params?.['cursor'] === cursor) {
    throw new PagingError(`Pipedrive's paging of ${endpointOf(request)} went in a loop: it answered with the next_cursor it was just given, so the rest of the stream cannot be read`);
  }
  return withParam(request, 'cursor', cursor);
};

/** The offset of a request (`start`, default 0). */
const startOf = (request: HttpRequest): number => {
  const n = Number(request.params?.['start'] ?? 0);
  return Number.isFinite(n) ? n : 0;
};

/** The records array of a v1 page (`data`), if it is one. */
const recordsOf = (page: HttpResponse): unknown[] | undefined => {
  const records = valueAt(page.data, 'data');
  return Array.isArray(records) ? records : undefined;
};

/**
 * API v1 offset paging from a pagination object at `location` (`additional_data.pagination`, or
 * `additional_data` itself where the spec puts `start`/`limit`/`more_items_in_collection` there):
 * while `more_items_in_collection` is true, the same request with `params.start` = `next_start`, or,
 * where the object has none, the current start plus the records of this page. A next start that does
 * not move past the current one while there are more items is a `PagingError`.
 */
export function offsetRequestAt(location: 'additional_data.pagination' | 'additional_data'): PageRule {
  return (page, request) => {
    const pagination = objectAt(page.data, location);
    if (pagination?.['more_items_in_collection'] !== true) return null;
    const current = startOf(request);
    const given = pagination['next_start'];
    const next = typeof given === 'number' && Number.isFinite(given) ? given : current + (recordsOf(page)?.length ?? 0);
    if (next <= current) {
      throw new PagingError(
        `Pipedrive's paging of ${endpointOf(request)} did not move on: it said there are more items but gave the next start ${next} after start ${current}, so the rest of the stream cannot be read`,
      );
    }
    return withParam(request, 'start', next);
  };
}

/** API v1 offset paging with `additional_data.pagination` (the common v1 shape). */
export const nextOffsetRequest: PageRule = offsetRequestAt('additional_data.pagination');

/**
 * Offset paging for endpoints that page but send no pagination object (/mailbox/mailThreads,
 * /permissionSets/{id}/assignments): continue while a page comes back full (`limit` records).
 */
export const nextFullPageRequest: PageRule = (page, request) => {
  const limit = Number(request.params?.['limit']);
  const records = recordsOf(page);
  if (records === undefined || !Number.isFinite(limit) || limit <= 0 || records.length < limit) return null;
  return withParam(request, 'start', startOf(request) + records.length);
};

/** The paging rule a stream definition declares. */
export function nextRequestOf(paging: Paging): PageRule {
  switch (paging.kind) {
    case 'cursor':
      return nextCursorRequest;
    case 'offset':
      return paging.pagination === 'none' ? nextFullPageRequest : offsetRequestAt(paging.pagination);
    case 'none':
      return () => null;
  }
}
