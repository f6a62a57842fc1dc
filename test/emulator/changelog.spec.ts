/**
 * Field history: `GET /v1/{deals|persons|organizations}/{id}/changelog` (cursor paging, newest first), its
 * consistency with the records, the entries mutations write, and the ground truth of the change-log streams.
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import ajvFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordNode, type FieldNode } from '../../emulator/meta.js';
import { startEmulator, type Emulator } from '../../emulator/server.js';
import { schemaPath } from '../../streams/index.js';
import { byPk, get, readChangelog, readStream, type Rec } from './helpers.js';

let emu: Emulator;
const SIZES = { deals: 700, persons: 400, organizations: 150 };
const LOGS = [
  ['deal_changelog', 'deals', 'deal_id'],
  ['person_changelog', 'persons', 'person_id'],
  ['organization_changelog', 'organizations', 'organization_id'],
] as const;

beforeAll(async () => {
  emu = await startEmulator({ seed: 31, sizes: SIZES });
});
afterAll(async () => {
  await emu.close();
});

const truth = (s: string): Rec[] => [...emu.groundTruth(s)];
/** `2026-11-01T00:00:05Z` → `2026-11-01 00:00:05` (the change log's `time`). */
const v1 = (iso: string): string => iso.replace('T', ' ').replace(/(\.000)?Z$/, '');
const byParent = (records: Rec[], key: string): Map<number, Rec[]> => {
  const m = new Map<number, Rec[]>();
  for (const r of records) m.set(r[key] as number, [...(m.get(r[key] as number) ?? []), r]);
  return m;
};

/** A record's current value of a change-log field, as change-log text. */
function current(entity: string, rec: Rec, key: string): string | null {
  const text = (v: unknown): string | null => (v === null || v === undefined ? null : Array.isArray(v) ? v.map((x) => (typeof x === 'object' ? (x as Rec)['value'] : x)).join(', ') || null : typeof v === 'object' ? text((v as Rec)['value']) : String(v));
  if (/^[0-9a-f]{40}$/.test(key)) return text((rec['custom_fields'] as Rec)[key]);
  if (key === 'user_id') return text(rec['owner_id']);
  if (key === 'email') return text(rec['emails']);
  if (key === 'phone') return text(rec['phones']);
  void entity;
  return text(rec[key]);
}

describe('change-log ground truth', () => {
  it.each(LOGS)('%s equals paging every parent over HTTP (3 entries a page)', async (stream, parent, key) => {
    const pk = emu.primaryKey(stream);
    expect(pk[0]).toEqual([key]);
    const want = byPk(pk, truth(stream));
    expect(want.size).toBeGreaterThan(100);
    const got: Rec[] = [];
    let pages = 0;
    for (const p of truth(parent === 'deals' ? 'deals' : parent)) {
      const r = await readChangelog(emu, parent, p['id'] as number, 3);
      pages += r.pages;
      for (const c of r.records) got.push({ ...c, [key]: p['id'] });
    }
    expect(pages).toBeGreaterThan(want.size / 3);
    const read = byPk(pk, got);
    expect([...read.keys()].sort()).toEqual([...want.keys()].sort());
    for (const [k, v] of want) expect(read.get(k), k).toEqual(v);
  });

  it('follow the OpenAPI response schema of the endpoint (strict nullability)', async () => {
    const node = recordNode('v1', '/deals/{id}/changelog');
    const strict = (n: FieldNode): Record<string, unknown> => ({
      type: n.n ? [n.t, 'null'].flat() : n.t,
      ...(n.p ? { properties: Object.fromEntries(Object.entries(n.p).map(([k, c]) => [k, strict(c)])), required: Object.keys(n.p) } : {}),
    });
    const validate = new Ajv({ strict: false, allErrors: true }).compile(strict(node));
    for (const [stream] of LOGS) {
      for (const rec of truth(stream)) if (!validate(rec)) throw new Error(`${stream}: ${JSON.stringify(validate.errors)} in ${JSON.stringify(rec)}`);
    }
  });

  it('validate against the generated change-log schemas', () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    ajvFormats.default(ajv);
    ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/);
    for (const [stream] of LOGS) {
      const schema = JSON.parse(readFileSync(schemaPath({ name: stream }), 'utf8')) as Record<string, unknown>;
      const validate = ajv.compile(schema);
      for (const rec of truth(stream)) if (!validate(rec)) throw new Error(`${stream}: ${JSON.stringify(validate.errors)} in ${JSON.stringify(rec)}`);
    }
  });

  it.each(LOGS)('%s is consistent with the records: newest entry at update_time, values chain back from the current ones', (stream, parent, key) => {
    const logs = byParent(truth(stream), key);
    const records = truth(parent === 'deals' ? 'deals' : parent);
    let updated = 0;
    for (const rec of records) {
      const entries = logs.get(rec['id'] as number) ?? [];
      if (rec['update_time'] === rec['add_time']) {
        expect(entries, `${parent} ${String(rec['id'])} never updated`).toEqual([]);
        continue;
      }
      updated++;
      expect(entries.length, `${parent} ${String(rec['id'])}`).toBeGreaterThan(0);
      expect(entries[0]!['time']).toBe(v1(rec['update_time'] as string));
      const times = entries.map((e) => e['time'] as string);
      expect(times).toEqual([...times].sort().reverse());
      expect(times.every((t) => t > v1(rec['add_time'] as string))).toBe(true);
      // Newest first: each field's newest entry holds the record's value, each older one ends where the next began.
      const seen = new Map<string, Rec>();
      for (const e of entries) {
        const f = e['field_key'] as string;
        expect(e['old_value'], `${parent} ${String(rec['id'])} ${f} changed`).not.toBe(e['new_value']);
        const newer = seen.get(f);
        if (newer) expect(e['new_value'], `${parent} ${String(rec['id'])} ${f} chain`).toBe(newer['old_value']);
        else expect(e['new_value'], `${parent} ${String(rec['id'])} ${f} = record`).toBe(current(parent, rec, f));
        seen.set(f, e);
      }
      if (parent === 'deals') {
        const stage = entries.find((e) => e['field_key'] === 'stage_id');
        if (stage) expect(stage['time']).toBe(v1(rec['stage_change_time'] as string));
        if (rec['status'] === 'won') expect(entries.find((e) => e['field_key'] === 'status')).toMatchObject({ new_value: 'won', time: v1(rec['won_time'] as string) });
        if (rec['status'] === 'deleted') expect(entries[0]).toMatchObject({ field_key: 'status', new_value: 'deleted' });
      }
    }
    expect(updated).toBeGreaterThan(records.length / 2);
  });

  it('has fields changed twice in one second, told apart by their values (later change first)', () => {
    let doubles = 0;
    for (const [stream, , key] of LOGS) {
      for (const entries of byParent(truth(stream), key).values()) {
        for (let k = 0; k + 1 < entries.length; k++) {
          const a = entries[k]!;
          const b = entries[k + 1]!;
          if (a['time'] !== b['time'] || a['field_key'] !== b['field_key']) continue;
          doubles++;
          expect(a['old_value']).toBe(b['new_value']);
          expect([a['old_value'], a['new_value']]).not.toEqual([b['old_value'], b['new_value']]);
        }
      }
      // Unique by (parent, time, field, old, new): byPk throws on duplicates.
      expect(byPk(emu.primaryKey(stream), truth(stream)).size).toBe(truth(stream).length);
    }
    expect(doubles).toBeGreaterThan(10);
  });

  it('carries bulk updates, sources and user agents', () => {
    const all = truth('deal_changelog');
    expect(all.some((e) => e['is_bulk_update_flag'] === true)).toBe(true);
    expect(new Set(all.map((e) => e['change_source']))).toEqual(new Set(['app', 'mobile', 'api']));
    expect(all.filter((e) => e['change_source'] === 'app').every((e) => String(e['change_source_user_agent']).startsWith('Mozilla/'))).toBe(true);
    expect(all.some((e) => /^[0-9a-f]{40}$/.test(e['field_key'] as string))).toBe(true);
    expect(all.every((e) => /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(e['time'] as string))).toBe(true);
  });

  it('deal flow holds the same changes as the deal change log', async () => {
    const deal = truth('deals').find((d) => (byParent(truth('deal_changelog'), 'deal_id').get(d['id'] as number)?.length ?? 0) >= 3)!;
    const id = deal['id'] as number;
    const log = (await readChangelog(emu, 'deals', id)).records;
    const flow = (await get(emu, `/v1/deals/${id}/flow`, { limit: 500 })).body.data as Rec[];
    expect(flow.map((f) => {
      const d = f['data'] as Rec;
      return { field_key: d['field_key'], old_value: d['old_value'], new_value: d['new_value'], actor_user_id: d['user_id'], time: f['timestamp'], change_source: d['change_source'], change_source_user_agent: d['change_source_user_agent'], is_bulk_update_flag: d['is_bulk_update_flag'] };
    })).toEqual(log);
  });
});

describe('GET /v1/{entity}/{id}/changelog', () => {
  it('pages with cursor and limit (default 100, at most 500), next_cursor null on the last page, 20 tokens a page', async () => {
    const [deal] = emu.mutate({ change: { deals: { field: 'value', count: 1, times: 520 } } }).changed['deals'] as number[];
    const all = (await readChangelog(emu, 'deals', deal!, 500)).records;
    expect(all.length).toBeGreaterThanOrEqual(520);
    const first = await get(emu, `/v1/deals/${deal}/changelog`);
    expect(first.status).toBe(200);
    expect(first.body.data).toHaveLength(100);
    expect(first.body.additional_data.next_cursor).toMatch(/^[A-Za-z0-9+/]+$/);
    expect(Buffer.from(first.body.additional_data.next_cursor as string, 'base64').toString()).toMatch(/^id:\d+$/);
    const big = await get(emu, `/v1/deals/${deal}/changelog`, { limit: 1000 });
    expect(big.body.data).toHaveLength(500);
    const rest = await get(emu, `/v1/api/deals/${deal}/changelog`);
    expect(rest.status).toBe(404);
    const second = await get(emu, `/api/v1/deals/${deal}/changelog`, { limit: 500, cursor: big.body.additional_data.next_cursor });
    expect([...big.body.data, ...second.body.data]).toEqual(all.slice(0, 500 + second.body.data.length));
    const one: Rec[] = [];
    let cursor: string | null = null;
    emu.resetLog();
    for (let k = 0; k < 5; k++) {
      const r = await get(emu, `/v1/deals/${deal}/changelog`, cursor ? { limit: 1, cursor } : { limit: 1 });
      one.push(...(r.body.data as Rec[]));
      cursor = r.body.additional_data.next_cursor;
    }
    expect(one).toEqual(all.slice(0, 5));
    expect(emu.requests.map((q) => q.tokenCost)).toEqual([20, 20, 20, 20, 20]);
    // The newest entries: 520 value changes in one second, each from the previous value.
    expect(all.slice(0, 520).every((e) => e['field_key'] === 'value' && e['time'] === all[0]!['time'])).toBe(true);
    const smallest = truth('deals').find((d) => d['update_time'] !== d['add_time'])!;
    const last = await get(emu, `/v1/deals/${String(smallest['id'])}/changelog`, { limit: 500 });
    expect(last.body.additional_data.next_cursor).toBeNull();
  });

  it('answers 400 for a bad cursor or limit and 404 for unknown or removed records', async () => {
    expect((await get(emu, '/v1/deals/1/changelog', { cursor: 'not a cursor!' })).status).toBe(400);
    expect((await get(emu, '/v1/deals/1/changelog', { cursor: Buffer.from('offset:3').toString('base64') })).status).toBe(400);
    expect((await get(emu, '/v1/deals/1/changelog', { limit: 0 })).status).toBe(400);
    expect((await get(emu, '/v1/deals/99999/changelog')).status).toBe(404);
    expect((await get(emu, '/v1/persons/abc/changelog')).status).toBe(404);
    const gone = emu.mutate({ delete: { organizations: 1 } }).deleted['organizations']![0] as number;
    const r = await get(emu, `/v1/organizations/${gone}/changelog`);
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({ success: false, error: 'Organization not found' });
  });
});

describe('mutations write change-log entries', () => {
  it('stage moves, value, owner and status changes of deals: the record and its log agree', async () => {
    const m = emu.mutate({
      change: {
        deals: [
          { field: 'stage_id', count: 5 },
          { field: 'value', count: 2 },
          { field: 'owner_id', count: 2 },
          { field: 'status', count: 2, value: 'won' },
        ],
      },
    });
    const ids = m.changed['deals'] as number[];
    expect(ids).toHaveLength(11);
    const deals = new Map([...truth('deals'), ...truth('deals_archived')].map((d) => [d['id'] as number, d]));
    const logs = byParent(truth('deal_changelog'), 'deal_id');
    const t = v1(m.time);
    for (const id of ids) {
      const d = deals.get(id)!;
      expect(d['update_time'], `deal ${id}`).toBe(m.time);
      const top = (logs.get(id) ?? []).filter((e) => e['time'] === t);
      expect(top.length, `deal ${id}`).toBeGreaterThan(0);
      for (const e of top) {
        expect(e).toMatchObject({ actor_user_id: 1, change_source: 'api', is_bulk_update_flag: false });
        expect(e['new_value']).toBe(current('deals', d, e['field_key'] as string));
      }
    }
    const moved = ids.slice(0, 5).map((id) => deals.get(id)!);
    for (const d of moved) {
      expect(d['stage_change_time']).toBe(m.time);
      const e = logs.get(d['id'] as number)!.find((x) => x['field_key'] === 'stage_id')!;
      expect(Number(e['new_value'])).toBe(d['stage_id']);
      expect(Math.ceil(Number(e['old_value']) / 5)).toBe(d['pipeline_id']);
    }
    for (const id of ids.slice(9)) expect(deals.get(id)).toMatchObject({ status: 'won', won_time: m.time, close_time: m.time });
    // The API filters see the changes too.
    const stage = moved[0]!['stage_id'] as number;
    const inStage = (await readStream(emu, 'deals')).filter((d) => d['stage_id'] === stage).map((d) => d['id']);
    expect(inStage).toContain(moved[0]!['id']);
  });

  it('touches, person and organization changes, deletes and undeletes', async () => {
    const m = emu.mutate({
      touch: { deals: 2, persons: 2, organizations: 2 },
      change: { persons: [{ field: 'email', count: 1 }, { field: 'org_id', count: 1 }, { field: 'name', count: 1 }], organizations: { field: 'name', count: 1 } },
    });
    const t = v1(m.time);
    for (const [, parent] of LOGS) {
      // Touched deals may be archived ones: their change log is served too.
      const records = new Map([...truth(parent), ...(parent === 'deals' ? truth('deals_archived') : [])].map((r) => [r['id'], r]));
      for (const id of [...(m.touched[parent] ?? []), ...(m.changed[parent] ?? [])] as number[]) {
        const rec = records.get(id)!;
        expect(rec['update_time']).toBe(m.time);
        const e = (await readChangelog(emu, parent, id)).records[0]!;
        expect(e['time']).toBe(t);
        expect(e['new_value']).toBe(current(parent, rec, e['field_key'] as string));
        // A touch changes the entity's first text custom field.
        if ((m.touched[parent] as number[]).includes(id) && !(m.changed[parent] ?? []).includes(id)) expect(e['field_key']).toMatch(/^[0-9a-f]{40}$/);
      }
    }
    const del = emu.mutate({ delete: { deals: 2 } });
    const und = emu.mutate({ undelete: { deals: 1 } });
    const restored = und.undeleted['deals']![0] as number;
    const log = (await readChangelog(emu, 'deals', restored)).records;
    expect(log[0]).toMatchObject({ field_key: 'status', old_value: 'deleted', time: v1(und.time) });
    expect(truth('deals').find((d) => d['id'] === restored)).toMatchObject({ status: log[0]!['new_value'], is_deleted: false, update_time: und.time });
    const stillDeleted = (del.deleted['deals'] as number[]).filter((id) => id !== restored);
    for (const id of stillDeleted) expect((await readChangelog(emu, 'deals', id)).records[0]).toMatchObject({ field_key: 'status', new_value: 'deleted', time: v1(del.time) });
  });

  it('a field changed twice in one second gives two entries, later first', async () => {
    const m = emu.mutate({ change: { organizations: { field: 'owner_id', count: 1, times: 2 } } });
    const id = m.changed['organizations']![0] as number;
    const log = (await readChangelog(emu, 'organizations', id)).records;
    const [a, b] = log as [Rec, Rec];
    expect(a).toMatchObject({ field_key: 'owner_id', time: v1(m.time) });
    expect(b).toMatchObject({ field_key: 'owner_id', time: v1(m.time) });
    expect(a['old_value']).toBe(b['new_value']);
    expect(a['new_value']).toBe(String(truth('organizations').find((o) => o['id'] === id)!['owner_id']));
    expect(() => emu.mutate({ change: { organizations: { field: 'nope' } } })).toThrow(/field must be one of/);
    expect(() => emu.mutate({ change: { products: { field: 'name' } } })).toThrow(/no change log/);
  });
});
