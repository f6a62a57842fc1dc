/**
 * The id sets of `detect_deletes` (src/read/idSet.ts): exact round trips, damaged values rejected, and the size of the
 * state for 200,000 ids (the emulator's distribution, and worst cases).
 */
import { describe, expect, it } from 'vitest';
import { decodeIds, differenceIds, encodeIds, hasId, IdSetError, sortedIds, unionIds, type SortedIds } from '../../../src/read/idSet.js';

/** A small deterministic generator (LCG). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** `n` ids from 1 on, each id dropped with probability `p` (scattered deletions). */
function scattered(n: number, p: number, seed = 7): SortedIds {
  const r = rng(seed);
  const out = new Float64Array(n);
  let id = 0;
  for (let k = 0; k < n; ) {
    id++;
    if (r() >= p) out[k++] = id;
  }
  return out;
}

const stateBytes = (ids: SortedIds): number => Buffer.byteLength(JSON.stringify({ id_sweep: { ...encodeIds(ids), swept_at: '2026-11-01T00:00:00Z' } }));

describe('sorted id sets', () => {
  it('sorts and de-duplicates; union, difference and membership are exact', () => {
    const a = sortedIds([5, 3, 9, 3, 1, 9]);
    expect([...a]).toEqual([1, 3, 5, 9]);
    const b = sortedIds([2, 3, 10]);
    expect([...unionIds(a, b)]).toEqual([1, 2, 3, 5, 9, 10]);
    expect(differenceIds(a, b)).toEqual([1, 5, 9]);
    expect(differenceIds(b, a)).toEqual([2, 10]);
    expect(differenceIds(a, new Float64Array(0))).toEqual([1, 3, 5, 9]);
    for (const id of [1, 3, 5, 9]) expect(hasId(a, id)).toBe(true);
    for (const id of [0, 2, 4, 10]) expect(hasId(a, id)).toBe(false);
  });
});

describe('encodeIds / decodeIds', () => {
  const cases: Record<string, SortedIds> = {
    empty: new Float64Array(0),
    one: Float64Array.of(42),
    contiguous: Float64Array.from({ length: 5000 }, (_, i) => i + 1),
    'contiguous with 7 gone': sortedIds(Array.from({ length: 5000 }, (_, i) => i + 1).filter((id) => ![17, 18, 400, 2501, 3000, 4999, 5000].includes(id))),
    alternate: Float64Array.from({ length: 3000 }, (_, i) => 2 * i + 1),
    'random 30 %': scattered(20_000, 0.3),
    'sparse, large ids': sortedIds([1, 2, 3, 1_000_000_000, 1_000_000_001, 9_007_199_254_740_991]),
  };
  it.each(Object.keys(cases))('round-trips %s exactly', (name) => {
    const ids = cases[name] as SortedIds;
    const encoded = encodeIds(ids);
    expect(encoded.count).toBe(ids.length);
    const back = decodeIds(JSON.parse(JSON.stringify(encoded)));
    expect([...back]).toEqual([...ids]);
  });

  it('picks the shorter form: runs for ranges, a bitmap for densely scattered gaps', () => {
    expect(encodeIds(cases['contiguous'] as SortedIds).format).toBe('runs');
    expect(encodeIds(scattered(50_000, 0.3)).format).toBe('bitmap');
  });

  it('rejects values that are not an id set, or whose data disagrees with count, first or last', () => {
    const good = encodeIds(cases['contiguous with 7 gone'] as SortedIds);
    const bad: unknown[] = [
      null, 'abc', [], {}, { ...good, format: 'zip' }, { ...good, count: -1 }, { ...good, count: good.count + 1 },
      { ...good, count: good.count - 1 }, { ...good, first: 2 }, { ...good, last: 4000 }, { ...good, data: 'not base64 deflate!' },
      { ...good, data: encodeIds(cases['contiguous'] as SortedIds).data }, { ...good, first: undefined },
      { ...good, format: good.format === 'runs' ? 'bitmap' : 'runs' },
    ];
    for (const v of bad) expect(() => decodeIds(v), JSON.stringify(v)?.slice(0, 80)).toThrow(IdSetError);
  });
});

describe('state size for 200,000 ids (under 50 KB)', () => {
  const N = 200_000;
  const KB = 1024;
  // Figures (KB, measured): contiguous 0.1; emulator-like 1,000 deleted 2.2; every other id 0.2; clustered 3.4;
  // scattered 1 % 3.8, 10 % 20.0, 25 % 36.0, 33 % 45.2, 50 % 65.4 (docs/custom-fields-and-deletes.md).
  const sizes: Record<string, number> = {};
  const measure = (name: string, ids: SortedIds): number => {
    const bytes = stateBytes(ids);
    sizes[name] = bytes;
    expect([...decodeIds(encodeIds(ids))].length).toBe(ids.length);
    return bytes;
  };

  it("the emulator's distribution (ids 1..n, some deleted or merged away): a few KB at most", () => {
    const gone = new Set<number>();
    const r = rng(11);
    while (gone.size < 1000) gone.add(1 + Math.floor(r() * (N + 1000)));
    const ids = sortedIds(Array.from({ length: N + 1000 }, (_, i) => i + 1).filter((id) => !gone.has(id)));
    expect(ids.length).toBe(N);
    expect(measure('emulator: 1..201,000 with 1,000 deleted', ids)).toBeLessThan(3 * KB);
    expect(measure('contiguous 1..200,000', Float64Array.from({ length: N }, (_, i) => i + 1))).toBeLessThan(200);
  });

  it('worst cases: every other id gone, scattered deletions up to a third of all ids ever created', () => {
    expect(measure('every other id gone (200,000 runs)', Float64Array.from({ length: N }, (_, i) => 2 * i + 1))).toBeLessThan(2 * KB);
    expect(measure('clustered gaps (1,000 gaps of up to 200 ids)', (() => {
      const r = rng(3);
      const out = new Float64Array(N);
      let id = 0;
      for (let k = 0; k < N; k++) {
        id++;
        if (r() < 0.005) id += Math.floor(r() * 200);
        out[k] = id;
      }
      return out;
    })())).toBeLessThan(10 * KB);
    for (const p of [0.01, 0.1, 0.25, 0.33]) expect(measure(`${p * 100} % of ids scattered-deleted`, scattered(N, p)), String(p)).toBeLessThan(50 * KB);
    // Beyond about 37 % scattered at random, no exact encoding in a JSON string fits: 50 % random is 400,000 bits of
    // entropy (49 KB as raw bytes) before any text encoding.
    measure('50 % of ids scattered-deleted (over the limit)', scattered(N, 0.5));
    expect(sizes['50 % of ids scattered-deleted (over the limit)']).toBeGreaterThan(50 * KB);
  });
});
