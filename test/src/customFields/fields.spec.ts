import { describe, expect, it } from 'vitest';
import { lastValueFrom, of, throwError } from 'rxjs';
import { Ajv } from 'ajv';
import ajvFormats from 'ajv-formats';
import {
  customFieldNames, customFieldOptions, customFieldSchema, customFieldTransform, fetchCustomFields,
  fieldProperties, parseFieldDefinitions, snakeName, streamCustomFields, transformsRecords, withCustomFields,
  type CustomFieldDef,
} from '../../../src/customFields/index.js';
import { pagesOf, type StreamContext } from '../../../src/read/readStream.js';
import type { StreamDefinition } from '../../../streams/types.js';
import { allStreams, loadSchema, streamByName } from '../../../streams/index.js';
import { HttpError } from '../../../src/errors.js';
import type { HttpRequest } from '../../../src/http/port.js';
import type { JsonObject } from '../../../src/protocol.js';

const hex = (n: number): string => n.toString(16).padStart(40, '0');
const field = (n: number, label: string, type: string, extra: Partial<CustomFieldDef> = {}): CustomFieldDef =>
  ({ key: hex(n), label, type, options: [], subfields: [], ...extra });

const ajv = new Ajv({ strict: false, allErrors: true });
ajvFormats.default(ajv);

/** Streams with custom fields → the name of their field-definition stream (each definition's `customFields` link). */
const CUSTOM_FIELD_SOURCES: Readonly<Record<string, string>> = Object.fromEntries(
  allStreams.flatMap((def) => (def.customFields ? [[def.name, def.customFields.name]] : [])),
);

type FieldsContext = Pick<StreamContext, 'request' | 'root'>;
const defs = (names: string[]): StreamDefinition[] => names.map((n) => streamByName(n) ?? (() => { throw new Error(n); })());
const readPagesOf = (ctx: FieldsContext) => (def: StreamDefinition) => pagesOf(def, ctx);

describe('custom field links (StreamDefinition.customFields)', () => {
  it('name existing streams whose field-definition stream exists', () => {
    for (const [stream, source] of Object.entries(CUSTOM_FIELD_SOURCES)) {
      expect(streamByName(stream), stream).toBeDefined();
      expect(streamByName(source)?.name, source).toBe(source);
    }
    expect(CUSTOM_FIELD_SOURCES['leads']).toBe('lead_fields');
    expect(CUSTOM_FIELD_SOURCES['deals_archived']).toBe('deal_fields');
  });
});

describe('options', () => {
  it('default to keys without labels (no transform)', () => {
    expect(customFieldOptions({})).toEqual({ naming: 'key', resolveLabels: false });
    expect(transformsRecords(customFieldOptions({}))).toBe(false);
    expect(customFieldOptions({ custom_field_names: 'name', resolve_option_labels: true })).toEqual({ naming: 'name', resolveLabels: true });
    expect(transformsRecords({ naming: 'key', resolveLabels: true })).toBe(true);
  });
});

describe('parseFieldDefinitions', () => {
  it('v2: keeps is_custom_field fields with options and subfields', () => {
    const defs = parseFieldDefinitions('v2', [
      { field_code: 'title', field_name: 'Title', field_type: 'varchar', is_custom_field: false, options: null, subfields: null },
      { field_code: hex(1), field_name: 'Region', field_type: 'enum', is_custom_field: true, options: [{ id: 1, label: 'EMEA', color: 'red' }], subfields: null },
      {
        field_code: hex(2), field_name: 'Budget', field_type: 'monetary', is_custom_field: true, options: null,
        subfields: [{ field_code: 'value', field_name: 'Amount', field_type: 'double' }, { field_code: 'currency', field_name: 'Currency', field_type: 'varchar' }],
      },
      'junk',
    ]);
    expect(defs).toEqual([
      { key: hex(1), label: 'Region', type: 'enum', options: [{ id: 1, label: 'EMEA' }], subfields: [] },
      { key: hex(2), label: 'Budget', type: 'monetary', options: [], subfields: [{ code: 'value', type: 'double' }, { code: 'currency', type: 'varchar' }] },
    ]);
  });

  it('v1: custom fields are the 40-hex keys; deleted fields and subfield rows are left out; subfield keys become suffixes', () => {
    const defs = parseFieldDefinitions('v1', [
      { id: 1, key: 'title', name: 'Title', field_type: 'varchar', edit_flag: false, active_flag: true },
      { id: 7, key: hex(3), name: 'Budget', field_type: 'monetary', edit_flag: true, active_flag: true, options: null, subfields: [{ key: `${hex(3)}_currency`, name: 'Currency of Budget', field_type: 'varchar' }] },
      { id: 8, key: hex(4), name: 'Gone', field_type: 'varchar', active_flag: false },
      { id: null, key: `${hex(3)}_currency`, name: 'Currency of Budget', field_type: 'varchar', is_subfield: true },
    ]);
    expect(defs).toEqual([{ key: hex(3), label: 'Budget', type: 'monetary', options: [], subfields: [{ code: 'currency', type: 'varchar' }], id: 7 }]);
  });
});

/** Every field_type with the expected v2 value schema type (without labels). */
const V2_TYPES: Array<[string, unknown]> = [
  ['varchar', ['string', 'null']], ['varchar_auto', ['string', 'null']], ['varchar_options', ['string', 'null']], ['text', ['string', 'null']],
  ['phone', ['string', 'null']], ['time', ['string', 'null']], ['double', ['number', 'null']], ['int', ['integer', 'null']],
  ['boolean', ['boolean', 'null']], ['date', ['string', 'null']], ['user', ['integer', 'null']], ['org', ['integer', 'null']],
  ['people', ['integer', 'null']], ['deal', ['integer', 'null']], ['lead', ['string', 'null']], ['project', ['integer', 'null']],
  ['stage', ['integer', 'null']], ['activity', ['integer', 'null']], ['deals', ['array', 'null']], ['enum', ['integer', 'null']],
  ['set', ['array', 'null']], ['monetary', ['object', 'null']], ['address', ['object', 'null']], ['daterange', ['object', 'null']],
  ['timerange', ['object', 'null']], ['status', ['string', 'null']], ['visible_to', ['integer', 'null']], ['picture', ['integer', 'null']],
  ['billing_frequency', ['string', 'null']], ['projects_board', ['integer', 'null']], ['projects_phase', ['integer', 'null']],
  ['json', undefined], ['price_list', undefined], ['something_new', undefined],
];

describe('type mapping (fieldProperties)', () => {
  it.each(V2_TYPES)('v2 %s → %j, nullable, described with label and key', (type, expected) => {
    const f = field(9, 'Thing', type);
    const props = fieldProperties(f, 'thing', 'v2', false);
    expect(Object.keys(props)).toEqual(['thing']);
    expect(props['thing']?.['type']).toEqual(expected);
    expect(props['thing']?.['description']).toContain(hex(9));
    ajv.compile(props['thing'] as object);
  });

  it('v2 composite values are objects of their subfields', () => {
    expect(fieldProperties(field(1, 'B', 'monetary'), 'b', 'v2', false)['b']).toMatchObject({
      type: ['object', 'null'], properties: { value: { type: ['number', 'null'] }, currency: { type: ['string', 'null'] } },
    });
    const address = fieldProperties(field(1, 'A', 'address'), 'a', 'v2', false)['a'] as { properties: Record<string, unknown> };
    expect(Object.keys(address.properties)).toEqual(expect.arrayContaining(['value', 'street_number', 'route', 'locality', 'country', 'postal_code', 'formatted_address']));
    expect(fieldProperties(field(1, 'P', 'daterange'), 'p', 'v2', false)['p']).toMatchObject({
      properties: { value: { type: ['string', 'null'], format: 'date' }, until: { type: ['string', 'null'], format: 'date' } },
    });
    // Subfields listed by the definition win over the defaults.
    const listed = field(1, 'T', 'time', { subfields: [{ code: 'value', type: 'time' }, { code: 'timezone_id', type: 'int' }] });
    expect(fieldProperties(listed, 't', 'v2', false)['t']).toMatchObject({ type: ['object', 'null'], properties: { timezone_id: { type: ['integer', 'null'] } } });
    expect(fieldProperties(field(1, 'D', 'date'), 'd', 'v2', false)['d']).toMatchObject({ format: 'date' });
    expect(fieldProperties(field(1, 'S', 'set'), 's', 'v2', false)['s']).toMatchObject({ items: { type: 'integer' } });
  });

  it('v1 composite values are a root value plus <name>_<subfield> keys', () => {
    expect(fieldProperties(field(1, 'B', 'monetary'), 'b', 'v1', false)).toMatchObject({
      b: { type: ['number', 'null'] }, b_currency: { type: ['string', 'null'] },
    });
    const address = fieldProperties(field(1, 'A', 'address'), 'a', 'v1', false);
    expect(address['a']).toMatchObject({ type: ['string', 'null'] });
    expect(Object.keys(address)).toEqual(expect.arrayContaining(['a_street_number', 'a_route', 'a_locality', 'a_country', 'a_postal_code', 'a_formatted_address']));
    expect(fieldProperties(field(1, 'P', 'daterange'), 'p', 'v1', false)).toMatchObject({ p: { format: 'date' }, p_until: { format: 'date' } });
    expect(Object.keys(fieldProperties(field(1, 'T', 'timerange'), 't', 'v1', false))).toEqual(['t', 't_until']);
    // v1 sends a set as comma-separated ids, an enum id possibly as text, people/org/user possibly as objects.
    expect(fieldProperties(field(1, 'S', 'set'), 's', 'v1', false)['s']?.['type']).toEqual(['string', 'null']);
    expect(fieldProperties(field(1, 'E', 'enum'), 'e', 'v1', false)['e']?.['type']).toEqual(['integer', 'string', 'null']);
    expect(fieldProperties(field(1, 'U', 'user'), 'u', 'v1', false)['u']?.['type']).toEqual(['integer', 'object', 'null']);
    expect(fieldProperties(field(1, 'N', 'double'), 'n', 'v1', false)['n']?.['type']).toEqual(['number', 'null']);
  });

  it('resolved labels: enum → string, set → array of strings (v1 and v2)', () => {
    for (const api of ['v1', 'v2'] as const) {
      expect(fieldProperties(field(1, 'E', 'enum'), 'e', api, true)['e']).toMatchObject({ type: ['string', 'null'] });
      expect(fieldProperties(field(1, 'S', 'set'), 's', api, true)['s']).toMatchObject({ type: ['array', 'null'], items: { type: 'string' } });
      // Other types are not affected.
      expect(fieldProperties(field(1, 'N', 'int'), 'n', api, true)['n']).toMatchObject({ type: ['integer', 'null'] });
    }
  });
});

describe('snakeName', () => {
  it.each([
    ['Contract value', 'contract_value'],
    ['  Région / Pays (2024)! ', 'region_pays_2024'],
    ['Straße', 'straße'],
    ['ÜBER-Größe', 'uber_große'],
    ['2nd contact', '_2nd_contact'],
    ['NPS', 'nps'],
    ['Имя клиента', 'имя_клиента'],
    ['!!!', 'field_00000000'],
  ])('%j → %j', (label, name) => {
    expect(snakeName(label, hex(7))).toBe(name);
  });
});

describe('customFieldNames (name mode)', () => {
  const reserved = new Set(['id', 'title', 'value', 'custom_fields']);

  it('key mode keeps the keys', () => {
    const defs = [field(1, 'Region', 'enum')];
    expect(customFieldNames(defs, 'v2', 'key', reserved)).toEqual(new Map([[hex(1), hex(1)]]));
  });

  it('suffixes _2, _3 in creation order (v1 id), whatever order the API lists them in, and never takes a built-in name', () => {
    const defs = [
      field(3, 'Region', 'varchar', { id: 30 }),
      field(1, 'Region', 'enum', { id: 10 }),
      field(2, 'region!', 'varchar', { id: 20 }),
      field(4, 'Title', 'varchar', { id: 40 }),
      field(5, 'Value', 'double', { id: 50 }),
    ];
    const names = customFieldNames(defs, 'v1', 'name', reserved);
    expect(names.get(hex(1))).toBe('region');
    expect(names.get(hex(2))).toBe('region_2');
    expect(names.get(hex(3))).toBe('region_3');
    expect(names.get(hex(4))).toBe('title_2');
    expect(names.get(hex(5))).toBe('value_2');
    expect(customFieldNames([...defs].reverse(), 'v1', 'name', reserved)).toEqual(names);
  });

  it('v2 definitions (no id) are ordered by key', () => {
    const names = customFieldNames([field(9, 'Tier', 'enum'), field(2, 'Tier', 'enum')], 'v2', 'name', reserved);
    expect(names.get(hex(2))).toBe('tier');
    expect(names.get(hex(9))).toBe('tier_2');
  });

  it('v1 subfield keys take part: a monetary "Budget" and a field called "Budget currency" never collide', () => {
    const a = customFieldNames([field(1, 'Budget', 'monetary', { id: 1 }), field(2, 'Budget currency', 'varchar', { id: 2 })], 'v1', 'name', reserved);
    expect([a.get(hex(1)), a.get(hex(2))]).toEqual(['budget', 'budget_currency_2']);
    const b = customFieldNames([field(1, 'Budget', 'monetary', { id: 2 }), field(2, 'Budget currency', 'varchar', { id: 1 })], 'v1', 'name', reserved);
    expect([b.get(hex(1)), b.get(hex(2))]).toEqual(['budget_2', 'budget_currency']);
    // In v2 the currency lives inside the value object: no clash.
    const c = customFieldNames([field(1, 'Budget', 'monetary'), field(2, 'Budget currency', 'varchar')], 'v2', 'name', reserved);
    expect([c.get(hex(1)), c.get(hex(2))]).toEqual(['budget', 'budget_currency']);
  });
});

const REGION = field(1, 'Region', 'enum', { options: [{ id: 1, label: 'EMEA' }, { id: 2, label: 'APAC' }] });
const TAGS = field(2, 'Tags', 'set', { options: [{ id: 3, label: 'Hot' }, { id: 4, label: 'Big' }] });
const BUDGET = field(3, 'Budget', 'monetary');
const SEATS = field(4, 'Seats', 'int');
const DEFS = [REGION, TAGS, BUDGET, SEATS];

const deals = streamByName('deals');
const leads = streamByName('leads');
if (!deals || !leads) throw new Error('streams missing');

describe('customFieldTransform', () => {
  const v2Record = (): JsonObject => ({
    id: 1, title: 'D', custom_fields: { [hex(1)]: 2, [hex(2)]: [3, 4, 99], [hex(3)]: { value: 5, currency: 'EUR' }, [hex(4)]: 7, [hex(77)]: 'new field' },
  });

  it('identity fast path: the same array, records untouched (frozen), when neither option is on', () => {
    const t = customFieldTransform(streamCustomFields(deals, DEFS, { naming: 'key', resolveLabels: false }));
    const page = Object.freeze([Object.freeze(v2Record())]);
    expect(t(page)).toBe(page);
    // Labels asked for, but the stream has no option fields: identity too.
    const t2 = customFieldTransform(streamCustomFields(deals, [SEATS], { naming: 'key', resolveLabels: true }));
    expect(t2(page)).toBe(page);
  });

  it('v2 name mode renames inside custom_fields; unknown keys pass; option ids stay without labels', () => {
    const t = customFieldTransform(streamCustomFields(deals, DEFS, { naming: 'name', resolveLabels: false }));
    const [r] = t([v2Record(), { id: 2, custom_fields: null }, { id: 3 }]);
    expect(r?.['custom_fields']).toEqual({ region: 2, tags: [3, 4, 99], budget: { value: 5, currency: 'EUR' }, seats: 7, [hex(77)]: 'new field' });
    expect(r?.['title']).toBe('D');
  });

  it('v2 labels: enum → label, set → labels, unknown (deleted) option ids kept as text, null stays null', () => {
    const t = customFieldTransform(streamCustomFields(deals, DEFS, { naming: 'key', resolveLabels: true }));
    const rec = v2Record();
    const [r] = t([rec, { id: 2, custom_fields: { [hex(1)]: null, [hex(2)]: null } }]);
    expect(r).toBe(rec);
    expect(r?.['custom_fields']).toMatchObject({ [hex(1)]: 'APAC', [hex(2)]: ['Hot', 'Big', '99'], [hex(4)]: 7 });
    const t2 = customFieldTransform(streamCustomFields(deals, DEFS, { naming: 'name', resolveLabels: true }));
    const [a, b] = t2([v2Record(), { id: 2, custom_fields: { [hex(1)]: null, [hex(2)]: null } }]);
    expect(a?.['custom_fields']).toMatchObject({ region: 'APAC', tags: ['Hot', 'Big', '99'] });
    expect(b?.['custom_fields']).toEqual({ region: null, tags: null });
  });

  it('v1 (leads): renames root keys and their <key>_<suffix> subfield keys, resolves comma-separated sets', () => {
    const rec: JsonObject = { id: 'x', title: 'L', [hex(1)]: '1', [hex(2)]: '3,4', [hex(3)]: 10, [`${hex(3)}_currency`]: 'EUR', [`${hex(3)}_other`]: 1, [hex(4)]: 2 };
    const t = customFieldTransform(streamCustomFields(leads, DEFS, { naming: 'name', resolveLabels: true }));
    const [r] = t([rec]);
    expect(r).toEqual({ id: 'x', title: 'L', region: 'EMEA', tags: ['Hot', 'Big'], budget: 10, budget_currency: 'EUR', budget_other: 1, seats: 2 });
    const labelsOnly = customFieldTransform(streamCustomFields(leads, DEFS, { naming: 'key', resolveLabels: true }));
    const [s] = labelsOnly([{ [hex(1)]: 2, [hex(2)]: '' }]);
    expect(s).toEqual({ [hex(1)]: 'APAC', [hex(2)]: null });
  });
});

describe('withCustomFields', () => {
  it('v2: adds typed properties inside custom_fields (creating it where the static schema lacks it); records validate', () => {
    const opts = { naming: 'name', resolveLabels: true } as const;
    const schema = withCustomFields(loadSchema(deals), streamCustomFields(deals, DEFS, opts));
    const inner = (schema['properties'] as Record<string, { properties: Record<string, unknown> }>)['custom_fields']?.properties;
    expect(Object.keys(inner ?? {})).toEqual(['region', 'tags', 'budget', 'seats']);
    expect(loadSchema(deals)).not.toEqual(schema);
    const [rec] = customFieldTransform(streamCustomFields(deals, DEFS, opts))([
      { id: 1, update_time: '2024-01-01T00:00:00Z', custom_fields: { [hex(1)]: 1, [hex(2)]: [4], [hex(3)]: { value: 1.5, currency: 'USD' }, [hex(4)]: null } },
    ]);
    const validate = ajv.compile(schema);
    expect(validate(rec), JSON.stringify(validate.errors)).toBe(true);
    // A value of the wrong type is caught: the schema is really typed.
    expect(validate({ id: 1, custom_fields: { seats: 'many' } })).toBe(false);

    const activities = streamByName('activities');
    if (!activities) throw new Error('no activities');
    const act = withCustomFields(loadSchema(activities), streamCustomFields(activities, [SEATS], opts));
    expect((act['properties'] as Record<string, unknown>)['custom_fields']).toMatchObject({ type: ['object', 'null'], properties: { seats: { type: ['integer', 'null'] } } });
  });

  it('v1: adds at the root, never replacing a built-in field', () => {
    const clash = field(5, 'x', 'int');
    const cf = { api: 'v1' as const, opts: { naming: 'key' as const, resolveLabels: false }, fields: [{ def: clash, name: 'title' }, { def: BUDGET, name: 'budget' }] };
    const schema = withCustomFields(loadSchema(leads), cf);
    const props = schema['properties'] as Record<string, { type?: unknown }>;
    expect(props['title']).toEqual((loadSchema(leads)['properties'] as Record<string, unknown>)['title']);
    expect(props['budget']?.type).toEqual(['number', 'null']);
    expect(props['budget_currency']?.type).toEqual(['string', 'null']);
    expect(Object.keys(customFieldSchema(cf))).toEqual(['title', 'budget', 'budget_currency']);
  });

  it('every schema with custom fields still compiles (every field type, both APIs)', () => {
    const every = V2_TYPES.map(([type], i) => field(100 + i, `F ${type}`, type));
    for (const stream of Object.keys(CUSTOM_FIELD_SOURCES)) {
      const def = allStreams.find((s) => s.name === stream);
      if (!def) throw new Error(stream);
      for (const opts of [{ naming: 'key', resolveLabels: false }, { naming: 'name', resolveLabels: true }] as const) {
        const schema = withCustomFields(loadSchema(def), streamCustomFields(def, every, opts));
        expect(JSON.stringify(schema)).not.toMatch(/"\$ref"|"allOf"|"not"/);
        ajv.compile(schema);
      }
    }
  });
});

describe('fetchCustomFields', () => {
  const v2Field = (n: number, name: string, custom = true) => ({ field_code: custom ? hex(n) : name.toLowerCase(), field_name: name, field_type: 'varchar', is_custom_field: custom });

  function fakeContext(answers: Record<string, (req: HttpRequest) => unknown>) {
    const seen: string[] = [];
    const ctx: FieldsContext = {
      root: (api) => `https://x.test/${api}`,
      request: (def, req) => {
        seen.push(`${def.name} ${req.url.replace('https://x.test', '')} ${JSON.stringify(req.params ?? {})}`);
        const answer = answers[req.url.replace('https://x.test', '')];
        if (!answer) return throwError(() => new HttpError({ status: 404, method: 'GET', path: req.url }));
        try {
          return of({ status: 200, headers: {}, data: answer(req) });
        } catch (err) {
          return throwError(() => err);
        }
      },
    };
    return { ctx, seen };
  }

  it('reads each needed *Fields endpoint once with paging; a 403 endpoint is reported, the others go on', async () => {
    const { ctx, seen } = fakeContext({
      '/v2/dealFields': (req) => req.params?.['cursor'] === 'c2'
        ? { success: true, data: [v2Field(2, 'Second')], additional_data: { next_cursor: null } }
        : { success: true, data: [v2Field(0, 'Title', false), v2Field(1, 'First')], additional_data: { next_cursor: 'c2' } },
      '/v1/leadFields': () => ({ success: true, data: [{ id: 5, key: hex(5), name: 'Lead thing', field_type: 'double' }], additional_data: { pagination: { more_items_in_collection: false } } }),
      '/v2/activityFields': () => { throw new HttpError({ status: 403, method: 'GET', path: '/api/v2/activityFields' }); },
    });
    const result = await lastValueFrom(fetchCustomFields(readPagesOf(ctx), defs(['deals', 'deals_archived', 'leads', 'activities', 'currencies'])));
    expect(result.byStream.get('deal_fields')?.map((d) => d.label)).toEqual(['First', 'Second']);
    expect(result.byStream.get('lead_fields')).toEqual([{ key: hex(5), label: 'Lead thing', type: 'double', options: [], subfields: [], id: 5 }]);
    expect((result.errors.get('activity_fields') as HttpError).status).toBe(403);
    expect(seen.filter((s) => s.startsWith('deal_fields'))).toHaveLength(2);
    expect(seen).toHaveLength(4);
    expect(seen[0]).toContain('"limit":500');
  });

  it('fails as a whole on 401 (credentials) — the first endpoint alone is tried', async () => {
    const { ctx, seen } = fakeContext({
      '/v2/dealFields': () => { throw new HttpError({ status: 401, method: 'GET', path: '/api/v2/dealFields' }); },
    });
    await expect(lastValueFrom(fetchCustomFields(readPagesOf(ctx), defs(['deals', 'persons', 'organizations'])))).rejects.toMatchObject({ status: 401 });
    expect(seen).toHaveLength(1);
  });

  it('needs no request for streams without custom fields', async () => {
    const { ctx, seen } = fakeContext({});
    const result = await lastValueFrom(fetchCustomFields(readPagesOf(ctx), defs(['currencies', 'users'])));
    expect(result.byStream.size + result.errors.size + seen.length).toBe(0);
  });
});
