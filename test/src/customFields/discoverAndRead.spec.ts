/**
 * Custom fields end to end, in process, against nock: the discover catalog (schemas typed from the *Fields endpoints)
 * and reads with `custom_field_names: name` and `resolve_option_labels: true`, whose records must validate against
 * the discovered schemas.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import nock from 'nock';
import { lastValueFrom, map } from 'rxjs';
import { Ajv } from 'ajv';
import ajvFormats from 'ajv-formats';
import { discoverSchemas, customFieldOptions, type DiscoveredStream } from '../../../src/customFields/index.js';
import { airbyteStream } from '../../../src/discover.js';
import { createRequester } from '../../../src/read/requester.js';
import { pagesOf } from '../../../src/read/readStream.js';
import type { StreamDefinition } from '../../../streams/types.js';
import { createAxiosPort } from '../../../src/http/axios.js';
import { apiRoot } from '../../../src/http/urls.js';
import { loadConfig } from '../../../src/config/index.js';
import { catalogMessage } from '../../../src/protocol.js';
import { failureTypeOf } from '../../../src/errors.js';
import { allStreams, loadSchema } from '../../../streams/index.js';
import { assertValidMessage } from '../../helpers/protocol.js';
import { readInProcess, records, statuses, type Msg } from '../../helpers/read.js';

const API = 'https://acme.pipedrive.com';
const base = { credentials: { auth_type: 'api_token', api_token: 'tok-secret-cf' }, api_url: API };
const hex = (n: number): string => n.toString(16).padStart(40, '0');

const K = {
  region: hex(1), interests: hex(2), contract: hex(3), score: hex(4), seats: hex(5), renewal: hex(6), manager: hex(7),
  partner: hex(8), champion: hex(9), address: hex(10), period: hex(11), hotline: hex(12), notes: hex(13), source: hex(14),
  callTime: hex(15), region2: hex(16), title: hex(17),
};

const v2Field = (code: string, name: string, type: string, extra: Record<string, unknown> = {}) => ({
  field_code: code, field_name: name, field_type: type, options: null, subfields: null, is_custom_field: /^[0-9a-f]{40}$/.test(code),
  is_optional_response_field: false, ...extra,
});

const DEAL_FIELDS = [
  v2Field('title', 'Title', 'varchar'),
  v2Field('value', 'Value', 'monetary', { subfields: [{ field_code: 'value', field_name: 'Amount', field_type: 'double' }, { field_code: 'currency', field_name: 'Currency', field_type: 'varchar' }] }),
  v2Field(K.region, 'Region', 'enum', { options: [{ id: 1, label: 'EMEA', color: 'red' }, { id: 2, label: 'APAC', color: null }] }),
  v2Field(K.interests, 'Interests', 'set', { options: [{ id: 3, label: 'Automation' }, { id: 4, label: 'AI' }] }),
  v2Field(K.contract, 'Contract value', 'monetary', { subfields: [{ field_code: 'value', field_name: 'Amount', field_type: 'double' }, { field_code: 'currency', field_name: 'Currency', field_type: 'varchar' }] }),
  v2Field(K.score, 'Score', 'double'),
  v2Field(K.seats, 'Seats', 'int'),
  v2Field(K.renewal, 'Renewal date', 'date'),
  v2Field(K.manager, 'Account manager', 'user'),
  v2Field(K.partner, 'Partner organization', 'org'),
  v2Field(K.champion, 'Champion', 'people'),
  v2Field(K.address, 'Delivery address', 'address', {
    subfields: ['value', 'street_number', 'route', 'locality', 'country', 'postal_code', 'formatted_address'].map((c) => ({ field_code: c, field_name: c, field_type: 'varchar' })),
  }),
  v2Field(K.period, 'Contract period', 'daterange'),
  v2Field(K.hotline, 'Hotline', 'phone'),
  v2Field(K.notes, 'Internal notes', 'text'),
  v2Field(K.source, 'Lead source', 'varchar_auto'),
  v2Field(K.callTime, 'Call time', 'time'),
  v2Field(K.region2, 'Region', 'varchar'),
  v2Field(K.title, 'Title', 'varchar'),
];

const deal = (id: number, cf: Record<string, unknown>) => ({ id, title: `Deal ${id}`, update_time: '2024-01-01T00:00:00Z', add_time: '2024-01-01T00:00:00Z', custom_fields: cf });

const DEALS = [
  deal(1, {
    [K.region]: 2, [K.interests]: [3, 4], [K.contract]: { value: 1200.5, currency: 'EUR' }, [K.score]: 4.5, [K.seats]: 12,
    [K.renewal]: '2025-01-31', [K.manager]: 4, [K.partner]: 7, [K.champion]: 9,
    [K.address]: { value: 'Main St 1, Tallinn', street_number: '1', route: 'Main St', locality: 'Tallinn', country: 'Estonia', postal_code: '10111', formatted_address: 'Main St 1, 10111 Tallinn, Estonia' },
    [K.period]: { value: '2025-01-01', until: '2025-12-31' }, [K.hotline]: '+372 5555', [K.notes]: 'long text', [K.source]: 'Fair',
    [K.callTime]: '10:30:00', [K.region2]: 'North', [K.title]: 'Dr.',
  }),
  // Values unset, an option deleted since (id 99), a field created after the definitions were read.
  deal(2, { [K.region]: null, [K.interests]: [99], [K.contract]: null, [hex(99)]: 'late field' }),
  { ...deal(3, {}), is_deleted: true, update_time: '2024-02-01T00:00:00Z' },
];

const v2Page = (data: unknown[], next: string | null = null) => ({ success: true, data, additional_data: { next_cursor: next } });
const v1Page = (data: unknown[]) => ({ success: true, data, additional_data: { pagination: { start: 0, limit: 500, more_items_in_collection: false } } });

const LEAD_FIELDS = [
  { id: 1, key: 'title', name: 'Title', field_type: 'varchar', active_flag: true, edit_flag: false },
  { id: 20, key: K.region, name: 'Region', field_type: 'enum', active_flag: true, edit_flag: true, options: [{ id: 1, label: 'EMEA' }, { id: 2, label: 'APAC' }] },
  { id: 21, key: K.interests, name: 'Interests', field_type: 'set', active_flag: true, edit_flag: true, options: [{ id: 3, label: 'Automation' }, { id: 4, label: 'AI' }] },
  { id: 22, key: K.contract, name: 'Contract value', field_type: 'monetary', active_flag: true, edit_flag: true, subfields: [{ key: `${K.contract}_currency`, name: 'Currency of Contract value', field_type: 'varchar' }] },
  { id: 23, key: K.address, name: 'Delivery address', field_type: 'address', active_flag: true, edit_flag: true },
  { id: 24, key: K.seats, name: 'Value', field_type: 'int', active_flag: true, edit_flag: true },
];

const seen: string[] = [];

/** Serves every *Fields endpoint (activityFields: 403, as for a non-admin OAuth app) and deals/leads pages. */
function serve(opts: { dealFields?: 'ok' | 403 | 401 | 500 } = {}): void {
  const log = (uri: string) => seen.push(new URL(uri, API).pathname + new URL(uri, API).search);
  const mode = opts.dealFields ?? 'ok';
  nock(API).persist().get('/api/v2/dealFields').query(true).reply(function (uri) {
    log(uri);
    if (mode !== 'ok') return [mode, { success: false, error: 'nope' }];
    const cursor = new URL(uri, API).searchParams.get('cursor');
    return cursor === 'p2' ? [200, v2Page(DEAL_FIELDS.slice(10))] : [200, v2Page(DEAL_FIELDS.slice(0, 10), 'p2')];
  });
  for (const path of ['personFields', 'organizationFields', 'productFields', 'projectFields']) {
    nock(API).persist().get(`/api/v2/${path}`).query(true).reply(function (uri) {
      log(uri);
      return [200, v2Page([v2Field('name', 'Name', 'varchar'), v2Field(hex(50), 'Tier', 'enum', { options: [{ id: 5, label: 'Gold' }] })])];
    });
  }
  nock(API).persist().get('/api/v2/activityFields').query(true).reply(function (uri) {
    log(uri);
    return [403, { success: false, error: 'Forbidden', error_info: 'admin scope required' }];
  });
  nock(API).persist().get('/api/v1/leadFields').query(true).reply(function (uri) { log(uri); return [200, v1Page(LEAD_FIELDS)]; });
  nock(API).persist().get('/api/v1/noteFields').query(true).reply(function (uri) { log(uri); return [200, { success: true, data: [{ id: 1, key: 'content', name: 'Content', field_type: 'text' }] }]; });
  nock(API).persist().get('/api/v2/deals').query(true).reply(function (uri) { log(uri); return [200, v2Page(structuredClone(DEALS))]; });
  nock(API).persist().get('/api/v1/leads').query(true).reply(function (uri) {
    log(uri);
    return [200, v1Page([{
      id: 'a1b2', title: 'Lead', update_time: '2024-01-01T00:00:00.000Z', add_time: '2024-01-01T00:00:00.000Z',
      [K.region]: 1, [K.interests]: '3,4', [K.contract]: 99.5, [`${K.contract}_currency`]: 'USD', [K.seats]: 3,
      [K.address]: 'Main St 1', [`${K.address}_locality`]: 'Tallinn', [`${K.address}_formatted_address`]: 'Main St 1, Tallinn',
    }])];
  });
  // The deals estimate (TRACE ESTIMATE) of a full read.
  nock(API).persist().get('/api/v1/deals/summary').query(true).reply(200, { success: true, data: { total_count: DEALS.length } });
  nock(API).persist().get('/api/v1/currencies').query(true).reply(200, { success: true, data: [{ id: 1, code: 'EUR' }] });
}

async function discover(config: Record<string, unknown>, maxRetries = 0): Promise<{ streams: DiscoveredStream[]; warnings: string[] }> {
  const loaded = loadConfig(config);
  const requester = createRequester({ config: loaded.config, port: createAxiosPort({ timeoutMs: 5000 }), maxRetries });
  const readPages$ = requester.baseUrl().pipe(map((b) => (def: StreamDefinition) => pagesOf(def, { request: requester.request, root: (api: 'v1' | 'v2') => apiRoot(b, api) })));
  const warnings: string[] = [];
  const streams = await lastValueFrom(discoverSchemas(readPages$, customFieldOptions(loaded.config), (m) => warnings.push(m)));
  return { streams, warnings };
}

const schemaOf = (streams: DiscoveredStream[], name: string) => {
  const s = streams.find((x) => x.def.name === name);
  if (!s) throw new Error(name);
  return s.schema as { properties: Record<string, { properties?: Record<string, { type?: unknown; format?: string; items?: unknown; properties?: Record<string, unknown> }> ; type?: unknown }> };
};

function validator(schema: object) {
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajvFormats.default(ajv);
  return ajv.compile(schema);
}

beforeAll(() => { nock.disableNetConnect(); });
afterEach(() => { nock.cleanAll(); seen.length = 0; });

describe('discover with custom fields', () => {
  it('types every deal custom field by its field_type (key mode), reads each *Fields endpoint once, and the catalog is valid', async () => {
    serve();
    const { streams, warnings } = await discover(base);
    const cf = schemaOf(streams, 'deals').properties['custom_fields']?.properties ?? {};
    expect(cf[K.region]?.type).toEqual(['integer', 'null']);
    expect(cf[K.interests]).toMatchObject({ type: ['array', 'null'], items: { type: 'integer' } });
    expect(cf[K.contract]).toMatchObject({ type: ['object', 'null'], properties: { value: { type: ['number', 'null'] }, currency: { type: ['string', 'null'] } } });
    expect(cf[K.score]?.type).toEqual(['number', 'null']);
    expect(cf[K.seats]?.type).toEqual(['integer', 'null']);
    expect(cf[K.renewal]).toMatchObject({ type: ['string', 'null'], format: 'date' });
    for (const k of [K.manager, K.partner, K.champion]) expect(cf[k]?.type).toEqual(['integer', 'null']);
    expect(Object.keys(cf[K.address]?.properties ?? {})).toEqual(['value', 'street_number', 'route', 'locality', 'country', 'postal_code', 'formatted_address']);
    expect(cf[K.period]).toMatchObject({ type: ['object', 'null'], properties: { value: { format: 'date' }, until: { format: 'date' } } });
    for (const k of [K.hotline, K.notes, K.source, K.callTime]) expect(cf[k]?.type).toEqual(['string', 'null']);
    // Built-in fields (title, value) are not custom fields.
    expect(Object.keys(cf)).toHaveLength(17);
    expect(schemaOf(streams, 'deals_archived').properties['custom_fields']?.properties?.[K.seats]).toBeDefined();
    // Leads (v1): at the root, with the v1 subfield keys.
    const leads = schemaOf(streams, 'leads').properties;
    expect(leads[K.contract]?.type).toEqual(['number', 'null']);
    expect(leads[`${K.contract}_currency`]?.type).toEqual(['string', 'null']);
    expect(leads[`${K.address}_formatted_address`]?.type).toEqual(['string', 'null']);
    expect(leads[K.interests]?.type).toEqual(['string', 'null']);
    // activityFields answered 403: activities keep the static schema, with a warning naming the stream.
    expect(schemaOf(streams, 'activities')).toEqual(loadSchema({ name: 'activities' }));
    expect(warnings).toEqual([expect.stringContaining('Custom fields of activities are not typed: activity_fields could not be read')]);
    // One request per *Fields endpoint page: deal_fields has two pages.
    expect(seen.filter((s) => s.startsWith('/api/v2/dealFields'))).toHaveLength(2);
    expect(new Set(seen.map((s) => s.split('?')[0])).size).toBe(8);
    const catalog = catalogMessage(streams.map(({ def, schema }) => airbyteStream(def, schema)));
    assertValidMessage(catalog);
    expect(catalog.catalog.streams).toHaveLength(allStreams.length);
    for (const s of catalog.catalog.streams) validator(s.json_schema);
  });

  it('name mode: snake_case names, collisions suffixed (never a built-in name), labels typed as strings', async () => {
    serve();
    const { streams } = await discover({ ...base, custom_field_names: 'name', resolve_option_labels: true });
    const cf = schemaOf(streams, 'deals').properties['custom_fields']?.properties ?? {};
    expect(Object.keys(cf)).toEqual([
      'region', 'interests', 'contract_value', 'score', 'seats', 'renewal_date', 'account_manager', 'partner_organization', 'champion',
      'delivery_address', 'contract_period', 'hotline', 'internal_notes', 'lead_source', 'call_time', 'region_2', 'title_2',
    ]);
    expect(cf['region']?.type).toEqual(['string', 'null']);
    expect(cf['interests']).toMatchObject({ type: ['array', 'null'], items: { type: 'string' } });
    expect(cf['region']?.['description' as never]).toContain(K.region);
    const leads = schemaOf(streams, 'leads').properties;
    // The lead field labelled "Value" must not take the built-in `value`.
    expect(leads['value_2']?.type).toEqual(['integer', 'null']);
    expect(leads['contract_value_currency']?.type).toEqual(['string', 'null']);
    expect(leads['region']?.type).toEqual(['string', 'null']);
    expect(leads['interests']).toMatchObject({ type: ['array', 'null'] });
  });

  it('a 401 fails discover (config_error); the first endpoint alone was asked', async () => {
    serve({ dealFields: 401 });
    const err = await discover(base).then(() => undefined, (e: unknown) => e);
    expect(failureTypeOf(err)).toBe('config_error');
    expect(seen).toHaveLength(1);
  });

  it('a server error only costs the types: static schemas and one warning', async () => {
    serve({ dealFields: 500 });
    const { streams, warnings } = await discover(base);
    expect(schemaOf(streams, 'deals')).toEqual(loadSchema({ name: 'deals' }));
    expect(warnings).toEqual([expect.stringContaining('Custom fields are not typed (the catalog has the static schemas)')]);
  });
});

const recordsValidate = (messages: Msg[], stream: string, schema: object) => {
  const v = validator(schema);
  const data = records(messages, stream);
  for (const r of data) expect(v(r), `${stream} ${JSON.stringify(r).slice(0, 200)}: ${JSON.stringify(v.errors)}`).toBe(true);
  return data;
};

describe('read with custom fields', () => {
  it('name + labels: deals carry readable names and labels, reading deal_fields once before the stream; records validate against discover', async () => {
    const config = { ...base, custom_field_names: 'name', resolve_option_labels: true };
    serve();
    const { streams } = await discover(config);
    seen.length = 0;
    const r = await readInProcess({ config, streams: [{ name: 'deals' }] });
    expect(statuses(r.messages, 'deals')).toEqual(['STARTED', 'RUNNING', 'COMPLETE']);
    expect(seen.map((s) => s.split('?')[0])).toEqual(['/api/v2/dealFields', '/api/v2/dealFields', '/api/v2/deals']);
    const data = recordsValidate(r.messages, 'deals', schemaOf(streams, 'deals'));
    expect(data[0]?.['custom_fields']).toEqual({
      region: 'APAC', interests: ['Automation', 'AI'], contract_value: { value: 1200.5, currency: 'EUR' }, score: 4.5, seats: 12,
      renewal_date: '2025-01-31', account_manager: 4, partner_organization: 7, champion: 9,
      delivery_address: DEALS[0]?.custom_fields[K.address], contract_period: { value: '2025-01-01', until: '2025-12-31' },
      hotline: '+372 5555', internal_notes: 'long text', lead_source: 'Fair', call_time: '10:30:00', region_2: 'North', title_2: 'Dr.',
    });
    expect(data[1]?.['custom_fields']).toEqual({ region: null, interests: ['99'], contract_value: null, [hex(99)]: 'late field' });
    // Deletes are still marked (before renaming).
    expect(data[2]).toMatchObject({ is_deleted: true, _ab_cdc_deleted_at: '2024-02-01T00:00:00Z' });
    expect(r.tokens.get('deal_fields')).toBe(20);
  });

  it('name + labels on a v1 stream (leads): root keys and subfield keys renamed, sets resolved from the comma list', async () => {
    const config = { ...base, custom_field_names: 'name', resolve_option_labels: true };
    serve();
    const { streams } = await discover(config);
    const r = await readInProcess({ config, streams: [{ name: 'leads' }] });
    const [lead] = recordsValidate(r.messages, 'leads', schemaOf(streams, 'leads'));
    expect(lead).toMatchObject({
      region: 'EMEA', interests: ['Automation', 'AI'], contract_value: 99.5, contract_value_currency: 'USD', value_2: 3,
      delivery_address: 'Main St 1', delivery_address_locality: 'Tallinn', delivery_address_formatted_address: 'Main St 1, Tallinn',
    });
    expect(Object.keys(lead ?? {}).some((k) => k.startsWith(K.contract))).toBe(false);
  });

  it('key mode without labels: no *Fields request, records as the API sends them, valid against the key-mode catalog', async () => {
    serve();
    const { streams } = await discover(base);
    seen.length = 0;
    const r = await readInProcess({ config: base, streams: [{ name: 'deals' }, { name: 'leads' }] });
    expect(seen.every((s) => !s.includes('Fields'))).toBe(true);
    const data = recordsValidate(r.messages, 'deals', schemaOf(streams, 'deals'));
    expect(data[0]?.['custom_fields']).toEqual(DEALS[0]?.custom_fields);
    recordsValidate(r.messages, 'leads', schemaOf(streams, 'leads'));
  });

  it('definitions that cannot be read fail only their streams, before any record request (config_error for a 403)', async () => {
    serve({ dealFields: 403 });
    const r = await readInProcess({ config: { ...base, custom_field_names: 'name' }, streams: [{ name: 'deals' }, { name: 'currencies' }, { name: 'leads' }] });
    expect(statuses(r.messages, 'deals')).toEqual(['STARTED', 'RUNNING', 'INCOMPLETE']);
    expect(statuses(r.messages, 'currencies')).toEqual(['STARTED', 'RUNNING', 'COMPLETE']);
    expect(statuses(r.messages, 'leads')).toEqual(['STARTED', 'RUNNING', 'COMPLETE']);
    expect(seen.some((s) => s.startsWith('/api/v2/deals?'))).toBe(false);
    const err = r.messages.find((m) => m.type === 'TRACE' && (m['trace'] as { type: string }).type === 'ERROR');
    expect(err?.['trace']).toMatchObject({ error: { failure_type: 'config_error', stream_descriptor: { name: 'deals' } } });
    expect(JSON.stringify(err)).toContain("custom_field_names 'name'");
    expect(r.failed).toBe(true);
  });
});

