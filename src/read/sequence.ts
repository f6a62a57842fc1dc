/**
 * Records of one parent that the API lists newest first, without an id of their own (Pipedrive's change logs), get
 * the key part `StreamDefinition.sequence` asks for: how many older records of the parent share their values of
 * `groupBy`.
 *
 * A change log entry is `{field_key, old_value, new_value, time, …}` with `time` in whole seconds, so two changes of
 * one field in one second differ only by their values, and values may repeat (a → b → a). Numbering them from the
 * oldest makes the key `(parent, time, field_key, change_seq)` unique and stable: entries that arrive later are newer,
 * so they never shift the numbers of entries already read — also when a later read sees more changes in the second
 * it last saw. The whole history of a parent is numbered at once (all its pages), so a second split across two pages
 * is counted as one.
 *
 * ```text
 * newest first:  [t2 stage c←b, t2 stage b←a, t2 value, t1 stage]
 * change_seq:     1             0             0        0
 * ```
 */
import type { Sequence } from '../../streams/types.js';
import type { JsonObject } from '../protocol.js';

/** The group of a record: the JSON of its `groupBy` values. */
const groupOf = (record: JsonObject, groupBy: readonly string[]): string => {
  let key = '';
  for (const field of groupBy) key += `${JSON.stringify(record[field] ?? null)}\u0000`;
  return key;
};

/** The records of one parent (newest first), each with its sequence number under `sequence.field`. */
export function numberFromOldest(records: readonly JsonObject[], sequence: Sequence): JsonObject[] {
  const seen = new Map<string, number>();
  const out = new Array<JsonObject>(records.length);
  for (let i = records.length - 1; i >= 0; i--) {
    const record = records[i] as JsonObject;
    const group = groupOf(record, sequence.groupBy);
    const n = seen.get(group) ?? 0;
    seen.set(group, n + 1);
    out[i] = { ...record, [sequence.field]: n };
  }
  return out;
}
