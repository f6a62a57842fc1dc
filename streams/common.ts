/** Fragments that many stream definitions share; spread them into a definition. */
import type { StreamDefinition } from './types.js';

type Fragment = Partial<StreamDefinition>;

/** An API v2 list endpoint: cursor paging, 500 records per page. */
export const v2List = { api: 'v2', paging: { kind: 'cursor' }, pageSize: 500 } as const satisfies Fragment;

/** One request, no paging. */
export const unpaged = { paging: { kind: 'none' } } as const satisfies Fragment;

/** API v1 offset paging with the pagination object at `additional_data.pagination` (most v1 lists). */
export const v1Offset = { paging: { kind: 'offset', pagination: 'additional_data.pagination' } } as const satisfies Fragment;

/** API v1 offset paging where the spec puts `start`/`limit`/`more_items_in_collection` straight into `additional_data` (/leads). */
export const v1FlatOffset = { paging: { kind: 'offset', pagination: 'additional_data' } } as const satisfies Fragment;

/** API v1 offset paging on an endpoint that sends no pagination object: paging goes on while a page is full. */
export const v1OffsetWhileFull = { paging: { kind: 'offset', pagination: 'none' } } as const satisfies Fragment;

/** Fan-out children whose parent is gone (404, 410) or forbidden (403) skip that parent and go on. */
export const skipGoneParents = [403, 404, 410] as const;

/** A stream of a Pipedrive plan feature (Growth plans and above, the Projects feature): 402 ends it with a WARN. */
export const planGated = { unavailableOn: [402] } as const satisfies Fragment;

/** Keyed by `id`. */
export const byId = { primaryKey: [['id']] } as const satisfies Fragment;

/** Incremental through the server's `updated_since` filter, sorted by `update_time` ascending (API v2). */
export const serverByUpdateTime = {
  cursorField: 'update_time',
  incremental: 'server',
  serverParams: { since: 'updated_since', sort: { sort_by: 'update_time', sort_direction: 'asc' } },
} as const satisfies Fragment;

/** Incremental by filtering `update_time` in the connector (the API cannot filter or sort by it). */
export const clientByUpdateTime = { cursorField: 'update_time', incremental: 'client' } as const satisfies Fragment;

/** Incremental through `updated_since` on the v1 endpoints that have it (/notes, /leads), sorted with `sort=update_time ASC`. */
export const v1ServerByUpdateTime = {
  cursorField: 'update_time',
  incremental: 'server',
  serverParams: { since: 'updated_since', sort: { sort: 'update_time ASC' } },
} as const satisfies Fragment;

/** Deleted records carry `is_deleted: true` (deals, v2 entities, users). */
export const deletedWhenIsDeleted = { deleted: { field: 'is_deleted', equals: true } } as const satisfies Fragment;

/** Pipedrive's delete marks these v1 records inactive: `active_flag: false`. */
export const deletedWhenInactive = { deleted: { field: 'active_flag', equals: false } } as const satisfies Fragment;

/** Deleted records carry the v1 `deleted_flag` (mail, legacy teams). */
export const deletedWhenFlagged = { deleted: { field: 'deleted_flag', equals: true } } as const satisfies Fragment;

/**
 * `detect_deletes`: the cheapest complete list of ids of a v2 entity is its own list sorted by id (500 ids, 10 tokens a
 * page; the API has no field selector). Deleted items are not listed, so an id that leaves it was deleted or merged.
 */
export const sweepById = { sweep: { params: { sort_by: 'id' } } } as const satisfies Fragment;
