/**
 * `include_fields` on v2 deals, deals/archived, persons, organizations (and activities' `attendees`): the spec's
 * enum exactly, values consistent with the emulator's own activities, notes, files, mails and deals, no extra
 * token cost; custom-field renames; the option streams' ground truth.
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import ajvFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpointMeta } from '../../emulator/meta.js';
import { startEmulator, type Emulator } from '../../emulator/server.js';
import { schemaPath } from '../../streams/index.js';
import { assertValidRecord } from '../helpers/schemas.js';
import { byPk, get, readStream, readV1, readV2, type Rec } from './helpers.js';

let emu: Emulator;

beforeAll(async () => {
  emu = await startEmulator({ seed: 51, sizes: { deals: 400, persons: 300, organizations: 90, activities: 900, notes: 500, files: 300, mail_threads: 300 } });
});
afterAll(async () => {
  await emu.close();
});

const truth = (s: string): Rec[] => [...emu.groundTruth(s)];
const enumOf = (path: string): string[] => endpointMeta('v2', path).params.find((p) => p.name === 'include_fields')!.enum as string[];
const count = <T>(xs: T[], f: (x: T) => unknown): Map<unknown, number> => {
  const m = new Map<unknown, number>();
  for (const x of xs) {
    const k = f(x);
    if (k !== undefined && k !== null) m.set(k, (m.get(k) ?? 0) + 1);
  }
  return m;
};
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

describe('include_fields', () => {
  it('deals: every enum value, counts of the deal\'s own activities, notes, files, mails and products', async () => {
    const all = enumOf('/deals');
    expect(all).toContain('last_incoming_mail_time');
    emu.resetLog();
    const { records } = await readV2(emu, '/deals', { status: 'open,won,lost,deleted', include_fields: all.join(',') });
    expect(emu.requests.every((q) => q.tokenCost === 10)).toBe(true);
    const plain = new Map(truth('deals').map((d) => [d['id'], d]));
    const activities = truth('activities');
    const acts = count(activities, (a) => a['deal_id']);
    const done = count(activities.filter((a) => a['done'] === true), (a) => a['deal_id']);
    const notes = count(truth('notes'), (n) => n['deal_id']);
    const files = count(truth('files'), (f) => f['deal_id']);
    const products = count(truth('deal_products'), (p) => p['deal_id']);
    const threads = truth('mail_threads');
    const messages = new Map<unknown, number>();
    for (const t of threads) if (t['deal_id'] !== null) messages.set(t['deal_id'], (messages.get(t['deal_id']) ?? 0) + (t['message_count'] as number));
    let withActivity = 0;
    for (const d of records) {
      const id = d['id'];
      // The record plus exactly the asked-for fields.
      expect(Object.keys(d)).toEqual([...Object.keys(plain.get(id)!), ...all.filter((f) => !(f in plain.get(id)!))]);
      expect(d['activities_count'], `deal ${String(id)}`).toBe(acts.get(id) ?? 0);
      expect(d['done_activities_count']).toBe(done.get(id) ?? 0);
      expect(d['undone_activities_count']).toBe((acts.get(id) ?? 0) - (done.get(id) ?? 0));
      expect(d['notes_count']).toBe(notes.get(id) ?? 0);
      expect(d['files_count']).toBe(files.get(id) ?? 0);
      expect(d['products_count']).toBe(products.get(id) ?? 0);
      expect(d['email_messages_count']).toBe(messages.get(id) ?? 0);
      expect(d['first_won_time']).toBe(d['status'] === 'won' ? d['won_time'] : null);
      for (const f of ['last_incoming_mail_time', 'last_outgoing_mail_time']) if (d[f] !== null) expect(d[f]).toMatch(RFC3339);
      if ((messages.get(id) ?? 0) > 0) expect(d['last_incoming_mail_time'] ?? d['last_outgoing_mail_time']).toMatch(RFC3339);
      const next = d['next_activity_id'] as number | null;
      if (next !== null) {
        withActivity++;
        const a = activities.find((x) => x['id'] === next)!;
        expect(a).toMatchObject({ deal_id: id, done: false });
        const due = activities.filter((x) => x['deal_id'] === id && x['done'] === false).map((x) => x['due_date'] as string);
        expect(a['due_date']).toBe([...due].sort()[0]);
      } else expect(d['undone_activities_count']).toBe(0);
      const last = d['last_activity_id'] as number | null;
      if (last !== null) expect(activities.find((x) => x['id'] === last)).toMatchObject({ deal_id: id, done: true });
      expect(d['smart_bcc_email']).toMatch(/@pipedrivemail\.com$/);
      expect(d['followers_count']).toBeGreaterThanOrEqual(1);
      assertValidRecord('deals', d);
    }
    expect(withActivity).toBeGreaterThan(50);
    // Archived deals take the same fields (20 tokens a page).
    emu.resetLog();
    const archived = await readV2(emu, '/deals/archived', { include_fields: 'activities_count,smart_bcc_email' });
    expect(archived.records.length).toBeGreaterThan(0);
    expect(archived.records.every((d) => typeof d['activities_count'] === 'number' && typeof d['smart_bcc_email'] === 'string')).toBe(true);
    expect(emu.requests.every((q) => q.tokenCost === 20)).toBe(true);
  });

  it('persons and organizations: deal counts by status, people, related deals, activities', async () => {
    const persons = (await readV2(emu, '/persons', { include_fields: enumOf('/persons').join(',') })).records;
    const orgs = (await readV2(emu, '/organizations', { include_fields: enumOf('/organizations').join(',') })).records;
    const deals = truth('deals').filter((d) => d['status'] !== 'deleted');
    const dealsAll = [...deals, ...truth('deals_archived')];
    const by = (status: string, key: string): Map<unknown, number> => count(dealsAll.filter((d) => d['status'] === status), (d) => d[key]);
    const personOrg = new Map(truth('persons').map((p) => [p['id'], p['org_id']]));
    const activities = truth('activities');
    for (const p of persons) {
      const id = p['id'];
      expect(p['open_deals_count'], `person ${String(id)}`).toBe(by('open', 'person_id').get(id) ?? 0);
      expect(p['won_deals_count']).toBe(by('won', 'person_id').get(id) ?? 0);
      expect(p['closed_deals_count']).toBe((by('won', 'person_id').get(id) ?? 0) + (by('lost', 'person_id').get(id) ?? 0));
      expect(p['participant_open_deals_count']).toBe(p['open_deals_count']);
      expect(p['related_open_deals_count']).toBe(p['org_id'] === undefined ? 0 : by('open', 'org_id').get(p['org_id']) ?? 0);
      expect(p['activities_count']).toBe(activities.filter((a) => a['person_id'] === id).length);
      expect(['no_consent', 'unsubscribed', 'subscribed', 'archived']).toContain(p['marketing_status']);
      expect([null, 'pending', 'confirmed']).toContain(p['doi_status']);
      assertValidRecord('persons', p);
    }
    for (const o of orgs) {
      const id = o['id'];
      expect(o['people_count'], `org ${String(id)}`).toBe([...personOrg.values()].filter((x) => x === id).length);
      expect(o['open_deals_count']).toBe(by('open', 'org_id').get(id) ?? 0);
      expect(o['lost_deals_count']).toBe(by('lost', 'org_id').get(id) ?? 0);
      const related = dealsAll.filter((d) => d['status'] === 'open' && personOrg.get(d['person_id']) === id).length;
      expect(o['related_open_deals_count']).toBe(related);
      expect(o['activities_count']).toBe(activities.filter((a) => a['org_id'] === id).length);
      assertValidRecord('organizations', o);
    }
    expect(orgs.some((o) => (o['people_count'] as number) > 0)).toBe(true);
  });

  it('follow mutations; reject values outside the enum; absent unless asked; activities take attendees', async () => {
    const d = truth('deals').find((x) => x['status'] === 'open')!;
    const before = (await get(emu, `/api/v2/deals/${String(d['id'])}`, { include_fields: 'first_won_time' })).body.data as Rec;
    expect(before['first_won_time']).toBeNull();
    const m = emu.mutate({ change: { deals: { ids: [d['id'] as number], field: 'status', value: 'won' } }, add: { activities: 1 } });
    const after = (await get(emu, `/api/v2/deals/${String(d['id'])}`, { include_fields: 'first_won_time' })).body.data as Rec;
    expect(after['first_won_time']).toBe(m.time);
    const bad = await get(emu, '/api/v2/deals', { include_fields: 'activities_count,bogus' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/include_fields.*bogus/);
    expect((await get(emu, '/api/v2/persons', { include_fields: 'products_count' })).status).toBe(400);
    expect(Object.keys((await get(emu, '/api/v2/deals', { limit: 1 })).body.data[0])).not.toContain('activities_count');
    const acts = (await readV2(emu, '/activities', { include_fields: 'attendees' })).records;
    const meetings = acts.filter((a) => (a['type'] === 'meeting' || a['type'] === 'lunch') && a['person_id'] !== undefined);
    expect(meetings.length).toBeGreaterThan(0);
    for (const a of meetings) expect(a['attendees']).toEqual([expect.objectContaining({ person_id: a['person_id'], status: 'accepted' })]);
    expect(acts.filter((a) => a['type'] === 'call').every((a) => Array.isArray(a['attendees']) && (a['attendees'] as unknown[]).length === 0)).toBe(true);
  });
});

describe('custom field renames', () => {
  it('change the label the *Fields endpoints report (v2 field_name, v1 leadFields name), keeping the key', async () => {
    const e = await startEmulator({ seed: 52, sizes: { deals: 50 } });
    try {
      const fields = (await readV2(e, '/dealFields')).records.filter((f) => f['is_custom_field'] === true);
      const target = fields.find((f) => f['field_type'] === 'monetary')!;
      const key = target['field_code'] as string;
      const r = e.mutate({ renameField: [{ entity: 'deals', key, label: 'Contract value (EUR)' }, { entity: 'persons', label: 'Language' }] });
      expect(r.renamed[0]).toEqual({ entity: 'deals', key, from: target['field_name'], to: 'Contract value (EUR)' });
      expect(r.renamed[1]).toMatchObject({ entity: 'persons', to: 'Language' });
      const after = (await readV2(e, '/dealFields')).records.find((f) => f['field_code'] === key)!;
      expect(after['field_name']).toBe('Contract value (EUR)');
      expect((after['subfields'] as Rec[]).map((s) => s['field_name'])).toEqual(['Amount of Contract value (EUR)', 'Currency of Contract value (EUR)']);
      expect((await readV2(e, '/dealFields')).records.filter((f) => f['is_custom_field'] === true).map((f) => f['field_code'])).toEqual(fields.map((f) => f['field_code']));
      const lead = (await readV1(e, '/leadFields')).records.find((f) => f['key'] === key)!;
      expect(lead).toMatchObject({ name: 'Contract value (EUR)', update_time: r.time.replace('T', ' ').replace('Z', '') });
      const person = (await readV2(e, '/personFields')).records.find((f) => f['field_code'] === r.renamed[1]!.key)!;
      expect(person['field_name']).toBe('Language');
      // Records keep their keys and values.
      expect([...e.groundTruth('deals')].every((d) => key in (d['custom_fields'] as Rec))).toBe(true);
      expect(() => e.mutate({ renameField: { entity: 'deals', key: 'f'.repeat(40), label: 'x' } })).toThrow(/no custom field/);
      expect(() => e.mutate({ renameField: { entity: 'notes', label: 'x' } })).toThrow(/entity must be one of/);
    } finally {
      await e.close();
    }
  });
});

describe('option streams ground truth', () => {
  const OPTION = ['deal_field_options', 'person_field_options', 'organization_field_options', 'product_field_options', 'activity_field_options'];

  it.each(OPTION)('%s: one record per option of every field with options, as the *Fields endpoint holds it', async (stream) => {
    const pk = emu.primaryKey(stream);
    expect(pk).toEqual([['field_key'], ['id']]);
    const want = byPk(pk, truth(stream));
    const read = byPk(pk, await readStream(emu, stream));
    expect([...read.keys()].sort()).toEqual([...want.keys()].sort());
    for (const [k, v] of want) expect(read.get(k), k).toEqual(v);
    const fields = truth(stream.replace('_options', 's'));
    const withOptions = fields.filter((f) => Array.isArray(f['options']) && (f['options'] as unknown[]).length > 0);
    expect(withOptions.length, stream).toBeGreaterThan(0);
    expect(want.size).toBe(withOptions.reduce((n, f) => n + (f['options'] as unknown[]).length, 0));
    for (const f of fields.filter((x) => x['is_custom_field'] === true && (x['field_type'] === 'enum' || x['field_type'] === 'set'))) {
      expect(withOptions, `${stream} ${String(f['field_code'])}`).toContain(f);
    }
    const schema = JSON.parse(readFileSync(schemaPath({ name: stream }), 'utf8')) as Record<string, unknown>;
    const ajv = new Ajv({ strict: false });
    ajvFormats.default(ajv);
    const validate = ajv.compile(schema);
    for (const r of want.values()) if (!validate(r)) throw new Error(`${stream}: ${JSON.stringify(validate.errors)} in ${JSON.stringify(r)}`);
  });

  it('hold custom options with colours and built-in ones (deal status, activity type, product billing frequency)', () => {
    const deal = truth('deal_field_options');
    expect(deal.filter((o) => o['field_key'] === 'status').map((o) => o['id'])).toEqual(['open', 'won', 'lost', 'deleted']);
    const region = deal.filter((o) => /^[0-9a-f]{40}$/.test(o['field_key'] as string));
    expect(region.length).toBeGreaterThan(5);
    expect(region.every((o) => typeof o['id'] === 'number' && typeof o['color'] === 'string' && 'update_time' in o)).toBe(true);
    expect(truth('activity_field_options').filter((o) => o['field_key'] === 'type').map((o) => o['id'])).toContain('meeting');
    expect(truth('product_field_options').some((o) => o['field_key'] === 'billing_frequency' && o['id'] === 'monthly')).toBe(true);
  });
});
