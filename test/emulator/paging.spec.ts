/** Paging (v2 cursors, v1 offsets), filters and parameter validation, end to end with fetch. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEmulator, type Emulator } from '../helpers/emulator.js';
import { get, readV1, readV2, type Rec } from './helpers.js';

let emu: Emulator;

beforeAll(async () => {
  emu = await startTestEmulator({ seed: 2, sizes: { deals: 1300, notes: 700, leads: 260, files: 230, call_logs: 120 } });
});
afterAll(async () => {
  await emu?.close();
});

const truth = (s: string): Rec[] => [...emu.groundTruth(s)];
const ids = (rs: Rec[]): unknown[] => rs.map((r) => r['id']);
const byUpdate = (a: Rec, b: Rec): number => String(a['update_time']).localeCompare(String(b['update_time'])) || (a['id'] as number) - (b['id'] as number);

describe('API v2 cursor paging', () => {
  it('defaults to 100 records, an opaque base64url cursor, and next_cursor null at the end', async () => {
    const r = await get(emu, '/api/v2/persons');
    expect(r.status).toBe(200);
    expect(r.body.success).toBe(true);
    expect(r.body.data).toHaveLength(100);
    const cursor = r.body.additional_data.next_cursor as string;
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    const all = await readV2(emu, '/persons', {}, 100);
    expect(all.records).toHaveLength(truth('persons').length);
    const last = await get(emu, '/api/v2/pipelines', { limit: 500 });
    expect(last.body.additional_data).toEqual({ next_cursor: null });
  });

  it('pages in id order by default with no gaps or duplicates', async () => {
    const { records, pages } = await readV2(emu, '/deals', { status: 'open,won,lost,deleted' }, 97);
    expect(pages).toBe(Math.ceil(records.length / 97));
    expect(ids(records)).toEqual(ids(truth('deals')));
  });

  it('limit above 500 or below 1 is a 400 with Pipedrive\'s error envelope', async () => {
    for (const limit of [501, 1000, 0, -1]) {
      const r = await get(emu, '/api/v2/deals', { limit });
      expect(r.status, String(limit)).toBe(400);
      expect(r.body).toMatchObject({ success: false, error: expect.any(String), error_info: expect.any(String), data: null, additional_data: null });
    }
    expect((await get(emu, '/api/v2/deals', { limit: 500 })).body.data).toHaveLength(500);
    expect((await get(emu, '/api/v2/deals', { limit: 'abc' })).status).toBe(400);
  });

  it('a malformed cursor, or one of another sort, is a 400', async () => {
    expect((await get(emu, '/api/v2/deals', { cursor: 'not a cursor!' })).status).toBe(400);
    const first = await get(emu, '/api/v2/deals', { sort_by: 'update_time', limit: 5 });
    const r = await get(emu, '/api/v2/deals', { sort_by: 'id', cursor: first.body.additional_data.next_cursor });
    expect(r.status).toBe(400);
  });

  it('updated_since is inclusive, updated_until exclusive, with update_time sort ascending', async () => {
    const deals = truth('deals').filter((d) => d['status'] !== 'deleted').sort(byUpdate);
    const pivot = deals[Math.floor(deals.length / 2)]!;
    const t = pivot['update_time'] as string;
    const since = await readV2(emu, '/deals', { updated_since: t, sort_by: 'update_time', sort_direction: 'asc' }, 50);
    expect(ids(since.records)).toEqual(ids(deals.filter((d) => (d['update_time'] as string) >= t)));
    expect(ids(since.records)).toContain(pivot['id']);
    const until = await readV2(emu, '/deals', { updated_until: t, sort_by: 'update_time' }, 50);
    expect(ids(until.records)).toEqual(ids(deals.filter((d) => (d['update_time'] as string) < t)));
    expect(ids(until.records)).not.toContain(pivot['id']);
    // With id order the same filter applies.
    const byId = await readV2(emu, '/deals', { updated_since: t }, 500);
    expect(new Set(ids(byId.records))).toEqual(new Set(ids(since.records)));
    // Offsets are accepted and normalised to UTC.
    const shifted = `${new Date(Date.parse(t) + 2 * 3600_000).toISOString().slice(0, 19)}+02:00`;
    const off = await readV2(emu, '/deals', { updated_since: shifted, sort_by: 'update_time' }, 500);
    expect(ids(off.records)).toEqual(ids(since.records));
  });

  it('answers 400 to fractional seconds, a space separator or a bare date', async () => {
    for (const v of ['2025-01-01T10:20:00.000Z', '2025-01-01T10:20:00.5Z', '2025-01-01 10:20:00', '2025-01-01', 'yesterday', '2025-13-01T00:00:00Z']) {
      for (const p of ['updated_since', 'updated_until']) {
        const r = await get(emu, '/api/v2/deals', { [p]: v });
        expect(r.status, `${p}=${v}`).toBe(400);
        expect(r.body.success).toBe(false);
      }
    }
    expect((await get(emu, '/api/v2/persons', { updated_since: '2025-01-01T10:20:00Z' })).status).toBe(200);
  });

  it('updated_since on the entities that have it; 400 on pipelines and stages (and updated_until on products)', async () => {
    for (const p of ['/deals', '/deals/archived', '/persons', '/organizations', '/activities', '/products']) {
      expect((await get(emu, `/api/v2${p}`, { updated_since: '2025-01-01T00:00:00Z' })).status, p).toBe(200);
    }
    for (const p of ['/deals', '/deals/archived', '/persons', '/organizations', '/activities']) {
      expect((await get(emu, `/api/v2${p}`, { updated_until: '2025-01-01T00:00:00Z' })).status, p).toBe(200);
    }
    expect((await get(emu, '/api/v2/products', { updated_until: '2025-01-01T00:00:00Z' })).status).toBe(400);
    for (const p of ['/pipelines', '/stages', '/projects', '/tasks', '/dealFields']) {
      const r = await get(emu, `/api/v2${p}`, { updated_since: '2025-01-01T00:00:00Z' });
      expect(r.status, p).toBe(400);
      expect(r.body.error).toMatch(/updated_since/);
    }
  });

  it('sort_by update_time/add_time with sort_direction desc', async () => {
    const desc = await readV2(emu, '/persons', { sort_by: 'update_time', sort_direction: 'desc' }, 77);
    expect(ids(desc.records)).toEqual(ids([...truth('persons')].sort(byUpdate).reverse()));
    const add = await readV2(emu, '/organizations', { sort_by: 'add_time', sort_direction: 'asc' }, 40);
    const want = [...truth('organizations')].sort((a, b) => String(a['add_time']).localeCompare(String(b['add_time'])) || (a['id'] as number) - (b['id'] as number));
    expect(ids(add.records)).toEqual(ids(want));
    expect((await get(emu, '/api/v2/deals', { sort_by: 'title' })).status).toBe(400);
    expect((await get(emu, '/api/v2/deals', { sort_direction: 'up' })).status).toBe(400);
  });

  it('deals status: deleted deals only when asked, archived deals never in /deals', async () => {
    const all = truth('deals');
    const plain = await readV2(emu, '/deals');
    expect(plain.records.every((d) => d['status'] !== 'deleted' && d['is_deleted'] === false)).toBe(true);
    expect(plain.records).toHaveLength(all.filter((d) => d['status'] !== 'deleted').length);
    const deleted = await readV2(emu, '/deals', { status: 'deleted' });
    expect(deleted.records.length).toBeGreaterThan(0);
    expect(deleted.records.every((d) => d['is_deleted'] === true && d['status'] === 'deleted')).toBe(true);
    const won = await readV2(emu, '/deals', { status: 'won,lost' });
    expect(won.records.every((d) => d['status'] === 'won' || d['status'] === 'lost')).toBe(true);
    expect((await get(emu, '/api/v2/deals', { status: 'open,nope' })).status).toBe(400);
    const archived = await readV2(emu, '/deals/archived', { status: 'open,won,lost,deleted' });
    expect(archived.records.length).toBeGreaterThan(0);
    expect(archived.records.every((d) => d['is_archived'] === true)).toBe(true);
    const inDeals = new Set(ids(all));
    expect(archived.records.some((d) => inDeals.has(d['id']))).toBe(false);
  });

  it('deals/products and deals/installments: at most 100 deal_ids, required', async () => {
    const hundred = Array.from({ length: 100 }, (_, k) => k + 1).join(',');
    const ok = await get(emu, '/api/v2/deals/products', { deal_ids: hundred, limit: 500 });
    expect(ok.status).toBe(200);
    expect(ok.body.data.length).toBeGreaterThan(0);
    expect(ok.body.data.every((p: Rec) => (p['deal_id'] as number) <= 100)).toBe(true);
    const tooMany = `${hundred},101`;
    for (const p of ['/deals/products', '/deals/installments']) {
      expect((await get(emu, `/api/v2${p}`, { deal_ids: tooMany })).status, p).toBe(400);
      expect((await get(emu, `/api/v2${p}`)).status, p).toBe(400);
    }
    const paged = await readV2(emu, '/deals/products', { deal_ids: hundred }, 7);
    expect(ids(paged.records)).toEqual(ids(ok.body.data));
  });

  it('phases need board_id; boards and phases are not paged', async () => {
    expect((await get(emu, '/api/v2/phases')).status).toBe(400);
    const boards = await get(emu, '/api/v2/boards');
    expect(boards.body).toMatchObject({ success: true, additional_data: null });
    const phases = await get(emu, '/api/v2/phases', { board_id: 1 });
    expect(phases.body.data.length).toBeGreaterThan(0);
    expect(phases.body.data.every((p: Rec) => p['board_id'] === 1)).toBe(true);
  });

  it('unknown query parameters of v2 list endpoints are a 400', async () => {
    expect((await get(emu, '/api/v2/deals', { start: 0 })).status).toBe(400);
    expect((await get(emu, '/api/v2/deals', { include_fields: 'products_count', custom_fields: '' })).status).toBe(200);
  });

  it('*Fields: cursor paging over system and custom fields', async () => {
    const all = await readV2(emu, '/dealFields', {}, 10);
    expect(all.pages).toBeGreaterThan(1);
    expect(all.records).toEqual(truth('deal_fields'));
    const withUi = await get(emu, '/api/v2/dealFields', { include_fields: 'ui_visibility' });
    expect(withUi.body.data[0]).toHaveProperty('ui_visibility');
    expect(all.records[0]).not.toHaveProperty('ui_visibility');
  });
});

describe('API v1 offset paging', () => {
  it('pagination object with start, limit, more_items_in_collection and next_start', async () => {
    const r = await get(emu, '/v1/notes', { start: 0, limit: 100 });
    expect(r.body.success).toBe(true);
    expect(r.body.data).toHaveLength(100);
    expect(r.body.additional_data.pagination).toEqual({ start: 0, limit: 100, more_items_in_collection: true, next_start: 100 });
    const lastStart = truth('notes').length - 10;
    const end = await get(emu, '/v1/notes', { start: lastStart, limit: 100 });
    expect(end.body.data).toHaveLength(10);
    expect(end.body.additional_data.pagination).toEqual({ start: lastStart, limit: 100, more_items_in_collection: false });
    const def = await get(emu, '/v1/notes');
    expect(def.body.data).toHaveLength(100);
  });

  it('reads everything, page by page, in order (also out of order and under /api/v1)', async () => {
    const all = await readV1(emu, '/notes', {}, 64);
    expect(ids(all.records)).toEqual(ids(truth('notes')));
    const random = await get(emu, '/v1/notes', { start: 320, limit: 10 });
    expect(ids(random.body.data)).toEqual(ids(truth('notes').slice(320, 330)));
    const api = await readV1(emu, '/notes', {}, 500, '/api/v1');
    expect(ids(api.records)).toEqual(ids(all.records));
  });

  it('caps limit at the endpoint maximum: files 100, callLogs 50, others 500', async () => {
    const files = await get(emu, '/v1/files', { limit: 500 });
    expect(files.body.data).toHaveLength(100);
    expect(files.body.additional_data.pagination).toMatchObject({ limit: 100, next_start: 100 });
    const calls = await get(emu, '/v1/callLogs', { limit: 500 });
    expect(calls.body.data).toHaveLength(50);
    const notes = await get(emu, '/v1/notes', { limit: 5000 });
    expect(notes.body.data).toHaveLength(500);
  });

  it('notes and leads: updated_since (v1 text or RFC 3339, inclusive) with sort=update_time ASC', async () => {
    const notes = [...truth('notes')].sort(byUpdate);
    const pivot = notes[Math.floor(notes.length / 3)]!;
    const t = pivot['update_time'] as string; // YYYY-MM-DD HH:MM:SS
    const want = notes.filter((n) => (n['update_time'] as string) >= t);
    const a = await readV1(emu, '/notes', { updated_since: t, sort: 'update_time ASC' }, 50);
    expect(ids(a.records)).toEqual(ids(want));
    const b = await readV1(emu, '/notes', { updated_since: `${t.replace(' ', 'T')}Z`, sort: 'update_time ASC' }, 500);
    expect(ids(b.records)).toEqual(ids(want));
    expect((await get(emu, '/v1/notes', { updated_since: 'last week' })).status).toBe(400);

    const leads = [...truth('leads')].sort(byUpdateLead);
    const lp = leads[Math.floor(leads.length / 2)]!;
    const lt = lp['update_time'] as string; // ISO with milliseconds
    const got = await readV1(emu, '/leads', { updated_since: lt, sort: 'update_time ASC' }, 20);
    expect(got.records.map((l) => l['id'])).toEqual(leads.filter((l) => (l['update_time'] as string) >= lt).map((l) => l['id']));
  });

  it('leads and leads/archived are disjoint; leads/archived has is_archived', async () => {
    const a = await readV1(emu, '/leads');
    const b = await readV1(emu, '/leads/archived');
    expect(b.records.length).toBeGreaterThan(0);
    expect(b.records.every((l) => l['is_archived'] === true)).toBe(true);
    expect(a.records.every((l) => l['is_archived'] === false)).toBe(true);
    const r = await get(emu, '/v1/leads', { limit: 10 });
    expect(r.body.additional_data).toMatchObject({ start: 0, limit: 10, more_items_in_collection: true, pagination: { start: 0, limit: 10, next_start: 10 } });
  });

  it('endpoints without paging return everything', async () => {
    for (const p of ['/v1/users', '/v1/activityTypes', '/v1/currencies', '/v1/filters', '/v1/leadLabels', '/v1/leadSources', '/v1/permissionSets', '/v1/legacyTeams']) {
      const r = await get(emu, p, { limit: 1 });
      expect(r.status, p).toBe(200);
      expect(r.body.data.length, p).toBeGreaterThan(1);
    }
    const goals = await get(emu, '/v1/goals/find');
    expect(goals.body.data.goals.length).toBeGreaterThan(0);
  });

  it('deal flow, mail messages and permission set assignments are per parent; 404 for unknown parents', async () => {
    // A deal that was updated after its creation has a history (never updated ones have none).
    const id = truth('deals').find((d) => d['update_time'] !== d['add_time'])!['id'] as number;
    const flow = await get(emu, `/v1/deals/${id}/flow`, { limit: 500 });
    expect(flow.body.data.length).toBeGreaterThan(0);
    expect(flow.body.data[0]).toMatchObject({ object: 'dealChange', data: { item_id: id } });
    expect(flow.body.related_objects.deal[String(id)]).toMatchObject({ id });
    expect((await get(emu, '/v1/deals/99999999/flow')).status).toBe(404);
    expect((await get(emu, '/v1/mailbox/mailThreads/99999999/mailMessages')).status).toBe(404);
    expect((await get(emu, '/v1/permissionSets/nope/assignments')).status).toBe(404);
    const threads = await get(emu, '/v1/mailbox/mailThreads', { folder: 'sent' });
    expect(threads.body.data.every((t: Rec) => (t['folders'] as string[]).includes('sent'))).toBe(true);
    expect((await get(emu, '/v1/mailbox/mailThreads', { folder: 'spam' })).status).toBe(400);
  });

  it('deal summary gives the total count of not deleted deals', async () => {
    const r = await get(emu, '/v1/deals/summary');
    expect(r.body.data.total_count).toBe(truth('deals').filter((d) => d['status'] !== 'deleted').length);
    const a = await get(emu, '/v1/deals/summary/archived');
    expect(a.body.data.total_count).toBe(truth('deals_archived').length);
  });
});

function byUpdateLead(a: Rec, b: Rec): number {
  return String(a['update_time']).localeCompare(String(b['update_time']));
}

describe('gone and unknown endpoints', () => {
  it('410 Gone for the v1 list endpoints out of support', async () => {
    for (const p of ['deals', 'persons', 'organizations', 'activities', 'products', 'pipelines', 'stages']) {
      for (const prefix of ['/v1/', '/api/v1/']) {
        const r = await get(emu, `${prefix}${p}`);
        expect(r.status, prefix + p).toBe(410);
        expect(r.body).toMatchObject({ success: false, error: expect.stringContaining('/api/v2/'), data: null });
      }
    }
  });

  it('404 with an error envelope for unknown paths', async () => {
    for (const p of ['/v1/nothing', '/api/v2/nothing', '/api/v3/deals', '/', '/v1/deals/1/nothing']) {
      const r = await get(emu, p);
      expect(r.status, p).toBe(404);
      expect(r.body).toMatchObject({ success: false, error: expect.any(String) });
    }
  });
});
