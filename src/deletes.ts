/**
 * Deletes, the way Airbyte destinations apply them: a record that Pipedrive reports as deleted carries
 * `_ab_cdc_deleted_at` (an RFC 3339 time), which dedup destinations turn into a delete.
 *
 * What Pipedrive tells about deletes differs per entity; each stream definition says it (`deleted`, a
 * `DeleteSignal`, see the fragments of streams/common.ts), checked with one property read per record:
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
import type { DeleteSignal, StreamDefinition } from '../streams/types.js';
import type { JsonObject } from './protocol.js';
import { toIsoCursor } from './cursor.js';

/** Whether a record's value of the signal field means "deleted" (v1 flags are 0/1 as often as booleans). */
export function matchesSignal(signal: DeleteSignal, value: unknown): boolean {
  if (value === signal.equals) return true;
  if (signal.equals === true) return value === 1 || value === '1';
  if (signal.equals === false) return value === 0 || value === '0';
  return false;
}

export const CDC_DELETED_AT = '_ab_cdc_deleted_at';

const rfc3339 = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * The per-page function that marks the deleted records of `def` (in place) with `_ab_cdc_deleted_at`; the identity
 * for streams without a delete signal. A value the API already set is kept.
 */
export function deleteMarker(
  def: Pick<StreamDefinition, 'deleted' | 'cursorField'>,
  now: () => number = Date.now,
): (records: readonly JsonObject[]) => readonly JsonObject[] {
  const signal = def.deleted;
  if (!signal) return (records) => records;
  const { field } = signal;
  const timeField = def.cursorField ?? 'update_time';
  return (records) => {
    for (const r of records) {
      if (matchesSignal(signal, r[field]) && r[CDC_DELETED_AT] == null) {
        r[CDC_DELETED_AT] = toIsoCursor(r[timeField]) ?? toIsoCursor(r['update_time']) ?? rfc3339(now());
      }
    }
    return records;
  };
}
