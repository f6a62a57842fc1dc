/**
 * One entity of the emulated company (deals, persons, …): `base` records generated on demand from
 * their index, plus a small overlay of mutations (touched, added, removed records).
 *
 * Ordering: record index i has id order == index order (ids grow with the index). For update_time and
 * add_time orders a compact sorted index of the base records is built lazily once (a Float64Array of
 * keys `(seconds - epoch) * 2^24 + index`, sorted natively), merged at read time with the overlay's
 * sorted keys. Keys encode (time, id) ties in id order, so they double as keyset cursors.
 */

export const SHIFT = 16777216; // 2^24: room for indices up to ~16.7M

export type Order = 'id' | 'update_time' | 'add_time';

/** One entry of a record's field history (`GET /v1/{deals|persons|organizations}/{id}/changelog`, deal flow). */
export interface ChangeEntry {
  /** Internal id: grows with time (the changelog's cursor and its order within a second). */
  id: number;
  /** Seconds. */
  t: number;
  /** The changed field's key as the changelog names it (v1 keys, 40-hex keys for custom fields). */
  field: string;
  old: string | null;
  nu: string | null;
  user: number;
  source: string | null;
  agent: string | null;
  bulk: boolean;
}

export interface Overlay {
  /** Overridden update time (seconds). */
  upd?: number;
  /** Add time of an added record (seconds). */
  add?: number;
  /** Removed (hard-deleted or merged away: no longer served anywhere). */
  removed?: true;
  /** When the record was removed (seconds). */
  removedAt?: number;
  /** Deals: when a mutation deleted the deal (seconds), or null once a mutation restored it. */
  deletedAt?: number | null;
  /** Field values set by mutations, by record key (custom fields by their 40-hex key). */
  fields?: Record<string, unknown>;
  /** Change-log entries written by mutations, oldest first. */
  changes?: ChangeEntry[];
}

export interface Timeline {
  add(i: number): number;
  upd(i: number): number;
}

export interface ScanOptions {
  order: Order;
  desc?: boolean;
  /** Exclusive keyset position (a key of this order) to continue after. */
  after?: number | null;
  /** Inclusive lower bound on the order's time (seconds), for update_time/add_time orders. */
  sinceSec?: number | null;
  /** Exclusive upper bound on the order's time (seconds). */
  untilSec?: number | null;
  /** Records to skip before collecting (v1 offset paging without a continuation). */
  skip?: number;
  limit: number;
  pred?: (i: number) => boolean;
}

export interface ScanResult {
  items: number[];
  /** Key of each returned item in the scanned order. */
  keys: number[];
  /** True when at least one more matching record follows. */
  more: boolean;
}

function lowerBound(len: number, at: (p: number) => number, key: number): number {
  let lo = 0;
  let hi = len;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (at(mid) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class Entity {
  added = 0;
  readonly ov = new Map<number, Overlay>();
  /** Bumped on every mutation of this entity (invalidates caches). */
  version = 0;
  private sorted: Partial<Record<'update_time' | 'add_time', Float64Array>> = {};
  private ovKeys: Partial<Record<'update_time' | 'add_time', number[]>> = {};

  constructor(
    readonly name: string,
    readonly code: number,
    readonly base: number,
    readonly timeline: Timeline,
    readonly epoch: number,
  ) {
    if (base >= SHIFT) throw new Error(`${name}: at most ${SHIFT - 1} records`);
  }

  get count(): number {
    return this.base + this.added;
  }

  addSec(i: number): number {
    if (i >= this.base) return this.ov.get(i)!.add!;
    return this.timeline.add(i);
  }

  updSec(i: number): number {
    const o = this.ov.get(i);
    if (o?.upd !== undefined) return o.upd;
    return this.timeline.upd(i);
  }

  /**
   * Records that left every endpoint without an overlay entry of their own (deals deleted more than
   * 30 days ago); set by the world, must be O(1).
   */
  gone: ((i: number) => boolean) | null = null;

  removed(i: number): boolean {
    return this.ov.get(i)?.removed === true || (this.gone !== null && this.gone(i));
  }

  /** Field values set by mutations on record i, if any. */
  fields(i: number): Record<string, unknown> | undefined {
    return this.ov.get(i)?.fields;
  }

  exists(i: number): boolean {
    return Number.isInteger(i) && i >= 0 && i < this.count && !this.removed(i);
  }

  key(order: Order, i: number): number {
    if (order === 'id') return i;
    const sec = order === 'update_time' ? this.updSec(i) : this.addSec(i);
    return (sec - this.epoch) * SHIFT + i;
  }

  keyToIndex(order: Order, key: number): number {
    return order === 'id' ? key : key % SHIFT;
  }

  /** Records a mutation of record i (touch/change/delete/remove/add). */
  mutate(i: number, change: Overlay): void {
    const o = this.ov.get(i) ?? {};
    if (change.upd !== undefined) o.upd = change.upd;
    if (change.add !== undefined) o.add = change.add;
    if (change.removed) o.removed = true;
    if (change.removedAt !== undefined) o.removedAt = change.removedAt;
    if (change.deletedAt !== undefined) o.deletedAt = change.deletedAt;
    if (change.fields) o.fields = { ...(o.fields ?? {}), ...change.fields };
    if (change.changes) (o.changes ??= []).push(...change.changes);
    this.ov.set(i, o);
    this.version++;
    this.ovKeys = {};
  }

  /** Appends a new record created at `sec`; returns its index. */
  append(sec: number): number {
    const i = this.base + this.added++;
    this.ov.set(i, { add: sec, upd: sec });
    this.version++;
    this.ovKeys = {};
    return i;
  }

  private baseSorted(order: 'update_time' | 'add_time'): Float64Array {
    let arr = this.sorted[order];
    if (!arr) {
      arr = new Float64Array(this.base);
      const f = order === 'update_time' ? this.timeline.upd : this.timeline.add;
      for (let i = 0; i < this.base; i++) arr[i] = (f.call(this.timeline, i) - this.epoch) * SHIFT + i;
      arr.sort();
      this.sorted[order] = arr;
    }
    return arr;
  }

  private overlaySorted(order: 'update_time' | 'add_time'): number[] {
    let arr = this.ovKeys[order];
    if (!arr) {
      arr = [];
      for (const [i, o] of this.ov) {
        if (order === 'update_time' ? o.upd !== undefined : i >= this.base) arr.push(this.key(order, i));
      }
      arr.sort((a, b) => a - b);
      this.ovKeys[order] = arr;
    }
    return arr;
  }

  /** Walks the records in an order from a keyset position, collecting up to `limit` matches. */
  scan(opts: ScanOptions): ScanResult {
    const { order, limit } = opts;
    const desc = opts.desc === true;
    const pred = opts.pred;
    const items: number[] = [];
    const keys: number[] = [];
    let skip = opts.skip ?? 0;
    // Bounds in key space.
    let lo = -Infinity;
    let hi = Infinity;
    if (order !== 'id') {
      if (opts.sinceSec != null) lo = (opts.sinceSec - this.epoch) * SHIFT;
      if (opts.untilSec != null) hi = (opts.untilSec - this.epoch) * SHIFT;
    }
    if (opts.after != null) {
      if (desc) hi = Math.min(hi, opts.after);
      else lo = Math.max(lo, opts.after + 1);
    }
    let baseLen: number;
    let baseAt: (p: number) => number;
    let ovArr: number[];
    let skipBase: (i: number) => boolean;
    if (order === 'id') {
      baseLen = this.count;
      baseAt = (p) => p;
      ovArr = [];
      skipBase = () => false;
    } else {
      const b = this.baseSorted(order);
      baseLen = b.length;
      baseAt = (p) => b[p]!;
      ovArr = this.overlaySorted(order);
      if (order === 'update_time') {
        const ov = this.ov;
        skipBase = (i) => ov.get(i)?.upd !== undefined;
      } else {
        skipBase = () => false;
      }
    }
    let more = false;
    const accept = (key: number): boolean => {
      const i = order === 'id' ? key : key % SHIFT;
      if (this.removed(i) || (pred && !pred(i))) return true;
      if (skip > 0) {
        skip--;
        return true;
      }
      if (items.length === limit) {
        more = true;
        return false;
      }
      items.push(i);
      keys.push(key);
      return true;
    };
    if (!desc) {
      let pb = lo === -Infinity ? 0 : lowerBound(baseLen, baseAt, lo);
      let po = lo === -Infinity ? 0 : lowerBound(ovArr.length, (p) => ovArr[p]!, lo);
      for (;;) {
        const kb = pb < baseLen ? baseAt(pb) : Infinity;
        const ko = po < ovArr.length ? ovArr[po]! : Infinity;
        if (kb === Infinity && ko === Infinity) break;
        if (kb <= ko) {
          if (kb >= hi) break;
          pb++;
          if (skipBase(order === 'id' ? kb : kb % SHIFT)) continue;
          if (!accept(kb)) break;
        } else {
          if (ko >= hi) break;
          po++;
          if (!accept(ko)) break;
        }
      }
    } else {
      let pb = (hi === Infinity ? baseLen : lowerBound(baseLen, baseAt, hi)) - 1;
      let po = (hi === Infinity ? ovArr.length : lowerBound(ovArr.length, (p) => ovArr[p]!, hi)) - 1;
      for (;;) {
        const kb = pb >= 0 ? baseAt(pb) : -Infinity;
        const ko = po >= 0 ? ovArr[po]! : -Infinity;
        if (kb === -Infinity && ko === -Infinity) break;
        if (kb >= ko) {
          if (kb < lo) break;
          pb--;
          if (skipBase(order === 'id' ? kb : kb % SHIFT)) continue;
          if (!accept(kb)) break;
        } else {
          if (ko < lo) break;
          po--;
          if (!accept(ko)) break;
        }
      }
    }
    return { items, keys, more };
  }

  /** All live record indices in id order. */
  *all(): Generator<number> {
    for (let i = 0; i < this.count; i++) if (!this.removed(i)) yield i;
  }
}
