/** Reading a record's cursor value, shared by `filterByCursor` and `checkpoint`. */
import type { JsonObject } from '../src/protocol.js';
import { toIsoCursor } from '../src/cursor.js';
import { valueAt } from '../src/valueAt.js';

/**
 * The normalised cursor (`YYYY-MM-DDTHH:MM:SSZ`) of a record, or `undefined` when the field is
 * missing or not a parsable timestamp. `field` is a top-level key; a dotted path (`data.log_time`)
 * is followed into nested objects when no top-level key has that exact name.
 */
export function cursorOf(record: JsonObject, field: string): string | undefined {
  if (field in record || !field.includes('.')) return toIsoCursor(record[field]);
  return toIsoCursor(valueAt(record, field));
}
