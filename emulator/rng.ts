/**
 * Deterministic, stateless randomness: every value is a hash of (seed, entity code, index, salt),
 * so any record can be generated on demand, in any order, without holding the data set.
 */
import { createHash } from 'node:crypto';

/** 32-bit avalanche (murmur3 fmix32). */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hash of up to four integers to an unsigned 32-bit integer. */
export function hash4(a: number, b: number, c: number, d: number): number {
  let h = fmix((a ^ 0x9e3779b9) >>> 0);
  h = fmix((h ^ Math.imul(b | 0, 0xcc9e2d51)) >>> 0);
  h = fmix((h ^ Math.imul(c | 0, 0x1b873593)) >>> 0);
  h = fmix((h ^ Math.imul(d | 0, 0xe6546b64)) >>> 0);
  return h;
}

/** A uniform number in [0, 1) from (seed, code, index, salt). */
export function unit(seed: number, code: number, index: number, salt: number): number {
  return hash4(seed, code, index, salt) / 4294967296;
}

/** A small counter-based generator for the values of one record. */
export class Rng {
  private n = 0;
  constructor(
    private readonly seed: number,
    private readonly code: number,
    private readonly index: number,
  ) {}
  /** Uniform in [0, 1). */
  next(): number {
    return hash4(this.seed, this.code, this.index, 1000 + this.n++) / 4294967296;
  }
  /** Integer in [lo, hi] (inclusive). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  /** A number with `decimals` decimals in [lo, hi). */
  money(lo: number, hi: number, decimals = 2): number {
    const f = 10 ** decimals;
    return Math.round((lo + this.next() * (hi - lo)) * f) / f;
  }
  hex(len: number): string {
    let s = '';
    while (s.length < len) s += hash4(this.seed, this.code, this.index, 5000 + this.n++).toString(16).padStart(8, '0');
    return s.slice(0, len);
  }
}

/** A 40-hex key like Pipedrive's custom field keys. */
export function hex40(...parts: (string | number)[]): string {
  return createHash('sha1').update(parts.join('\u0000')).digest('hex');
}

/** A deterministic RFC 4122 version-4-shaped UUID. */
export function uuid(seed: number, code: number, index: number): string {
  const h = [0, 1, 2, 3].map((k) => hash4(seed, code, index, 90000 + k).toString(16).padStart(8, '0')).join('');
  const v = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${v}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
