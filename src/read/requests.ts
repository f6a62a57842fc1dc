/** Building Pipedrive requests from stream definitions, and selecting records from responses. */
import type { HttpRequest, QueryValue } from '../http/port.js';
import type { ApiVersion, StreamDefinition } from '../../streams/types.js';
import type { JsonObject } from '../protocol.js';
import { valueAt } from '../valueAt.js';

const DEFAULT_SERVER_PARAMS = { since: 'updated_since', sort: { sort_by: 'update_time', sort_direction: 'asc' } } as const;

/**
 * `updated_since` as the API takes it: RFC 3339 `YYYY-MM-DDTHH:MM:SSZ`, for v2 and for the v1
 * endpoints that have it (/notes, /leads document the same form), never fractions or a space.
 */
export function formatSince(_api: ApiVersion, isoCursor: string): string {
  return isoCursor;
}

export interface RequestOptions {
  /** Root of the definition's API version, e.g. `https://api.pipedrive.com/api/v2`. */
  readonly root: string;
  /** Lower bound of the modification time (normalised), for server-side incremental reads. */
  readonly since?: string | undefined;
  /** Extra query parameters (a partition, batched parent ids). */
  readonly params?: Readonly<Record<string, QueryValue>>;
  /** Replaces `{id}` in the path. */
  readonly id?: string | number;
}

/** The first page request of a stream. */
export function firstRequest(def: StreamDefinition, opts: RequestOptions): HttpRequest {
  const path = opts.id === undefined ? def.path : def.path.replace('{id}', encodeURIComponent(String(opts.id)));
  const params: Record<string, QueryValue> = { ...def.params, ...opts.params };
  if (def.paging !== 'none' && def.pageSize !== undefined) params['limit'] = def.pageSize;
  if (def.incremental === 'server') {
    const server = def.serverParams ?? DEFAULT_SERVER_PARAMS;
    Object.assign(params, server.sort);
    if (opts.since !== undefined) params[server.since] = formatSince(def.api, opts.since);
  }
  return { method: 'GET', url: opts.root + path, params };
}

/** Records of a response body at the definition's selector (default `data`); null or absent → []. */
export function selectRecords(def: StreamDefinition, body: unknown): JsonObject[] {
  const node = valueAt(body, def.recordSelector ?? 'data');
  if (Array.isArray(node)) return node as JsonObject[];
  if (node !== null && typeof node === 'object') return [node as JsonObject];
  return [];
}
