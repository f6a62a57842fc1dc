/**
 * Cursor values. Pipedrive v2 timestamps are RFC 3339 UTC (`2025-01-01T10:20:00Z`); v1 timestamps
 * are `YYYY-MM-DD HH:MM:SS` in UTC without a zone. State always stores `YYYY-MM-DDTHH:MM:SSZ`,
 * which also compares correctly as a string.
 */
import { valueAt } from './valueAt.js';

const V1 = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})$/;
const ISO_Z = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Normalises a cursor value to `YYYY-MM-DDTHH:MM:SSZ` (UTC, whole seconds, fractions truncated).
 * Accepts `YYYY-MM-DD`, `YYYY-MM-DD HH:MM:SS` (UTC), and RFC 3339 with fractions and offsets.
 * Returns `undefined` for anything else.
 */
export function toIsoCursor(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const v = value.trim();
  if (ISO_Z.test(v)) return v;
  const m = V1.exec(v);
  if (m) return `${m[1]}T${m[2]}Z`;
  if (DATE_ONLY.test(v)) return `${v}T00:00:00Z`;
  if (!/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(v)) return undefined;
  const ms = Date.parse(v.replace(' ', 'T'));
  if (Number.isNaN(ms)) return undefined;
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The larger of two normalised cursors (either may be undefined). */
export function maxCursor(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a >= b ? a : b;
}

const STRICT_TS =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-](\d{2}):?(\d{2}))?)?$/;

/**
 * Like `toIsoCursor` (→ `YYYY-MM-DDTHH:MM:SSZ`, UTC, fractions truncated), but also rejects impossible calendar
 * values that `Date.parse` would roll over (`2021-02-30`, `24:00:00`, offset `+25:00`). A date and time without a
 * zone is read as UTC. Accepts `YYYY-MM-DD`, `YYYY-MM-DD HH:MM:SS`, `YYYY-MM-DDTHH:MM:SSZ` and RFC 3339 with
 * fractions and offsets. Returns `undefined` for anything else.
 */
export function strictIsoCursor(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const v = value.trim().toUpperCase();
  const m = STRICT_TS.exec(v);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, , zone, oh, om] = m;
  const year = Number(y), month = Number(mo), day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (h !== undefined && (Number(h) > 23 || Number(mi) > 59 || (s !== undefined && Number(s) > 59))) return undefined;
  if (oh !== undefined && (Number(oh) > 23 || Number(om) > 59)) return undefined;
  // A time without seconds or zone is outside toIsoCursor's forms: complete it (UTC, :00) first.
  let text = v;
  if (h !== undefined && s === undefined) text = text.replace(/(\d{2}:\d{2})(?=$|[Z+-])/, '$1:00');
  if (h !== undefined && zone === undefined) text = `${text}Z`;
  return toIsoCursor(text);
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * The normalised cursor (`YYYY-MM-DDTHH:MM:SSZ`) of a record, or `undefined` when the field is
 * missing or not a parsable timestamp. `field` is a top-level key; a dotted path (`data.log_time`)
 * is followed into nested objects when no top-level key has that exact name.
 */
export function cursorOf(record: Readonly<Record<string, unknown>>, field: string): string | undefined {
  if (field in record || !field.includes('.')) return toIsoCursor(record[field]);
  return toIsoCursor(valueAt(record, field));
}
