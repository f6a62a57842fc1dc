/** Mutations (touch/add/delete), the clock, the admin API and the CLI flags. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseArgs } from '../../emulator/args.js';
import { startTestEmulator, type Emulator } from '../helpers/emulator.js';
import { ALL_TRUTH_STREAMS } from '../../emulator/truth.js';
import { byPk, get, readStream, readV1, readV2, type Rec } from './helpers.js';

let emu: Emulator;

beforeAll(async () => {
  emu = await startTestEmulator({ seed: 12, sizes: { deals: 600, persons: 200, notes: 150, leads: 80 } });
});
afterAll(async () => {
  await emu?.close();
});

const truth = (s: string): Rec[] => [...emu.groundTruth(s)];
const maxUpdate = (rs: Rec[]): string => rs.map((r) => r['update_time'] as string).sort().at(-1)!;

describe('mutate', () => {
  it('touched and added records get a later update_time; the clock advances per mutation', async () => {
    const before = maxUpdate(truth('deals'));
    expect(before < '2026-11-01T00:00:00Z').toBe(true);
    const m1 = emu.mutate({ touch: { deals: 5, persons: 3 }, add: { deals: 2 } });
    expect(m1.touched['deals']).toHaveLength(5);
    expect(m1.touched['persons']).toHaveLength(3);
    expect(m1.added['deals']).toEqual([601, 602]);
    // Touches may hit archived deals too.
    const deals = new Map([...truth('deals'), ...truth('deals_archived')].map((d) => [d['id'], d]));
    const t1 = deals.get(601)!['update_time'] as string;
    expect(t1 > '2026-11-01T00:00:00Z').toBe(true);
    for (const id of [...m1.touched['deals']!, ...m1.added['deals']!]) expect(deals.get(id)!['update_time']).toBe(t1);
    expect(deals.get(601)!['add_time']).toBe(t1);
    const m2 = emu.mutate({ touch: { deals: 1 } });
    const t2 = [...truth('deals'), ...truth('deals_archived')].find((d) => d['id'] === m2.touched['deals']![0])!['update_time'] as string;
    expect(t2 > t1).toBe(true);
    expect(Date.parse(t2) - Date.parse(t1)).toBeLessThanOrEqual(10_000);
  });

  it('an incremental read from the previous maximum returns exactly the changed records', async () => {
    const since = maxUpdate(truth('persons'));
    const m = emu.mutate({ touch: { persons: 4 }, add: { persons: 2 } });
    const got = await readV2(emu, '/persons', { updated_since: since, sort_by: 'update_time', sort_direction: 'asc' });
    const changed = new Set([...m.touched['persons']!, ...m.added['persons']!]);
    const ids = got.records.map((p) => p['id']);
    for (const id of changed) expect(ids).toContain(id);
    // Records at exactly the old maximum are included too (inclusive), nothing else.
    expect(got.records.every((p) => changed.has(p['id']) || p['update_time'] === since)).toBe(true);
    // The changed ones come last, in (update_time, id) order.
    const tail = ids.slice(-changed.size);
    expect(new Set(tail)).toEqual(changed);
    expect(tail).toEqual([...tail].sort((a, b) => (a as number) - (b as number)));
  });

  it('deleting deals marks them deleted (still in the deals stream); deleting persons removes them', async () => {
    const m = emu.mutate({ delete: { deals: 3, persons: 2 } });
    const ids = m.deleted['deals']!;
    expect(ids).toHaveLength(3);
    const deals = new Map(truth('deals').map((d) => [d['id'], d]));
    for (const id of ids) expect(deals.get(id)).toMatchObject({ is_deleted: true, status: 'deleted' });
    const deleted = await readV2(emu, '/deals', { status: 'deleted' });
    for (const id of ids) expect(deleted.records.map((d) => d['id'])).toContain(id);
    const plain = await readV2(emu, '/deals');
    for (const id of ids) expect(plain.records.map((d) => d['id'])).not.toContain(id);
    const persons = await readV2(emu, '/persons');
    for (const id of m.deleted['persons']!) {
      expect(persons.records.map((p) => p['id'])).not.toContain(id);
      expect(truth('persons').map((p) => p['id'])).not.toContain(id);
    }
    // The change log of a deleted deal records the deletion as a status change.
    const flow = await get(emu, `/v1/deals/${String(ids[0])}/flow`);
    expect(flow.body.data[0].data).toMatchObject({ field_key: 'status', new_value: 'deleted' });
    const log = await get(emu, `/v1/deals/${String(ids[0])}/changelog`);
    expect(log.body.data[0]).toMatchObject({ field_key: 'status', new_value: 'deleted', time: m.time.replace('T', ' ').replace('Z', '') });
  });

  it('v1 notes and leads: touched records show up through updated_since', async () => {
    const notes = truth('notes');
    const since = maxUpdate(notes);
    const m = emu.mutate({ touch: { notes: 3, leads: 2 } });
    const got = await readV1(emu, '/notes', { updated_since: since, sort: 'update_time ASC' });
    for (const id of m.touched['notes']!) expect(got.records.map((n) => n['id'])).toContain(id);
    const leads = await readV1(emu, '/leads', { updated_since: '2026-11-01 00:00:00', sort: 'update_time ASC' });
    const touchedLeads = truth('leads').filter((l) => (m.touched['leads'] ?? []).includes(l['id']));
    for (const l of touchedLeads) expect(leads.records.map((x) => x['id'])).toContain(l['id']);
  });

  it('a v2 read continues correctly across a mutation between pages', async () => {
    const first = await get(emu, '/api/v2/deals', { limit: 100, sort_by: 'update_time', status: 'open,won,lost,deleted' });
    const seen = first.body.data.map((d: Rec) => d['id']) as number[];
    emu.mutate({ touch: { deals: 10 } });
    let cursor = first.body.additional_data.next_cursor as string | null;
    while (cursor) {
      const r = await get(emu, '/api/v2/deals', { limit: 100, sort_by: 'update_time', status: 'open,won,lost,deleted', cursor });
      seen.push(...(r.body.data as Rec[]).map((d) => d['id'] as number));
      cursor = r.body.additional_data.next_cursor;
    }
    // Every deal is seen at least once (touched ones may be seen twice: before and after the change).
    expect(new Set(seen)).toEqual(new Set(truth('deals').map((d) => d['id'])));
  });
});

describe('mutating every entity', () => {
  it('keeps every stream\'s ground truth equal to a full read', async () => {
    const e = await startTestEmulator({ seed: 3 });
    try {
      const ents = [
        'users', 'pipelines', 'stages', 'boards', 'phases', 'activity_types', 'permission_sets', 'roles', 'legacy_teams', 'lead_labels',
        'project_templates', 'filters', 'goals', 'organizations', 'persons', 'products', 'deals', 'activities', 'notes', 'leads', 'files',
        'call_logs', 'mail_threads', 'projects', 'tasks',
      ];
      const two = Object.fromEntries(ents.map((x) => [x, 2]));
      const res = e.mutate({ touch: two, add: two, delete: Object.fromEntries(ents.map((x) => [x, 1])) });
      for (const x of ents) expect(res.added[x], x).toHaveLength(2);
      e.mutate({ change: { deals: { field: 'stage_id', count: 3 }, persons: { field: 'owner_id', count: 2 } }, merge: { persons: 1, organizations: 1 }, undelete: { deals: 1 } });
      for (const s of ALL_TRUTH_STREAMS) {
        const pk = e.primaryKey(s);
        const read = byPk(pk, await readStream(e, s));
        const truth = byPk(pk, [...e.groundTruth(s)]);
        expect([...read.keys()].sort(), s).toEqual([...truth.keys()].sort());
        for (const [k, v] of truth) expect(read.get(k), `${s} ${k}`).toEqual(v);
      }
      expect(() => e.mutate({ touch: { currencies: 1 } })).toThrow(/unknown entity/);
    } finally {
      await e.close();
    }
  });
});

describe('admin API', () => {
  it('GET/POST /__admin/knobs, POST /__admin/mutate, GET/DELETE /__admin/requests, GET /__admin/truth/:stream', async () => {
    const k = await (await fetch(`${emu.url}/__admin/knobs`)).json();
    expect(k).toMatchObject({ rateLimit: null, dailyBudget: null, latencyMs: 0 });
    const set = await (await fetch(`${emu.url}/__admin/knobs`, { method: 'POST', body: JSON.stringify({ dailyBudget: 1000, latencyMs: 1 }) })).json();
    expect(set).toMatchObject({ dailyBudget: 1000, latencyMs: 1, dailyBudgetUsed: 0 });
    await fetch(`${emu.url}/__admin/knobs`, { method: 'POST', body: JSON.stringify({ dailyBudget: null, latencyMs: 0 }) });

    const m = await (await fetch(`${emu.url}/__admin/mutate`, { method: 'POST', body: JSON.stringify({ touch: { organizations: 2 } }) })).json() as { touched: Record<string, unknown[]> };
    expect(m.touched.organizations).toHaveLength(2);

    emu.resetLog();
    await get(emu, '/v1/users');
    const log = await (await fetch(`${emu.url}/__admin/requests`)).json();
    expect(log).toEqual([expect.objectContaining({ method: 'GET', path: '/v1/users', status: 200, tokenCost: 20, auth: 'token', at: expect.any(Number) })]);
    expect(emu.requests).toHaveLength(1); // admin calls are not logged
    await fetch(`${emu.url}/__admin/requests`, { method: 'DELETE' });
    expect(emu.requests).toHaveLength(0);

    const t = await (await fetch(`${emu.url}/__admin/truth/deals`)).json();
    expect(t).toEqual(truth('deals'));
    expect((await fetch(`${emu.url}/__admin/truth/nope`)).status).toBe(404);
    expect((await fetch(`${emu.url}/__admin/mutate`, { method: 'POST', body: '{bad json' })).status).toBe(400);
  });

  it('admin paths need no auth', async () => {
    expect((await fetch(`${emu.url}/__admin/knobs`)).status).toBe(200);
  });
});

describe('CLI flags', () => {
  it('parses sizes, limits, latency, faults and the clock', () => {
    expect(parseArgs(['--port', '8123', '--deals', '5000', '--persons=2000', '--seed', '9', '--rate-limit', '40', '--window-ms', '2000', '--daily-budget', '30000', '--latency', '25', '--error5xx', '0.1', '--now', '2026-01-01T00:00:00Z'])).toEqual({
      port: 8123,
      seed: 9,
      sizes: { deals: 5000, persons: 2000 },
      rateLimit: { burst: 40, windowMs: 2000 },
      dailyBudget: 30000,
      latencyMs: 25,
      faults: { error5xx: 0.1 },
      now: new Date('2026-01-01T00:00:00Z'),
    });
    expect(() => parseArgs(['--nope', '1'])).toThrow(/unknown option/);
    expect(() => parseArgs(['--deals'])).toThrow(/needs a value/);
    expect(() => parseArgs(['--deals', 'many'])).toThrow(/number/);
  });
});
