/** Fragments that many stream definitions share; spread them into a definition. */
import type { StreamDefinition } from './types.js';

type Fragment = Partial<StreamDefinition>;

/** An API v2 list endpoint: cursor paging, 500 records per page. */
export const v2List = { api: 'v2', paging: 'cursor', pageSize: 500 } as const satisfies Fragment;

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
