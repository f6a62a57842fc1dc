/** Timestamp formatting and parsing in the styles Pipedrive uses. All times are UTC seconds. */

const DAY = 86400;
const dayCache = new Map<number, string>();
const TWO = Array.from({ length: 60 }, (_, k) => (k < 10 ? `0${k}` : String(k)));

/** `YYYY-MM-DD` of a day number (days since 1970-01-01), cached: records reuse few days. */
function dayString(day: number): string {
  let s = dayCache.get(day);
  if (s === undefined) {
    s = new Date(day * DAY * 1000).toISOString().slice(0, 10);
    if (dayCache.size > 20000) dayCache.clear();
    dayCache.set(day, s);
  }
  return s;
}

function clock(sec: number): string {
  const t = sec - Math.floor(sec / DAY) * DAY;
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  return `${TWO[h]!}:${TWO[m]!}:${TWO[t % 60]!}`;
}

/** `2025-01-01T10:20:00Z` (API v2). */
export function isoZ(sec: number): string {
  return `${dayString(Math.floor(sec / DAY))}T${clock(sec)}Z`;
}

/** `2025-01-01 10:20:00` (most of API v1). */
export function v1Time(sec: number): string {
  return `${dayString(Math.floor(sec / DAY))} ${clock(sec)}`;
}

/** `2025-01-01T10:20:00.000Z` (leads, lead labels, mailbox in API v1). */
export function isoMs(sec: number): string {
  return `${dayString(Math.floor(sec / DAY))}T${clock(sec)}.000Z`;
}

/** `2025-01-01`. */
export function ymd(sec: number): string {
  return dayString(Math.floor(sec / DAY));
}

/** `10:20:00`. */
export function hms(sec: number): string {
  return clock(sec);
}

const V2_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(Z|[+-]\d{2}:\d{2})$/;

/**
 * Parses an API v2 RFC 3339 timestamp (`YYYY-MM-DDTHH:MM:SSZ` or with a `±HH:MM` offset).
 * Fractional seconds, a space separator and dates without a time are rejected, as Pipedrive does.
 */
export function parseV2Time(s: string): number | null {
  const m = V2_RE.exec(s);
  if (!m) return null;
  const ms = Date.parse(s);
  if (Number.isNaN(ms)) return null;
  if (Number(m[2]) > 12 || Number(m[3]) > 31 || Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6]) > 59) return null;
  return Math.floor(ms / 1000);
}

const V1_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** Parses an API v1 time: `YYYY-MM-DD HH:MM:SS` (UTC), RFC 3339, or a bare date. */
export function parseV1Time(s: string): number | null {
  const m = V1_RE.exec(s.trim());
  if (!m) return null;
  const base = `${m[1]}-${m[2]}-${m[3]}T${m[4] ?? '00'}:${m[5] ?? '00'}:${m[6] ?? '00'}`;
  let zone = m[7] ?? 'Z';
  if (/^[+-]\d{4}$/.test(zone)) zone = `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const ms = Date.parse(base + zone);
  return Number.isNaN(ms) ? null : Math.floor(ms / 1000);
}
