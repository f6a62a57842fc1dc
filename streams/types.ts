/**
 * A Pipedrive stream is data, not a class: where to read it, how it pages, how it is keyed,
 * and how incremental reads work. The read engine (`src/read/`) turns a definition into an
 * Observable with the generic operators of `operators/` and the Pipedrive rules of `src/read/`.
 */
import type { QueryValue } from '../src/http/port.js';

export type ApiVersion = 'v1' | 'v2';

/**
 * - `server`: the API filters by `updated_since` and returns records in cursor order.
 * - `client`: the API cannot filter; the connector filters by cursor and keeps the start cursor
 *   until the stream has been read to its end.
 * - `none`: full refresh only (records carry no modification time).
 */
export type IncrementalKind = 'server' | 'client' | 'none';

/**
 * How a stream pages (src/read/paging.ts):
 * - `cursor`: API v2 `cursor` / `additional_data.next_cursor`;
 * - `offset`: API v1 `start` / `limit`, with the pagination object (`more_items_in_collection`, `next_start`) at
 *   `additional_data.pagination`, or at `additional_data` itself where the spec puts it there, or `none` where the
 *   endpoint sends none (paging continues while a page comes back full);
 * - `none`: one request.
 */
export type Paging =
  | { readonly kind: 'cursor' }
  | { readonly kind: 'offset'; readonly pagination: 'additional_data.pagination' | 'additional_data' | 'none' }
  | { readonly kind: 'none' };

export interface FanOut {
  /** The parent stream whose records are expanded. */
  readonly parent: StreamDefinition;
  /** Field of the parent record that identifies it (default `id`). */
  readonly parentKey?: string;
  /** Parents per request: > 1 sends them comma-separated in `param`; 1 substitutes `{id}` in `path`. */
  readonly batchSize: number;
  /**
   * Query parameter that carries the batched parent ids, e.g. `deal_ids`. With `batchSize: 1` and no `{id}` in
   * `path`, the single parent id goes into this parameter (e.g. `/phases?board_id=…`).
   */
  readonly param?: string;
  /**
   * Answer statuses of a child request that mean "this parent is gone or forbidden": the parent is skipped with a
   * WARN and the stream goes on (src/http/statusPolicy.ts). Any other failure fails the stream.
   */
  readonly skipParentOn?: readonly number[];
  /**
   * The engine adds the parent's id to every child record under this name (e.g. `deal_id` of `deal_changelog`),
   * where the child records do not name their parent. Only with `batchSize: 1` (one request per parent).
   */
  readonly parentIdField?: string;
}

/**
 * Numbers records that the API lists newest first and without an id of their own, so that equal-looking records
 * (one field changed twice in one second) get distinct keys: each record gets, under `field`, how many older records
 * of the same parent share its values of `groupBy` (0 for the oldest). Counted from the oldest, a number never
 * changes when newer records arrive later. The records of one parent are gathered from all its pages before they
 * are numbered, and before an incremental read filters them (src/read/sequence.ts). Fan-out streams only.
 */
export interface Sequence {
  readonly field: string;
  readonly groupBy: readonly string[];
}

/**
 * A stream whose records are items of the endpoint's records: each record of the endpoint gives the items of its
 * array `items` (none when it has none), each with the record's `parentKey` added under `as` (first), e.g. the
 * `options` of the `*Fields` definitions with `field_code` as `field_key`.
 */
export interface Flatten {
  readonly items: string;
  readonly parentKey: string;
  readonly as: string;
}

/**
 * How a record says it is deleted: its `field` holds `equals` (`true` also matches the v1 flags `1`/`'1'`,
 * `false` also `0`/`'0'`). Such records get `_ab_cdc_deleted_at` (src/deletes.ts).
 */
export interface DeleteSignal {
  readonly field: string;
  readonly equals: boolean | string;
}

/**
 * How to list every id of an entity cheaply, for `detect_deletes` (src/read/idSweep.ts): the same paging as the
 * stream, on `path` (default the stream's) with exactly `params` (the stream's own `params` are not added). Ids that
 * a previous sweep saw and this one does not are deleted (or merged away): they get tombstone records.
 */
export interface IdSweep {
  readonly path?: string;
  /** The whole query of the sweep, besides `limit` (e.g. `{ sort_by: 'id' }`). */
  readonly params: Readonly<Record<string, QueryValue>>;
  /** Token cost of one sweep request (default the stream's `tokenCost`). */
  readonly tokenCost?: number;
}

export interface StreamDefinition {
  /** Airbyte stream name (snake_case). */
  readonly name: string;
  /** Path below the API version root, e.g. `/deals` or `/mailbox/mailThreads/{id}/mailMessages`. */
  readonly path: string;
  readonly api: ApiVersion;
  readonly primaryKey: readonly (readonly string[])[];
  /** Field of the record that holds its modification time; absent for full-refresh-only streams. */
  readonly cursorField?: string;
  readonly incremental: IncrementalKind;
  /** Parameter names used for server-side incremental reads (defaults: v2 `updated_since`, `sort_by=update_time`, `sort_direction=asc`). */
  readonly serverParams?: {
    readonly since: string;
    /** Extra parameters that sort by the cursor ascending, e.g. `{ sort: 'update_time ASC' }`. */
    readonly sort: Readonly<Record<string, QueryValue>>;
  };
  /** Fixed query parameters. */
  readonly params?: Readonly<Record<string, QueryValue>>;
  /** Page size (`limit`); v2 endpoints take 500, v1 the endpoint's maximum. */
  readonly pageSize?: number;
  readonly paging: Paging;
  /** Dotted path to the records in the body (default `data`). */
  readonly recordSelector?: string;
  /** The stream is read once per partition, with these parameters merged in (e.g. mail folders). */
  readonly partitions?: readonly Readonly<Record<string, QueryValue>>[];
  /** Further paths read after `path` with the same paging and parameters (e.g. `/projects/archived`). */
  readonly extraPaths?: readonly string[];
  /** The stream expands the records of a parent stream. */
  readonly fanOut?: FanOut;
  /** Pipedrive API token cost of one request (`x-token-cost` of the OpenAPI spec). */
  readonly tokenCost: number;
  /**
   * Where the API can tell how many records a full read returns: a request whose body holds the total
   * (e.g. v1 `/deals/summary` → `data.total_count`). Used for TRACE ESTIMATE messages and the progress ETA.
   */
  readonly estimate?: {
    readonly api: ApiVersion;
    readonly path: string;
    /** Dotted path of the total in the body. */
    readonly total: string;
    readonly tokenCost: number;
  };
  /**
   * The `*Fields` stream that defines this stream's custom fields (leads use lead_fields, which lists the deal
   * custom fields under the keys lead records carry). src/customFields/ types and renames them.
   */
  readonly customFields?: StreamDefinition;
  /** How the API marks deleted records of this stream, where it does (docs/custom-fields-and-deletes.md). */
  readonly deleted?: DeleteSignal;
  /** How `detect_deletes: on` lists the stream's ids to find the deletes its list hides (docs/custom-fields-and-deletes.md). */
  readonly sweep?: IdSweep;
  /** Name of the schema file in `streams/schemas/` (default: the stream name). */
  readonly schema?: string;
  /**
   * Answer statuses that mean "this stream is not available on this Pipedrive plan" (e.g. 402): the stream ends with
   * a WARN and no records instead of failing the read (src/http/statusPolicy.ts).
   */
  readonly unavailableOn?: readonly number[];
  /**
   * Values of the endpoint's `include_fields` parameter (the fields API v2 returns only when asked, e.g. counts and
   * last-activity fields v1 sent by default), asked for when config `include_v1_fields` is true (the default), and
   * never when the stream is read as the parent of a fan-out stream. `x-token-cost` does not depend on them.
   */
  readonly includeFields?: readonly string[];
  /** The records are the items of an array of the endpoint's records (src/read/requests.ts). */
  readonly flatten?: Flatten;
  /** Records numbered within their parent (a fan-out stream), see `Sequence`. */
  readonly sequence?: Sequence;
  /** Short description for the README and discover. */
  readonly description?: string;
}
