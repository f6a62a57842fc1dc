/**
 * Hard deletes, merges and the 30-day end of deleted deals: the records leave every endpoint and the ground
 * truth, and `removedSince` names exactly them. Also the cheap id sweep (v2 lists by id, 500 a page) and the
 * single-record endpoints.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/server.js';
import { get, readChangelog, readStream, readV2, type Rec } from './helpers.js';

let emu: Emulator;

beforeAll(async () => {
  emu = await startEmulator({ seed: 41, sizes: { deals: 900, persons: 1200, organizations: 300, products: 80, activities: 700 } });
});
afterAll(async () => {
  await emu.close();
});

const ids = (records: Rec[]): number[] => records.map((r) => r['id'] as number).sort((a, b) => a - b);
const truthIds = (s: string): number[] => ids([...emu.groundTruth(s)]);
const LISTS: Record<string, string> = { persons: '/persons', organizations: '/organizations', products: '/products', activities: '/activities' };

describe('hard deletes', () => {
  it('delete 7 persons, 3 organizations, 2 products, 4 activities: gone from lists, ids filters, single GETs, change logs and the truth', async () => {
    const before = Object.fromEntries(Object.keys(LISTS).map((e) => [e, truthIds(e)]));
    const t0 = emu.now();
    const m = emu.mutate({ delete: { persons: 7, organizations: 3, products: 2, activities: 4 } });
    expect(m.time > t0).toBe(true);
    for (const [entity, n] of Object.entries({ persons: 7, organizations: 3, products: 2, activities: 4 })) {
      const gone = m.deleted[entity] as number[];
      expect(gone, entity).toHaveLength(n);
      const left = before[entity]!.filter((id) => !gone.includes(id));
      expect(truthIds(entity), entity).toEqual(left);
      expect(ids((await readV2(emu, LISTS[entity]!)).records), entity).toEqual(left);
      expect(ids((await readV2(emu, LISTS[entity]!, { sort_by: 'update_time', updated_since: '2020-01-01T00:00:00Z' })).records), entity).toEqual(left);
      const byIds = await get(emu, `/api/v2${LISTS[entity]!}`, { ids: [...gone, left[0]!].join(',') });
      expect(ids(byIds.body.data), entity).toEqual([left[0]]);
      for (const id of gone) {
        const one = await get(emu, `/api/v2${LISTS[entity]!}/${id}`);
        expect(one.status, `${entity} ${id}`).toBe(404);
        expect(one.body).toMatchObject({ success: false, data: null });
      }
      // Tombstone truth: exactly these ids left at or after the mutation, none after it.
      expect(emu.removedSince(entity, t0), entity).toEqual([...gone].sort((a, b) => a - b));
      expect(emu.removedSince(entity, m.time), entity).toEqual([...gone].sort((a, b) => a - b));
    }
    for (const id of m.deleted['persons'] as number[]) expect((await get(emu, `/v1/persons/${id}/changelog`)).status).toBe(404);
    const later = emu.mutate({ touch: { persons: 1 } });
    expect(emu.removedSince('persons', later.time)).toEqual([]);
    const admin = await (await fetch(`${emu.url}/__admin/removed/organizations?since=${encodeURIComponent(t0)}`)).json();
    expect(admin).toEqual([...(m.deleted['organizations'] as number[])].sort((a, b) => a - b));
  });

  it('merges: the merged-away person or organization is gone, the survivor is updated and logs the change', async () => {
    const t0 = emu.now();
    const m = emu.mutate({ merge: { persons: 2, organizations: 1 } });
    expect(m.merged['persons']).toHaveLength(2);
    expect(m.merged['organizations']).toHaveLength(1);
    const persons = new Map([...emu.groundTruth('persons')].map((p) => [p['id'], p]));
    for (const { id, into } of m.merged['persons']!) {
      expect(persons.has(id)).toBe(false);
      const survivor = persons.get(into)!;
      expect(survivor['update_time']).toBe(m.time);
      const emails = (survivor['emails'] as Rec[]).map((e) => e['value']);
      expect(emails).toHaveLength(2);
      const log = (await readChangelog(emu, 'persons', into as number)).records[0]!;
      expect(log).toMatchObject({ field_key: 'email', new_value: emails.join(', '), old_value: emails[0], time: m.time.replace('T', ' ').replace('Z', '') });
    }
    const { id: orgGone, into: orgInto } = m.merged['organizations']![0]!;
    const orgs = new Map([...emu.groundTruth('organizations')].map((o) => [o['id'], o]));
    expect(orgs.has(orgGone)).toBe(false);
    expect(orgs.get(orgInto)!['update_time']).toBe(m.time);
    expect((await readChangelog(emu, 'organizations', orgInto as number)).records[0]).toMatchObject({ field_key: 'name', new_value: orgs.get(orgInto)!['name'] });
    expect(emu.removedSince('persons', t0)).toEqual(m.merged['persons']!.map((x) => x.id as number).sort((a, b) => a - b));
    expect(emu.removedSince('organizations', t0)).toEqual([orgGone]);
    expect(() => emu.mutate({ merge: { products: 1 } })).toThrow(/only persons and organizations/);
  });

  it('deals: deleted ones stay 30 days (status=deleted), then leave every endpoint', async () => {
    const e = await startEmulator({ seed: 42, sizes: { deals: 400 } });
    try {
      const baseDeleted = [...e.groundTruth('deals')].filter((d) => d['status'] === 'deleted').map((d) => d['id'] as number);
      expect(baseDeleted.length).toBeGreaterThan(3);
      const t0 = e.now();
      const m = e.mutate({ delete: { deals: 3 } });
      const mine = m.deleted['deals'] as number[];
      const listed = async (): Promise<number[]> => ids((await readV2(e, '/deals', { status: 'open,won,lost,deleted' })).records);
      expect(await listed()).toEqual(expect.arrayContaining([...mine, ...baseDeleted]));
      expect(e.removedSince('deals', t0)).toEqual([]);
      // 29 days later the mutation's deletions are still there; the seeded ones (deleted up to 29 days before now) went.
      const a = e.mutate({ advance: 29 * 86400 });
      expect(await listed()).toEqual(expect.arrayContaining(mine));
      const purgedEarly = e.removedSince('deals', t0);
      expect(purgedEarly.every((id) => baseDeleted.includes(id as number))).toBe(true);
      expect(purgedEarly.length).toBeGreaterThan(0);
      // After 30 days all of them are gone.
      e.mutate({ advance: 2 * 86400 });
      const now = await listed();
      for (const id of [...mine, ...baseDeleted]) expect(now, `deal ${id}`).not.toContain(id);
      expect(ids([...e.groundTruth('deals')])).toEqual(now);
      for (const id of mine) {
        expect((await get(e, `/api/v2/deals/${id}`)).status).toBe(404);
        expect((await get(e, `/v1/deals/${id}/flow`)).status).toBe(404);
        expect((await get(e, `/v1/deals/${id}/changelog`)).status).toBe(404);
      }
      expect(e.removedSince('deals', t0)).toEqual([...mine, ...baseDeleted].sort((x, y) => x - y));
      expect(e.removedSince('deals', a.time).length).toBeLessThan(e.removedSince('deals', t0).length);
      expect((await get(e, '/v1/deals/summary')).body.data.total_count).toBe(now.length - [...e.groundTruth('deals')].filter((d) => d['status'] === 'deleted').length);
    } finally {
      await e.close();
    }
  });
});

describe('the cheapest id sweep', () => {
  it('v2 lists sorted by id, 500 a page, 10 tokens a page; custom_fields trims the payload; the ids of every list', async () => {
    for (const [entity, path] of Object.entries({ ...LISTS, deals: '/deals' })) {
      emu.resetLog();
      const query: Record<string, string> = { sort_by: 'id', ...(entity === 'deals' ? { status: 'open,won,lost,deleted' } : {}) };
      const { records, pages } = await readV2(emu, path, query, 500);
      expect(ids(records), entity).toEqual(truthIds(entity));
      expect(pages, entity).toBe(Math.ceil(records.length / 500) || 1);
      expect(emu.requests.every((q) => q.tokenCost === 10), entity).toBe(true);
    }
    const key = ([...emu.groundTruth('person_fields')].find((f) => f['is_custom_field'] === true)!['field_code']) as string;
    const slim = await get(emu, '/api/v2/persons', { limit: 500, custom_fields: key });
    const full = await get(emu, '/api/v2/persons', { limit: 500 });
    expect(slim.text.length).toBeLessThan(full.text.length);
    expect((slim.body.data as Rec[]).every((p) => Object.keys(p['custom_fields'] as Rec).join() === key)).toBe(true);
    const sixteen = Array.from({ length: 16 }, (_, k) => k.toString(16).repeat(40)).join(',');
    expect((await get(emu, '/api/v2/persons', { custom_fields: sixteen })).status).toBe(400);
  });

  it('undeclared selectors are a 400; single records cost 1 token; ids takes at most 100', async () => {
    for (const q of [{ fields: 'id' }, { include_fields: 'id' }, { select: 'id' }]) expect((await get(emu, '/api/v2/persons', q)).status, JSON.stringify(q)).toBe(400);
    expect((await get(emu, '/api/v2/products', { include_fields: 'products_count' })).status).toBe(400);
    expect((await get(emu, '/api/v2/products/1', { include_fields: 'x' })).status).toBe(400);
    expect((await get(emu, '/api/v2/persons', { ids: Array.from({ length: 101 }, (_, k) => k + 1).join(',') })).status).toBe(400);
    emu.resetLog();
    const persons = await readStream(emu, 'persons');
    const p = persons[0]!;
    const one = await get(emu, `/api/v2/persons/${String(p['id'])}`);
    expect(one.body).toEqual({ success: true, data: p });
    const deal = [...emu.groundTruth('deals')][0]!;
    expect((await get(emu, `/api/v2/deals/${String(deal['id'])}`)).body.data).toEqual(deal);
    const product = [...emu.groundTruth('products')][0]!;
    expect((await get(emu, `/api/v2/products/${String(product['id'])}`)).body.data).toEqual(product);
    const activity = [...emu.groundTruth('activities')][0]!;
    expect((await get(emu, `/api/v2/activities/${String(activity['id'])}`)).body.data).toEqual(activity);
    expect(emu.requests.filter((q) => /\/\d+$/.test(q.path)).map((q) => q.tokenCost)).toEqual([1, 1, 1, 1]);
  });
});
