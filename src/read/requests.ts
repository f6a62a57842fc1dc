/** Building Pipedrive requests from stream definitions, and selecting records from responses. */
import type { HttpRequest, QueryValue } from '../http/port.js';
import type { Flatten, StreamDefinition } from '../../streams/types.js';
import type { JsonObject } from '../protocol.js';
import { valueAt } from '../valueAt.js';

export interface RequestOptions {
  /** Root of the definition's API version, e.g. `https://api.pipedrive.com/api/v2`. */
  readonly root: string;
  /**
   * Lower bound of the modification time (normalised `YYYY-MM-DDTHH:MM:SSZ`, the form v2 and the v1 endpoints that
   * filter — /notes, /leads — take), for server-side incremental reads.
   */
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
  if (def.paging.kind !== 'none' && def.pageSize !== undefined) params['limit'] = def.pageSize;
  const server = def.incremental === 'server' ? def.serverParams : undefined;
  if (server !== undefined) {
    Object.assign(params, server.sort);
    if (opts.since !== undefined) params[server.since] = opts.since;
  }
  return { method: 'GET', url: opts.root + path, params };
}

/**
 * Records of a page body at the definition's selector (default `data`): the array there, or none for Pipedrive's
 * `data: null` of an empty v1 list (`assertPage` has checked that the body is a page); for a stream that
 * `flatten`s, the items of those records instead.
 */
export function selectRecords(def: StreamDefinition, body: unknown): JsonObject[] {
  const node = valueAt(body, def.recordSelector ?? 'data');
  const records = Array.isArray(node) ? (node as JsonObject[]) : [];
  return def.flatten ? flattenRecords(records, def.flatten) : records;
}

/**
 * The items of each record's `items` array (objects only; records without one give none), each with the record's
 * `parentKey` value first, under `as`: `[{field_code: 'a', options: [{id: 1}]}]` → `[{field_key: 'a', id: 1}]`.
 */
export function flattenRecords(records: readonly JsonObject[], flatten: Flatten): JsonObject[] {
  const out: JsonObject[] = [];
  for (const record of records) {
    const items = record[flatten.items];
    if (!Array.isArray(items)) continue;
    const parent = record[flatten.parentKey] ?? null;
    for (const item of items) {
      if (typeof item === 'object' && item !== null && !Array.isArray(item)) out.push({ [flatten.as]: parent, ...item });
    }
  }
  return out;
}
