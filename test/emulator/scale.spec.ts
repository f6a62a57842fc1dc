/** Big data sets without big memory: records are generated on demand, indexes are typed arrays. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEmulator, type Emulator } from '../helpers/emulator.js';
import { get, type Rec } from './helpers.js';

let emu: Emulator;
let heapBefore: number;

beforeAll(async () => {
  global.gc?.();
  heapBefore = process.memoryUsage().heapUsed;
  emu = await startTestEmulator({ seed: 1, sizes: { deals: 1_000_000 } });
});
afterAll(async () => {
  await emu?.close();
});

describe('a 1,000,000-deal emulator', () => {
  it('serves the first page, a late page in id order and a late page by update_time, quickly and without big memory', async () => {
    const t0 = Date.now();
    const first = await get(emu, '/api/v2/deals', { limit: 500, status: 'open,won,lost,deleted' });
    expect(first.status).toBe(200);
    expect(first.body.data).toHaveLength(500);
    expect(first.body.data[0]['id']).toBe(1);

    const late = await get(emu, '/api/v2/deals', { limit: 500, sort_by: 'id', sort_direction: 'desc', status: 'open,won,lost,deleted' });
    const lateIds = (late.body.data as Rec[]).map((d) => d['id'] as number);
    expect(lateIds[0]).toBeGreaterThan(999_000);
    expect(lateIds).toEqual([...lateIds].sort((a, b) => b - a));
    // Follow the cursor from the late page.
    const next = await get(emu, '/api/v2/deals', { limit: 500, sort_by: 'id', sort_direction: 'desc', status: 'open,won,lost,deleted', cursor: late.body.additional_data.next_cursor });
    expect((next.body.data as Rec[])[0]!['id']).toBeLessThan(lateIds.at(-1)!);

    // update_time order with updated_since near the end builds the sorted index once.
    const recent = await get(emu, '/api/v2/deals', { limit: 500, sort_by: 'update_time', sort_direction: 'asc', updated_since: '2026-10-31T00:00:00Z', status: 'open,won,lost,deleted' });
    expect(recent.status).toBe(200);
    const recentRecs = recent.body.data as Rec[];
    expect(recentRecs.length).toBeGreaterThan(0);
    expect(recentRecs.every((d) => (d['update_time'] as string) >= '2026-10-31T00:00:00Z')).toBe(true);
    const times = recentRecs.map((d) => d['update_time'] as string);
    expect(times).toEqual([...times].sort());
    expect(Date.now() - t0).toBeLessThan(10_000);

    global.gc?.();
    const grown = process.memoryUsage().heapUsed - heapBefore;
    expect(grown).toBeLessThan(150 * 1024 * 1024);
  });

  it('serves 500-deal pages in a few milliseconds each', async () => {
    let cursor: string | null = null;
    const t0 = performance.now();
    const pages = 20;
    for (let k = 0; k < pages; k++) {
      const q: Record<string, string | number> = { limit: 500, status: 'open,won,lost,deleted', sort_by: 'update_time', sort_direction: 'asc' };
      if (cursor) q['cursor'] = cursor;
      const r = await get(emu, '/api/v2/deals', q);
      expect(r.body.data).toHaveLength(500);
      cursor = r.body.additional_data.next_cursor;
    }
    const perPage = (performance.now() - t0) / pages;
    expect(perPage).toBeLessThan(60);
  });

  it('offset paging of v1 continues from the previous page without rescanning', async () => {
    const e = await startTestEmulator({ seed: 1, sizes: { notes: 300_000 } });
    try {
      let start = 0;
      const t0 = performance.now();
      for (let k = 0; k < 10; k++) {
        const r = await get(e, '/v1/notes', { start, limit: 500, sort: 'update_time ASC', updated_since: '2023-01-01 00:00:00' });
        expect(r.body.data).toHaveLength(500);
        start = r.body.additional_data.pagination.next_start;
      }
      expect(start).toBe(5000);
      expect((performance.now() - t0) / 10).toBeLessThan(200);
    } finally {
      await e.close();
    }
  });
});
