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
 * `include_fields` of API v2 `/deals` and `/deals/archived`: every value of the OpenAPI enum (the counts and
 * last-activity fields v1 returned by default), asked for with `include_v1_fields` (no extra token cost).
 */
export const dealIncludeFields = {
  includeFields: [
    'next_activity_id', 'last_activity_id', 'first_won_time', 'products_count', 'files_count', 'notes_count', 'followers_count',
    'email_messages_count', 'activities_count', 'done_activities_count', 'undone_activities_count', 'participants_count',
    'last_incoming_mail_time', 'last_outgoing_mail_time', 'smart_bcc_email', 'source_lead_id',
  ],
} as const satisfies Fragment;

/**
 * The field history of a deal, person or organization (`GET /v1/{entity}/{id}/changelog`, one request chain per
 * parent): cursor paging with `additional_data.next_cursor` like API v2, 500 entries a page (the endpoint documents
 * no maximum; 500 is the most any Pipedrive list takes). Entries carry no id and no parent: the engine adds the
 * parent's id and `change_seq`, which tells apart changes of one field within one second (see `Sequence`).
 */
export const changelog = {
  api: 'v1',
  paging: { kind: 'cursor' },
  pageSize: 500,
  sequence: { field: 'change_seq', groupBy: ['time', 'field_key'] },
  cursorField: 'time',
  incremental: 'client',
  tokenCost: 20,
} as const satisfies Fragment;

/** One record per option of every field of a `*Fields` list that has options, keyed by the field's `field_code`. */
export const fieldOptions = {
  ...v2List,
  flatten: { items: 'options', parentKey: 'field_code', as: 'field_key' },
  primaryKey: [['field_key'], ['id']],
  incremental: 'none',
  tokenCost: 10,
} as const satisfies Fragment;

/**
 * `detect_deletes`: the cheapest complete list of ids of a v2 entity is its own list sorted by id (500 ids, 10 tokens a
 * page; the API has no field selector). Deleted items are not listed, so an id that leaves it was deleted or merged.
 */
export const sweepById = { sweep: { params: { sort_by: 'id' } } } as const satisfies Fragment;
