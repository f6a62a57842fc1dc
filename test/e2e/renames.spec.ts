/**
 * Custom-field names that survive renames, end to end: the built CLI against the emulator with
 * `custom_field_names: name`. Discover, rename fields in Pipedrive, read with the configured catalog (whose schemas
 * carry the keys): the records keep the catalog's names; a new discover offers the new labels; a field the catalog
 * does not know gets a name that collides with none. Key mode is unchanged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempFiles, ofType } from '../helpers/cli.js';
import { startTestEmulator, type Emulator } from '../helpers/emulator.js';
import { recordValidator } from '../helpers/schemas.js';

type Obj = Record<string, unknown>;
type Schema = { properties: Record<string, Obj & { properties?: Record<string, Obj> }> };

const STREAMS = ['persons', 'deals', 'leads'];
let emu: Emulator;
const HEX = /^[0-9a-f]{40}$/;

async function discover(config: Obj): Promise<Map<string, Schema>> {
  const files = tempFiles({ 'config.json': config });
  const r = await runCli(['discover', '--config', files['config.json'] as string]);
  expect(r.code, r.stderr.slice(-1000)).toBe(0);
  const catalog = ofType(r.messages, 'CATALOG')[0]?.['catalog'] as { streams: { name: string; json_schema: Schema }[] };
  return new Map(catalog.streams.map((s) => [s.name, s.json_schema]));
}

async function read(config: Obj, schemas: Map<string, Schema>): Promise<Map<string, Obj[]>> {
  const files = tempFiles({
    'config.json': config,
    'catalog.json': {
      streams: STREAMS.map((name) => ({
        stream: { name, json_schema: schemas.get(name), supported_sync_modes: ['full_refresh', 'incremental'] },
        sync_mode: 'full_refresh',
        destination_sync_mode: 'overwrite',
      })),
    },
  });
  const r = await runCli(['read', '--config', files['config.json'] as string, '--catalog', files['catalog.json'] as string]);
  expect(r.code, r.stderr.slice(-1000)).toBe(0);
  const out = new Map<string, Obj[]>();
  for (const m of ofType(r.messages, 'RECORD')) {
    const rec = m['record'] as { stream: string; data: Obj };
    (out.get(rec.stream) ?? (out.set(rec.stream, []), out.get(rec.stream) as Obj[])).push(rec.data);
  }
  return out;
}

/** name → key of the annotated custom-field properties (v2: inside custom_fields; v1: the root, without subfields). */
function annotated(schema: Schema | undefined, v1 = false): Map<string, string> {
  const props = (v1 ? schema?.properties : schema?.properties['custom_fields']?.properties) ?? {};
  return new Map(Object.entries(props).flatMap(([name, p]) =>
    typeof p['x-pipedrive-field-key'] === 'string' && p['x-pipedrive-subfield'] === undefined ? [[name, p['x-pipedrive-field-key']]] : []));
}

/** The custom-field names the records use (v2: keys of custom_fields, of every record). */
const recordNames = (records: Obj[]): Set<string> => new Set(records.flatMap((r) => Object.keys((r['custom_fields'] as Obj | null) ?? {})));

let nameConfig: Obj;
let before: Map<string, Schema>;

beforeAll(async () => {
  emu = await startTestEmulator({ seed: 9, sizes: { persons: 300, deals: 200, leads: 80, organizations: 60 } });
  nameConfig = { ...emu.config({ num_workers: 3 }), custom_field_names: 'name' };
  before = await discover(nameConfig);
}, 60_000);

afterAll(async () => { await emu?.close(); });

describe('custom_field_names: name across renames', () => {
  it('discover annotates every custom-field property with its 40-hex key', () => {
    const persons = annotated(before.get('persons'));
    expect([...persons.keys()]).toEqual(expect.arrayContaining(['preferred_language', 'hobbies', 'twitter_handle', 'budget']));
    expect([...persons.values()].every((k) => HEX.test(k))).toBe(true);
    const leads = annotated(before.get('leads'), true);
    expect(leads.get('lead_source_detail')).toBe(annotated(before.get('deals')).get('lead_source_detail'));
    const leadProps = before.get('leads')?.properties ?? {};
    expect(leadProps['contract_value_currency']).toMatchObject({ 'x-pipedrive-field-key': leads.get('contract_value'), 'x-pipedrive-subfield': 'currency' });
  });

  it('a rename between discover and read: the read keeps the old names (v2 and v1); a new discover offers the new ones', async () => {
    const personKey = annotated(before.get('persons')).get('preferred_language') as string;
    const dealKey = annotated(before.get('deals')).get('lead_source_detail') as string;
    emu.mutate({ renameField: [{ entity: 'persons', key: personKey, label: 'Spoken language' }, { entity: 'deals', key: dealKey, label: 'Source story' }] });
    const got = await read(nameConfig, before);
    const persons = got.get('persons') ?? [];
    expect(persons).toHaveLength(300);
    expect(recordNames(persons)).toContain('preferred_language');
    expect(recordNames(persons)).not.toContain('spoken_language');
    expect(recordNames(got.get('deals') ?? [])).toContain('lead_source_detail');
    expect(recordNames(got.get('deals') ?? [])).not.toContain('source_story');
    const leads = got.get('leads') ?? [];
    expect(leads.some((l) => 'lead_source_detail' in l)).toBe(true);
    expect(leads.some((l) => 'source_story' in l)).toBe(false);
    // The records match the catalog they were read with.
    const validate = recordValidator('persons', before.get('persons') as unknown as Record<string, unknown>);
    for (const p of persons) expect(validate(p), JSON.stringify(validate.errors)).toBe(true);
    // The values are the ones Pipedrive holds under the key.
    const truth = new Map([...emu.groundTruth('persons')].map((p) => [p['id'], p]));
    for (const p of persons.slice(0, 50)) {
      expect((p['custom_fields'] as Obj)['preferred_language']).toEqual(((truth.get(p['id']) as Obj)['custom_fields'] as Obj)[personKey]);
    }
    const after = await discover(nameConfig);
    expect(annotated(after.get('persons')).get('spoken_language')).toBe(personKey);
    expect(annotated(after.get('persons')).has('preferred_language')).toBe(false);
    expect(annotated(after.get('deals')).get('source_story')).toBe(dealKey);
    expect(annotated(after.get('leads'), true).get('source_story')).toBe(dealKey);
  }, 60_000);

  it('a field the catalog does not know gets a fresh name that collides with none of the catalog names', async () => {
    // The catalog misses "Hobbies" (as if it had been created after discover); it is now labelled like the first field was.
    const schemas = new Map(before);
    const persons = structuredClone(before.get('persons') as Schema);
    const cf = persons.properties['custom_fields']?.properties as Record<string, Obj>;
    const hobbiesKey = cf['hobbies']?.['x-pipedrive-field-key'] as string;
    delete cf['hobbies'];
    schemas.set('persons', persons);
    emu.mutate({ renameField: { entity: 'persons', key: hobbiesKey, label: 'Preferred language' } });
    const got = (await read(nameConfig, schemas)).get('persons') ?? [];
    const names = recordNames(got);
    expect(names).toContain('preferred_language');
    expect(names).toContain('preferred_language_2');
    const truth = new Map([...emu.groundTruth('persons')].map((p) => [p['id'], p]));
    const withHobbies = got.filter((p) => ((truth.get(p['id']) as Obj)['custom_fields'] as Obj)[hobbiesKey] != null);
    expect(withHobbies.length).toBeGreaterThan(0);
    for (const p of withHobbies) {
      expect((p['custom_fields'] as Obj)['preferred_language_2']).toEqual(((truth.get(p['id']) as Obj)['custom_fields'] as Obj)[hobbiesKey]);
    }
    // Every other custom field kept its catalog name.
    for (const name of annotated(persons).keys()) expect(names.has(name) || got.every((p) => (p['custom_fields'] as Obj)[name] === undefined), name).toBe(true);
  }, 60_000);

  it('key mode is unchanged: no annotations, records keyed by the 40-hex keys whatever the catalog says', async () => {
    const keyConfig = { ...emu.config({ num_workers: 3 }) };
    const schemas = await discover(keyConfig);
    expect(JSON.stringify(schemas.get('persons'))).not.toContain('x-pipedrive-field-key');
    // Even a name-mode catalog does not change key-mode records.
    const got = await read(keyConfig, before);
    expect([...recordNames(got.get('persons') ?? [])].every((k) => HEX.test(k))).toBe(true);
    const byId = (a: Obj, b: Obj): number => (a['id'] as number) - (b['id'] as number);
    const persons = [...(got.get('persons') ?? [])].sort(byId);
    const truth = [...emu.groundTruth('persons')].sort(byId);
    expect(persons.map((p) => p['id'])).toEqual(truth.map((p) => p['id']));
    expect(persons.map((p) => p['custom_fields'])).toEqual(truth.map((p) => p['custom_fields']));
  }, 60_000);
});
