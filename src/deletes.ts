/**
 * Deletes, the way Airbyte destinations apply them: a record that Pipedrive reports as deleted carries
 * `_ab_cdc_deleted_at` (an RFC 3339 time), which dedup destinations turn into a delete.
 *
 * What Pipedrive tells about deletes differs per entity; the rules are data (one row per stream), checked
 * with one property read per record:
 *
 * | signal | streams |
 * |---|---|
 * | `is_deleted: true` | deals, deals_archived, activities, persons, organizations, products, pipelines, stages, users |
 * | `status: 'deleted'` | projects (read with `status=…,deleted`) |
 * | `active_flag: false` | notes, files, filters, roles, activity_types, lead_fields, note_fields (Pipedrive's delete marks them inactive) |
 * | `deleted_flag` 1/true | mail_threads, mail, legacy_teams |
 *
 * The time is the record's modification time (the stream's cursor field, else `update_time`); records without one
 * (legacy_teams) get the time of the read. See docs/custom-fields-and-deletes.md.
 */
import type { StreamDefinition } from '../streams/types.js';
import type { JsonObject } from './protocol.js';
import { toIsoCursor } from './cursor.js';

/** How one stream's records say they are deleted. */
export interface DeleteRule {
  /** The field that carries the signal. */
  readonly field: string;
  /** Whether the field's value means "deleted". */
  readonly deleted: (value: unknown) => boolean;
}

const isTrue = (v: unknown): boolean => v === true;
const isFalse = (v: unknown): boolean => v === false;
/** v1 `*_flag` integers (0/1) and booleans alike. */
const flagSet = (v: unknown): boolean => v === true || v === 1 || v === '1';
const isDeletedStatus = (v: unknown): boolean => v === 'deleted';

const IS_DELETED: DeleteRule = { field: 'is_deleted', deleted: isTrue };
const INACTIVE: DeleteRule = { field: 'active_flag', deleted: isFalse };
const DELETED_FLAG: DeleteRule = { field: 'deleted_flag', deleted: flagSet };

/** The delete signal of every stream that has one, by stream name. */
export const DELETE_RULES: Readonly<Record<string, DeleteRule>> = {
  activities: IS_DELETED,
  activity_types: INACTIVE,
  deals: IS_DELETED,
  deals_archived: IS_DELETED,
  files: INACTIVE,
  filters: INACTIVE,
  lead_fields: INACTIVE,
  legacy_teams: DELETED_FLAG,
  mail: DELETED_FLAG,
  mail_threads: DELETED_FLAG,
  note_fields: INACTIVE,
  notes: INACTIVE,
  organizations: IS_DELETED,
  persons: IS_DELETED,
  pipelines: IS_DELETED,
  products: IS_DELETED,
  projects: { field: 'status', deleted: isDeletedStatus },
  roles: INACTIVE,
  stages: IS_DELETED,
  users: IS_DELETED,
};

export const CDC_DELETED_AT = '_ab_cdc_deleted_at';

const rfc3339 = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * The per-page function that marks the deleted records of `def` (in place) with `_ab_cdc_deleted_at`; the identity
 * for streams without a delete signal. A value the API already set is kept.
 */
export function deleteMarker(
  def: Pick<StreamDefinition, 'name' | 'cursorField'>,
  now: () => number = Date.now,
): (records: readonly JsonObject[]) => readonly JsonObject[] {
  const rule = DELETE_RULES[def.name];
  if (!rule) return (records) => records;
  const { field, deleted } = rule;
  const timeField = def.cursorField ?? 'update_time';
  return (records) => {
    for (const r of records) {
      if (deleted(r[field]) && r[CDC_DELETED_AT] == null) {
        r[CDC_DELETED_AT] = toIsoCursor(r[timeField]) ?? toIsoCursor(r['update_time']) ?? rfc3339(now());
      }
    }
    return records;
  };
}
