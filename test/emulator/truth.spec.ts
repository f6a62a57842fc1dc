/**
 * The emulator's ground truth equals what paging through its endpoints returns, for every stream of
 * the plan; its records validate against the spec's response schemas; same seed, same data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';
import { startTestEmulator, type Emulator } from '../helpers/emulator.js';
import { STREAMS } from '../../emulator/truth.js';
import { recordNode, type FieldNode } from '../../emulator/meta.js';
import { byPk, readStream, type Rec } from './helpers.js';

let emu: Emulator;
const SIZES = { deals: 1234, persons: 321, organizations: 111, activities: 777, notes: 555, leads: 222, files: 230, call_logs: 120, mail_threads: 140 };

beforeAll(async () => {
  emu = await startTestEmulator({ seed: 11, sizes: SIZES });
});
afterAll(async () => {
  await emu?.close();
});

describe('ground truth equals a full read over HTTP', () => {
  it.each(STREAMS)('%s', async (stream) => {
    const pk = emu.primaryKey(stream);
    const read = byPk(pk, await readStream(emu, stream));
    const truth = byPk(pk, [...emu.groundTruth(stream)]);
    expect(truth.size, `${stream} has data`).toBeGreaterThan(0);
    expect([...read.keys()].sort()).toEqual([...truth.keys()].sort());
    for (const [k, v] of truth) expect(read.get(k), `${stream} ${k}`).toEqual(v);
  });

  it('covers every stream of the plan', () => {
    expect(STREAMS).toHaveLength(42);
    for (const s of ['deals', 'deals_archived', 'deal_products', 'deal_flow', 'mail', 'phases', 'permission_set_assignments']) expect(STREAMS).toContain(s);
  });

  it('deals: every non-archived deal including deleted ones; archived deals only in deals_archived', () => {
    const deals = [...emu.groundTruth('deals')];
    const archived = [...emu.groundTruth('deals_archived')];
    expect(deals.length + archived.length).toBe(SIZES.deals);
    expect(deals.some((d) => d['is_deleted'] === true && d['status'] === 'deleted')).toBe(true);
    expect(deals.every((d) => d['is_archived'] === false)).toBe(true);
    expect(archived.length).toBeGreaterThan(0);
    expect(archived.every((d) => d['is_archived'] === true && d['is_deleted'] === false)).toBe(true);
  });

  it('relations point at existing records', () => {
    const ids = (s: string) => new Set([...emu.groundTruth(s)].map((r) => r['id']));
    const persons = ids('persons');
    const orgs = ids('organizations');
    const stages = ids('stages');
    const pipelines = ids('pipelines');
    const users = ids('users');
    for (const d of emu.groundTruth('deals')) {
      expect(persons.has(d['person_id'])).toBe(true);
      expect(orgs.has(d['org_id'])).toBe(true);
      expect(stages.has(d['stage_id'])).toBe(true);
      expect(pipelines.has(d['pipeline_id'])).toBe(true);
      expect(users.has(d['owner_id'])).toBe(true);
    }
    const dealIds = ids('deals');
    for (const p of emu.groundTruth('deal_products')) expect(dealIds.has(p['deal_id'])).toBe(true);
    const stageRecs = [...emu.groundTruth('stages')];
    for (const s of stageRecs) expect(pipelines.has(s['pipeline_id'])).toBe(true);
  });

  it('timestamps: add_time <= update_time < now, over ~3 years, update order differs from id order, ties exist', () => {
    const deals = [...emu.groundTruth('deals')];
    const now = Date.parse('2026-11-01T00:00:00Z');
    for (const d of deals) {
      expect(Date.parse(d['add_time'] as string)).toBeLessThanOrEqual(Date.parse(d['update_time'] as string));
      expect(Date.parse(d['update_time'] as string)).toBeLessThan(now);
    }
    const adds = deals.map((d) => Date.parse(d['add_time'] as string));
    expect(now - Math.min(...adds)).toBeGreaterThan(2.5 * 365 * 86400_000);
    const byUpd = [...deals].sort((a, b) => String(a['update_time']).localeCompare(String(b['update_time'])) || (a['id'] as number) - (b['id'] as number));
    expect(byUpd.map((d) => d['id'])).not.toEqual(deals.map((d) => d['id']));
    const counts = new Map<string, number>();
    for (const d of deals) counts.set(d['update_time'] as string, (counts.get(d['update_time'] as string) ?? 0) + 1);
    expect([...counts.values()].some((n) => n > 1)).toBe(true);
  });
});

/** JSON schema from a meta node: types as declared, `null` only where the spec says nullable. */
function strictSchema(n: FieldNode): Record<string, unknown> {
  const types = (Array.isArray(n.t) ? n.t : [n.t]).map((t) => (t === 'integer' ? 'integer' : t));
  const s: Record<string, unknown> = { type: n.n ? [...types, 'null'] : types.length === 1 ? types[0] : types };
  if (n.e) s['enum'] = n.n ? [...n.e, null] : n.e;
  if (n.p) s['properties'] = Object.fromEntries(Object.entries(n.p).map(([k, c]) => [k, strictSchema(c)]));
  if (n.i) s['items'] = strictSchema(n.i);
  return s;
}

const ENDPOINT_OF: Record<string, [('v1' | 'v2'), string, string?]> = {
  activities: ['v2', '/activities'], activity_fields: ['v2', '/activityFields'], activity_types: ['v1', '/activityTypes'],
  boards: ['v2', '/boards'], call_logs: ['v1', '/callLogs'], currencies: ['v1', '/currencies'], deal_fields: ['v2', '/dealFields'],
  deal_flow: ['v1', '/deals/{id}/flow'], deal_installments: ['v2', '/deals/installments'], deal_products: ['v2', '/deals/products'],
  deals: ['v2', '/deals'], deals_archived: ['v2', '/deals/archived'], files: ['v1', '/files'], filters: ['v1', '/filters'],
  goals: ['v1', '/goals/find', 'goals'], lead_fields: ['v1', '/leadFields'], lead_labels: ['v1', '/leadLabels'],
  lead_sources: ['v1', '/leadSources'], leads: ['v1', '/leads'], leads_archived: ['v1', '/leads/archived'],
  legacy_teams: ['v1', '/legacyTeams'], mail: ['v1', '/mailbox/mailThreads/{id}/mailMessages'], mail_threads: ['v1', '/mailbox/mailThreads'],
  note_fields: ['v1', '/noteFields'], notes: ['v1', '/notes'], organization_fields: ['v2', '/organizationFields'],
  organizations: ['v2', '/organizations'], permission_set_assignments: ['v1', '/permissionSets/{id}/assignments'],
  permission_sets: ['v1', '/permissionSets'], person_fields: ['v2', '/personFields'], persons: ['v2', '/persons'], phases: ['v2', '/phases'],
  pipelines: ['v2', '/pipelines'], product_fields: ['v2', '/productFields'], products: ['v2', '/products'], project_fields: ['v2', '/projectFields'],
  project_templates: ['v2', '/projectTemplates'], projects: ['v2', '/projects'], roles: ['v1', '/roles'], stages: ['v2', '/stages'],
  tasks: ['v2', '/tasks'], users: ['v1', '/users'],
};

describe('records validate against the OpenAPI response schemas (strict nullability)', () => {
  const ajv = new Ajv({ strict: false, allErrors: true });
  it.each(STREAMS)('%s', (stream) => {
    const [api, path, sub] = ENDPOINT_OF[stream]!;
    const node = recordNode(api, path, sub);
    const validate = ajv.compile(strictSchema(node));
    let n = 0;
    for (const rec of emu.groundTruth(stream)) {
      if (!validate(rec)) throw new Error(`${stream}: ${JSON.stringify(validate.errors?.slice(0, 3))} in ${JSON.stringify(rec).slice(0, 300)}`);
      // Every schema field is present unless the emulator deliberately omits a non-applicable one.
      if (++n > 300) break;
    }
    expect(n).toBeGreaterThan(0);
  });

  it('deal records carry all schema fields and custom fields of several types', () => {
    const deal = [...emu.groundTruth('deals')].find((d) => d['status'] === 'won') as Rec;
    for (const k of Object.keys(recordNode('v2', '/deals').p!)) if (k !== 'lost_time' && k !== 'source_lead_id') expect(deal, k).toHaveProperty(k);
    const fields = [...emu.groundTruth('deal_fields')].filter((f) => f['is_custom_field'] === true);
    expect(new Set(fields.map((f) => f['field_type']))).toEqual(new Set(['varchar', 'text', 'double', 'int', 'enum', 'set', 'monetary', 'date', 'user', 'org', 'people', 'address', 'phone']));
    for (const f of fields) expect(f['field_code']).toMatch(/^[0-9a-f]{40}$/);
    const cf = deal['custom_fields'] as Rec;
    expect(Object.keys(cf).sort()).toEqual(fields.map((f) => f['field_code'] as string).sort());
    const monetary = fields.find((f) => f['field_type'] === 'monetary')!['field_code'] as string;
    const withMoney = [...emu.groundTruth('deals')].find((d) => (d['custom_fields'] as Rec)[monetary] !== null)!;
    expect((withMoney['custom_fields'] as Rec)[monetary]).toEqual({ value: expect.any(Number), currency: expect.any(String) });
  });

  it('v1 leads carry custom fields at the root, monetary with a <key>_currency subfield', () => {
    const leadFields = [...emu.groundTruth('lead_fields')];
    const monetary = leadFields.find((f) => f['field_type'] === 'monetary' && /^[0-9a-f]{40}$/.test(f['key'] as string))!;
    const key = monetary['key'] as string;
    const leads = [...emu.groundTruth('leads')];
    expect(leads.every((l) => key in l && `${key}_currency` in l)).toBe(true);
    const lead = leads.find((l) => l[key] !== null)!;
    expect(typeof lead[key]).toBe('number');
    expect(typeof lead[`${key}_currency`]).toBe('string');
  });
});

describe('determinism', () => {
  it('same seed, same data; another seed, other data', async () => {
    const a = await startTestEmulator({ seed: 5, sizes: { deals: 300 } });
    const b = await startTestEmulator({ seed: 5, sizes: { deals: 300 } });
    const c = await startTestEmulator({ seed: 6, sizes: { deals: 300 } });
    try {
      for (const s of ['deals', 'persons', 'notes', 'leads', 'deal_fields', 'mail', 'deal_flow']) {
        expect([...a.groundTruth(s)], s).toEqual([...b.groundTruth(s)]);
      }
      expect([...a.groundTruth('deals')]).not.toEqual([...c.groundTruth('deals')]);
      const pa = await readStream(a, 'deals');
      const pb = await readStream(b, 'deals');
      expect(pa).toEqual(pb);
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });
});

describe("records validate against the connector's generated stream schemas", () => {
  it.each(STREAMS)('%s', async (stream) => {
    const { allStreams } = await import('../../streams/index.js');
    if (!allStreams.some((d) => d.name === stream)) return; // stream not (yet) defined by the connector
    const { assertValidRecord } = await import('../helpers/schemas.js');
    let n = 0;
    for (const rec of emu.groundTruth(stream)) {
      assertValidRecord(stream, rec);
      if (++n > 300) break;
    }
  });
});
