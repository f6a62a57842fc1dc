/**
 * Sets of record ids, kept compactly in a stream's STATE (src/read/idSweep.ts): sorted arrays in memory, and in the
 * state one of two exact encodings, whichever is shorter, raw-deflated and base64:
 *
 * - `runs`: the ids as runs of consecutive ids, each run as two LEB128 varints (its start minus the previous run's
 *   end, then its length minus one) — a few bytes for 1..200,000 with some gaps;
 * - `bitmap`: one bit per id from `first` to `last` — the shorter form when deletions are scattered densely.
 *
 * `count`, `first` and `last` are kept in clear beside the data and checked when decoding, so a damaged value is
 * rejected instead of read as another set. Pure functions.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { isPlainObject } from '../config/input.js';

/** A sorted set of ids (ascending, no duplicates). */
export type SortedIds = Float64Array;

export interface EncodedIds {
  readonly format: 'runs' | 'bitmap';
  readonly count: number;
  /** The smallest and largest id (absent for an empty set). */
  readonly first?: number;
  readonly last?: number;
  /** base64 of the raw-deflated encoding. */
  readonly data: string;
}

/** Whether `v` can be a Pipedrive record id here: a positive safe integer. */
export const isId = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v > 0;

/** Sorts and de-duplicates ids (a copy). */
export function sortedIds(ids: Iterable<number>): SortedIds {
  const a = Float64Array.from(ids).sort();
  let n = 0;
  for (let i = 0; i < a.length; i++) if (i === 0 || a[i] !== a[n - 1]) a[n++] = a[i] as number;
  return a.subarray(0, n);
}

/** Whether a sorted set holds `id` (binary search). */
export function hasId(ids: SortedIds, id: number): boolean {
  let lo = 0;
  let hi = ids.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = ids[mid] as number;
    if (v === id) return true;
    if (v < id) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** The union of two sorted sets. */
export function unionIds(a: SortedIds, b: SortedIds): SortedIds {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  const out = new Float64Array(a.length + b.length);
  let i = 0, j = 0, n = 0;
  while (i < a.length || j < b.length) {
    const x = i < a.length ? (a[i] as number) : Infinity;
    const y = j < b.length ? (b[j] as number) : Infinity;
    const v = x <= y ? x : y;
    if (x === v) i++;
    if (y === v) j++;
    out[n++] = v;
  }
  return out.subarray(0, n);
}

/** The ids of `a` that are not in `b` (both sorted). */
export function differenceIds(a: SortedIds, b: SortedIds): number[] {
  const out: number[] = [];
  let j = 0;
  for (let i = 0; i < a.length; i++) {
    const v = a[i] as number;
    while (j < b.length && (b[j] as number) < v) j++;
    if (j >= b.length || b[j] !== v) out.push(v);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// encoding

function pushVarint(out: number[], n: number): void {
  let v = n;
  while (v >= 128) {
    out.push((v % 128) | 128);
    v = Math.floor(v / 128);
  }
  out.push(v);
}

function runsBytes(ids: SortedIds): Buffer {
  const out: number[] = [];
  let prevEnd = 0;
  let i = 0;
  while (i < ids.length) {
    const start = ids[i] as number;
    let end = start;
    while (i + 1 < ids.length && ids[i + 1] === end + 1) {
      i++;
      end++;
    }
    i++;
    pushVarint(out, start - prevEnd);
    pushVarint(out, end - start);
    prevEnd = end;
  }
  return Buffer.from(out);
}

function bitmapBytes(ids: SortedIds, first: number, last: number): Buffer {
  const bits = Buffer.alloc(Math.ceil((last - first + 1) / 8));
  for (let i = 0; i < ids.length; i++) {
    const o = (ids[i] as number) - first;
    const byte = Math.floor(o / 8);
    bits[byte] = (bits[byte] as number) | (1 << (o % 8));
  }
  return bits;
}

const deflate = (bytes: Buffer): string => deflateRawSync(bytes, { level: 9 }).toString('base64');

/** A bitmap is tried only while it has at least one id per 64 bits (sparser sets are always shorter as runs). */
const BITMAP_MIN_DENSITY = 1 / 64;

/** The exact, compact encoding of a sorted set (the shorter of `runs` and `bitmap`). */
export function encodeIds(ids: SortedIds): EncodedIds {
  if (ids.length === 0) return { format: 'runs', count: 0, data: deflate(Buffer.alloc(0)) };
  const first = ids[0] as number;
  const last = ids[ids.length - 1] as number;
  const runs = deflate(runsBytes(ids));
  const span = last - first + 1;
  if (ids.length / span >= BITMAP_MIN_DENSITY) {
    const bitmap = deflate(bitmapBytes(ids, first, last));
    if (bitmap.length < runs.length) return { format: 'bitmap', count: ids.length, first, last, data: bitmap };
  }
  return { format: 'runs', count: ids.length, first, last, data: runs };
}

/** A value that is not a well-formed encoding of an id set. */
export class IdSetError extends Error {
  override readonly name = 'IdSetError';
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

function inflate(data: string, maxBytes: number): Buffer {
  try {
    return inflateRawSync(Buffer.from(data, 'base64'), { maxOutputLength: Math.max(1, maxBytes) });
  } catch (err) {
    throw new IdSetError(`its data does not inflate (${err instanceof Error ? err.message : String(err)})`);
  }
}

/**
 * The sorted set an `encodeIds` value holds. Throws `IdSetError` when the value is not one, or when what its data
 * holds disagrees with its `count`, `first` or `last`.
 */
export function decodeIds(value: unknown): SortedIds {
  if (!isPlainObject(value)) throw new IdSetError('it is not an object');
  const { format, count, first, last, data } = value;
  if (format !== 'runs' && format !== 'bitmap') throw new IdSetError(`its format ${JSON.stringify(format)} is unknown`);
  if (!isCount(count) || typeof data !== 'string') throw new IdSetError('it has no count or data');
  if (count > 0 && (!isId(first) || !isId(last) || last < first)) throw new IdSetError('its first and last ids are missing or invalid');
  const ids = new Float64Array(count);
  let n = 0;
  if (format === 'bitmap') {
    const lo = first as number;
    const bytes = inflate(data, Math.ceil(((last as number) - lo + 1) / 8));
    for (let b = 0; b < bytes.length; b++) {
      const byte = bytes[b] as number;
      if (byte === 0) continue;
      for (let bit = 0; bit < 8; bit++) {
        if ((byte & (1 << bit)) === 0) continue;
        if (n >= count) throw new IdSetError(`it holds more ids than its count ${count}`);
        ids[n++] = lo + b * 8 + bit;
      }
    }
  } else {
    // At most 2 varints of at most 8 bytes per id.
    const bytes = inflate(data, 16 * count + 16);
    let pos = 0;
    const varint = (): number => {
      let v = 0;
      let scale = 1;
      for (;;) {
        if (pos >= bytes.length) throw new IdSetError('its runs end in the middle of a number');
        const byte = bytes[pos++] as number;
        v += (byte & 127) * scale;
        if (byte < 128) return v;
        scale *= 128;
        if (scale > 2 ** 56) throw new IdSetError('its runs hold a number out of range');
      }
    };
    let prevEnd = 0;
    while (pos < bytes.length) {
      const start = prevEnd + varint();
      const end = start + varint();
      if (start <= prevEnd) throw new IdSetError('its runs overlap or hold an id below 1');
      if (n + (end - start + 1) > count) throw new IdSetError(`it holds more ids than its count ${count}`);
      for (let id = start; id <= end; id++) ids[n++] = id;
      prevEnd = end;
    }
  }
  if (n !== count) throw new IdSetError(`it holds ${n} ids, not its count ${count}`);
  if (count > 0 && (ids[0] !== first || ids[count - 1] !== last)) throw new IdSetError('its ids do not span its first and last id');
  return ids;
}
