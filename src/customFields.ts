/**
 * Typed custom fields: Pipedrive's custom fields arrive under random 40-hex keys with no type. The `*Fields` endpoints
 * describe them (label, `field_type`, options, subfields); this module reads those definitions and
 *
 * - adds a typed JSON-schema property per custom field to its stream's schema at `discover` (API v2: inside the
 *   `custom_fields` object; API v1: at the record root, with the v1 subfield keys such as `<key>_currency`);
 * - with `custom_field_names: name`, names the fields by their label in snake_case (unique, never a built-in name);
 * - with `resolve_option_labels: true`, turns option ids of `enum` and `set` fields into their labels.
 *
 * ```
 * discover:  *Fields pages ─parse─▶ definitions ─▶ schema properties ─merge─▶ catalog
 * read:      *Fields pages ─parse─▶ definitions ─▶ per-page transform (rename keys, resolve labels) ─▶ plan.transform
 * ```
 *
 * The transform works on whole pages (arrays) and is the identity (same array, no per-record work) when neither
 * option is on. See docs/custom-fields-and-deletes.md for the mapping table.
 */
import { EMPTY, Observable, catchError, concat, from, map, mergeMap, of, reduce, throwError } from 'rxjs';
import type { ApiVersion, StreamDefinition } from '../streams/types.js';
import { allStreams, loadSchema, streamByName } from '../streams/index.js';
import type { JsonObject } from './protocol.js';
import { ConnectorError, ConfigError, HttpError, RateLimitError, failureTypeOf, messageOf } from './errors.js';
import type { FailureType } from './protocol.js';
import { pagesOf, type StreamContext, type StreamPlan } from './read/readStream.js';

type Schema = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------------------------
// options

export type CustomFieldNaming = 'key' | 'name';

export interface CustomFieldOptions {
  /** `key`: Pipedrive's 40-hex keys (default, stable); `name`: snake_case names from the field labels. */
  readonly naming: CustomFieldNaming;
  /** Enum and set values as option labels instead of option ids. */
  readonly resolveLabels: boolean;
}

/** The custom field options of a (validated) config: `custom_field_names` and `resolve_option_labels`. */
export function customFieldOptions(config: Readonly<Record<string, unknown>>): CustomFieldOptions {
  return {
    naming: config['custom_field_names'] === 'name' ? 'name' : 'key',
    resolveLabels: config['resolve_option_labels'] === true,
  };
}

/** Whether records must be transformed (and the definitions read before a sync). */
export function transformsRecords(opts: CustomFieldOptions): boolean {
  return opts.naming === 'name' || opts.resolveLabels;
}

// ---------------------------------------------------------------------------------------------------------------
// which streams have custom fields

/** Streams with custom fields → the stream of their field definitions (each definition's `customFields`). */
export const CUSTOM_FIELD_SOURCES: Readonly<Record<string, string>> = Object.fromEntries(
  allStreams.flatMap((def) => (def.customFields ? [[def.name, def.customFields.name]] : [])),
);

/** The field-definition stream of a stream, if it has custom fields. */
export function fieldsStreamOf(stream: string): string | undefined {
  return CUSTOM_FIELD_SOURCES[stream];
}

// ---------------------------------------------------------------------------------------------------------------
// definitions

export interface FieldOption {
  readonly id: number | string;
  readonly label: string;
}

export interface SubField {
  /** API v2: the property inside the value object (`currency`); API v1: the key suffix after `<key>_`. */
  readonly code: string;
  /** The subfield's `field_type` (`double`, `varchar`, `date`, …). */
  readonly type: string;
}

/** One custom field as the `*Fields` endpoint describes it. */
export interface CustomFieldDef {
  /** The 40-hex key (v2 `field_code`, v1 `key`). */
  readonly key: string;
  /** The display name (v2 `field_name`, v1 `name`). */
  readonly label: string;
  readonly type: string;
  readonly options: readonly FieldOption[];
  /** The subfields the definition lists (empty when it lists none). */
  readonly subfields: readonly SubField[];
  /** v1 field `id` (creation order), used to order name collisions; v2 definitions have none. */
  readonly id?: number;
}

const HASH_KEY = /^[0-9a-f]{40}$/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function parseOptions(raw: unknown): FieldOption[] {
  if (!Array.isArray(raw)) return [];
  const out: FieldOption[] = [];
  for (const o of raw) {
    if (!isObject(o)) continue;
    const id = o['id'];
    const label = o['label'];
    if ((typeof id === 'number' || typeof id === 'string') && typeof label === 'string') out.push({ id, label });
  }
  return out;
}

/**
 * The custom fields among the records of a `*Fields` endpoint. API v2: `is_custom_field: true`; API v1 has no such
 * marker: custom fields are the ones whose `key` is a 40-hex hash (built-in keys are names such as `title`), and
 * deleted ones (`active_flag: false`) are left out.
 */
export function parseFieldDefinitions(api: ApiVersion, records: readonly unknown[]): CustomFieldDef[] {
  const out: CustomFieldDef[] = [];
  for (const r of records) {
    if (!isObject(r)) continue;
    if (api === 'v2') {
      const key = text(r['field_code']);
      if (key === undefined || !(r['is_custom_field'] === true || (r['is_custom_field'] === undefined && HASH_KEY.test(key)))) continue;
      const subfields: SubField[] = [];
      if (Array.isArray(r['subfields'])) {
        for (const s of r['subfields']) {
          const code = isObject(s) ? text(s['field_code']) : undefined;
          if (code !== undefined && isObject(s)) subfields.push({ code, type: text(s['field_type']) ?? 'varchar' });
        }
      }
      out.push({ key, label: text(r['field_name']) ?? key, type: text(r['field_type']) ?? 'varchar', options: parseOptions(r['options']), subfields });
    } else {
      const key = text(r['key']);
      if (key === undefined || !HASH_KEY.test(key) || r['active_flag'] === false || r['is_subfield'] === true) continue;
      const subfields: SubField[] = [];
      if (Array.isArray(r['subfields'])) {
        for (const s of r['subfields']) {
          const sk = isObject(s) ? text(s['key']) : undefined;
          if (sk !== undefined && isObject(s) && sk.startsWith(`${key}_`)) subfields.push({ code: sk.slice(key.length + 1), type: text(s['field_type']) ?? 'varchar' });
        }
      }
      const id = r['id'];
      out.push({
        key,
        label: text(r['name']) ?? key,
        type: text(r['field_type']) ?? 'varchar',
        options: parseOptions(r['options']),
        subfields,
        ...(typeof id === 'number' ? { id } : {}),
      });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// types

const nullable = (type: string): Schema => ({ type: [type, 'null'] });
const STRING = (): Schema => nullable('string');
const NUMBER = (): Schema => nullable('number');
const INTEGER = (): Schema => nullable('integer');
const DATE = (): Schema => ({ type: ['string', 'null'], format: 'date' });

/** Field types whose value is one scalar (the same in v1 and v2 unless listed in `V1_SCALAR`). */
const SCALAR: Readonly<Record<string, () => Schema>> = {
  varchar: STRING,
  varchar_auto: STRING,
  varchar_options: STRING,
  text: STRING,
  phone: STRING,
  time: STRING,
  status: STRING,
  billing_frequency: STRING,
  double: NUMBER,
  int: INTEGER,
  boolean: () => nullable('boolean'),
  date: DATE,
  // Ids of other items (API v2 sends the id, not an object).
  user: INTEGER,
  org: INTEGER,
  people: INTEGER,
  deal: INTEGER,
  activity: INTEGER,
  stage: INTEGER,
  pipeline: INTEGER,
  product: INTEGER,
  project: INTEGER,
  projects_board: INTEGER,
  projects_phase: INTEGER,
  picture: INTEGER,
  visible_to: INTEGER,
  lead: STRING,
  deals: () => ({ type: ['array', 'null'], items: { type: 'integer' } }),
  // Option ids: integers for custom fields.
  enum: INTEGER,
  set: () => ({ type: ['array', 'null'], items: { type: 'integer' } }),
};

/**
 * API v1 differences: option ids may come as text, a `set` is a comma-separated string of ids, and user,
 * organization and person fields may come as objects (with `value` holding the id).
 */
const V1_SCALAR: Readonly<Record<string, () => Schema>> = {
  enum: () => ({ type: ['integer', 'string', 'null'] }),
  set: STRING,
  user: () => ({ type: ['integer', 'object', 'null'], additionalProperties: true }),
  org: () => ({ type: ['integer', 'object', 'null'], additionalProperties: true }),
  people: () => ({ type: ['integer', 'object', 'null'], additionalProperties: true }),
  visible_to: STRING,
};

const ADDRESS_PARTS = [
  'street_number', 'route', 'subpremise', 'sublocality', 'locality', 'admin_area_level_1', 'admin_area_level_2', 'country',
  'postal_code', 'formatted_address',
] as const;

/** Subfields of composite values when the definition lists none (API v2: properties of the value object). */
const V2_DEFAULT_SUBFIELDS: Readonly<Record<string, readonly SubField[]>> = {
  monetary: [{ code: 'value', type: 'double' }, { code: 'currency', type: 'varchar' }],
  address: [{ code: 'value', type: 'varchar' }, ...ADDRESS_PARTS.map((code) => ({ code, type: 'varchar' }))],
  daterange: [{ code: 'value', type: 'date' }, { code: 'until', type: 'date' }],
  timerange: [{ code: 'value', type: 'time' }, { code: 'until', type: 'time' }],
};

/** API v1: the root value's type and the `<key>_<suffix>` keys beside it when the definition lists none. */
const V1_COMPOSITE: Readonly<Record<string, { readonly value: string; readonly subfields: readonly SubField[] }>> = {
  monetary: { value: 'double', subfields: [{ code: 'currency', type: 'varchar' }] },
  address: { value: 'varchar', subfields: ADDRESS_PARTS.map((code) => ({ code, type: 'varchar' })) },
  daterange: { value: 'date', subfields: [{ code: 'until', type: 'date' }] },
  timerange: { value: 'time', subfields: [{ code: 'until', type: 'time' }] },
};

/** Types that are unknown to this mapping, or free-form, are left untyped (any JSON value). */
const anyValue = (): Schema => ({});

function scalarSchema(type: string, api: ApiVersion): Schema {
  const make = (api === 'v1' ? V1_SCALAR[type] : undefined) ?? SCALAR[type] ?? anyValue;
  return make();
}

/** The value schema of an option field whose labels are resolved. */
function labelSchema(type: string): Schema | undefined {
  if (type === 'enum') return STRING();
  if (type === 'set') return { type: ['array', 'null'], items: { type: 'string' } };
  return undefined;
}

const isOptionField = (f: CustomFieldDef): boolean => f.type === 'enum' || f.type === 'set';

/** The v1 `<key>_<suffix>` subfields of a field (the definition's, else the defaults of its type). */
function v1Subfields(f: CustomFieldDef): readonly SubField[] {
  return f.subfields.length > 0 ? f.subfields : V1_COMPOSITE[f.type]?.subfields ?? [];
}

/** The v2 properties of a composite value object, or undefined for a scalar field. */
function v2Subfields(f: CustomFieldDef): readonly SubField[] | undefined {
  if (f.subfields.length > 0) return f.subfields;
  return V2_DEFAULT_SUBFIELDS[f.type];
}

function describe(f: CustomFieldDef): string {
  return `Custom field "${f.label}" (${f.type}; key ${f.key}).`;
}

/**
 * The JSON-schema properties of one custom field, under `name` (the key, or the snake_case name). API v2: one
 * property (composite values are objects); API v1: the root value plus one property per `<name>_<suffix>` subfield.
 * Every value is nullable.
 */
export function fieldProperties(f: CustomFieldDef, name: string, api: ApiVersion, resolveLabels: boolean): Record<string, Schema> {
  const labels = resolveLabels ? labelSchema(f.type) : undefined;
  if (api === 'v2') {
    const subs = labels ? undefined : v2Subfields(f);
    let schema: Schema;
    if (labels) schema = labels;
    else if (subs) {
      const properties: Record<string, Schema> = {};
      for (const s of subs) properties[s.code] = scalarSchema(s.type, api);
      schema = { type: ['object', 'null'], additionalProperties: true, properties };
    } else schema = scalarSchema(f.type, api);
    return { [name]: { ...schema, description: describe(f) } };
  }
  const composite = V1_COMPOSITE[f.type];
  const value = labels ?? scalarSchema(composite?.value ?? f.type, api);
  const out: Record<string, Schema> = { [name]: { ...value, description: describe(f) } };
  for (const s of v1Subfields(f)) {
    out[`${name}_${s.code}`] = { ...scalarSchema(s.type, api), description: `Subfield ${s.code} of custom field "${f.label}" (key ${f.key}_${s.code}).` };
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// names

/**
 * A readable snake_case name from a field label: accents dropped, letters and digits kept (any script), everything
 * else one `_`; a leading digit gets a `_` in front; an empty result becomes `field_<first 8 of the key>`.
 */
export function snakeName(label: string, key: string): string {
  const base = label
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '_')
    .replace(/^_+|_+$/g, '');
  if (base === '') return `field_${key.slice(0, 8)}`;
  return /^\p{N}/u.test(base) ? `_${base}` : base;
}

/**
 * The column name of every custom field, by key. `key` naming: the key itself. `name` naming: the snake_case label,
 * made unique deterministically: fields are taken in creation order (v1 field `id`; v2 definitions carry no id, so
 * by key), and a name that is taken — by a built-in field of the stream (`reserved`), by an earlier custom field or,
 * in API v1, by one of the `<name>_<suffix>` subfield keys — gets the first free suffix `_2`, `_3`, ….
 */
export function customFieldNames(
  defs: readonly CustomFieldDef[],
  api: ApiVersion,
  naming: CustomFieldNaming,
  reserved: ReadonlySet<string>,
): Map<string, string> {
  const names = new Map<string, string>();
  if (naming === 'key') {
    for (const f of defs) names.set(f.key, f.key);
    return names;
  }
  const taken = new Set(reserved);
  const ordered = [...defs].sort((a, b) =>
    (a.id ?? Number.MAX_SAFE_INTEGER) - (b.id ?? Number.MAX_SAFE_INTEGER) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const f of ordered) {
    const suffixes = api === 'v1' ? v1Subfields(f).map((s) => s.code) : [];
    const claims = (n: string): string[] => [n, ...suffixes.map((s) => `${n}_${s}`)];
    const base = snakeName(f.label, f.key);
    let name = base;
    for (let i = 2; claims(name).some((c) => taken.has(c)); i++) name = `${base}_${i}`;
    for (const c of claims(name)) taken.add(c);
    names.set(f.key, name);
  }
  return names;
}

// ---------------------------------------------------------------------------------------------------------------
// per stream: schema and transform

/** What a stream needs to know about its custom fields: definitions, names and option labels. */
export interface StreamCustomFields {
  readonly api: ApiVersion;
  readonly opts: CustomFieldOptions;
  readonly fields: readonly { readonly def: CustomFieldDef; readonly name: string }[];
}

/** The built-in top-level field names of a stream (its static schema): custom names never take them. */
export function builtinNames(def: Pick<StreamDefinition, 'name' | 'schema'>): Set<string> {
  const props = loadSchema(def)['properties'];
  return new Set(isObject(props) ? Object.keys(props) : []);
}

/** Names the custom fields of one stream. `reserved` defaults to the stream's built-in field names. */
export function streamCustomFields(
  def: Pick<StreamDefinition, 'name' | 'schema' | 'api'>,
  defs: readonly CustomFieldDef[],
  opts: CustomFieldOptions,
  reserved: ReadonlySet<string> = builtinNames(def),
): StreamCustomFields {
  const names = customFieldNames(defs, def.api, opts.naming, reserved);
  return { api: def.api, opts, fields: defs.map((d) => ({ def: d, name: names.get(d.key) ?? d.key })) };
}

/** The schema properties of a stream's custom fields (v2: for inside `custom_fields`; v1: for the root). */
export function customFieldSchema(cf: StreamCustomFields): Record<string, Schema> {
  const out: Record<string, Schema> = {};
  for (const { def, name } of cf.fields) Object.assign(out, fieldProperties(def, name, cf.api, cf.opts.resolveLabels));
  return out;
}

/**
 * A stream's schema with its custom fields added: API v2 as properties of the `custom_fields` object (created when the
 * static schema lacks it), API v1 at the root (never replacing a built-in field). Returns a new object.
 */
export function withCustomFields(schema: Schema, cf: StreamCustomFields): Schema {
  const out = structuredClone(schema);
  const props: Record<string, unknown> = isObject(out['properties']) ? out['properties'] : {};
  out['properties'] = props;
  const add = customFieldSchema(cf);
  if (cf.api === 'v2') {
    const existing = props['custom_fields'];
    const holder: Record<string, unknown> = isObject(existing)
      ? existing
      : { type: ['object', 'null'], additionalProperties: true, description: 'Custom fields by key (or name).' };
    const inner: Record<string, unknown> = isObject(holder['properties']) ? holder['properties'] : {};
    Object.assign(inner, add);
    holder['properties'] = inner;
    props['custom_fields'] = holder;
  } else {
    for (const [k, v] of Object.entries(add)) if (!(k in props)) props[k] = v;
  }
  return out;
}

type Resolver = (value: unknown) => unknown;

/** Option id → label; an id without a label (a deleted option) is kept as its text. */
function optionResolver(f: CustomFieldDef): Resolver {
  const labels = new Map(f.options.map((o) => [String(o.id), o.label]));
  const one = (id: unknown): string => {
    const k = String(id).trim();
    return labels.get(k) ?? k;
  };
  if (f.type === 'enum') {
    return (v) => {
      if (v === null || v === undefined) return v;
      return v === '' ? null : one(v);
    };
  }
  return (v) => {
    if (v === null || v === undefined) return v;
    const ids: unknown[] = Array.isArray(v) ? v : typeof v === 'string' ? (v.trim() === '' ? [] : v.split(',')) : [v];
    return ids.length === 0 && !Array.isArray(v) ? null : ids.map(one);
  };
}

const identity = (records: readonly JsonObject[]): readonly JsonObject[] => records;

interface Compiled {
  readonly name: string;
  readonly resolve: Resolver | undefined;
}

/**
 * The per-page transform of a stream's records: renames custom field keys (`name` naming) and resolves option labels
 * (`resolve_option_labels`). The identity (the same array back, no per-record work) when neither option is on.
 * API v2 records get a new `custom_fields` object; API v1 records are rebuilt with renamed root keys (including
 * `<key>_<suffix>` subfield keys, also ones the definition does not list). Keys of fields created after the
 * definitions were read pass through unchanged.
 */
export function customFieldTransform(cf: StreamCustomFields): (records: readonly JsonObject[]) => readonly JsonObject[] {
  const { opts } = cf;
  if (!transformsRecords(opts)) return identity;
  const rename = opts.naming === 'name';
  const byKey = new Map<string, Compiled>();
  for (const { def, name } of cf.fields) {
    byKey.set(def.key, { name, resolve: opts.resolveLabels && isOptionField(def) ? optionResolver(def) : undefined });
  }
  const resolving = [...byKey].filter(([, c]) => c.resolve !== undefined) as [string, { name: string; resolve: Resolver }][];
  if (!rename && resolving.length === 0) return identity;

  if (cf.api === 'v2') {
    return (records) => {
      for (const r of records) {
        const cfs = r['custom_fields'];
        if (!isObject(cfs)) continue;
        if (rename) {
          const out: Record<string, unknown> = {};
          for (const k of Object.keys(cfs)) {
            const c = byKey.get(k);
            const v = cfs[k];
            if (c) out[c.name] = c.resolve ? c.resolve(v) : v;
            else out[k] = v;
          }
          r['custom_fields'] = out;
        } else {
          for (const [k, c] of resolving) if (k in cfs) cfs[k] = c.resolve(cfs[k]);
        }
      }
      return records;
    };
  }
  if (!rename) {
    return (records) => {
      for (const r of records) for (const [k, c] of resolving) if (k in r) r[k] = c.resolve(r[k]);
      return records;
    };
  }
  return (records) =>
    records.map((r) => {
      const out: JsonObject = {};
      for (const k of Object.keys(r)) {
        const v = r[k];
        const c = byKey.get(k);
        if (c) {
          out[c.name] = c.resolve ? c.resolve(v) : v;
          continue;
        }
        // `<key>_<suffix>` subfield keys follow their field's name.
        const parent = k.length > 41 && k.charCodeAt(40) === 95 /* _ */ ? byKey.get(k.slice(0, 40)) : undefined;
        out[parent ? parent.name + k.slice(40) : k] = v;
      }
      return out;
    });
}

// ---------------------------------------------------------------------------------------------------------------
// reading the definitions

export type FieldsContext = Pick<StreamContext, 'request' | 'root'>;

export interface FieldDefinitions {
  /** Custom field definitions by field-definition stream (`deal_fields`, …). */
  readonly byStream: ReadonlyMap<string, readonly CustomFieldDef[]>;
  /** Field-definition streams that could not be read (403 without admin rights, 404, 402, …), with the error. */
  readonly errors: ReadonlyMap<string, unknown>;
}

/** Most accounts can read deal fields (activity fields need admin rights with OAuth): they are asked first. */
const FETCH_ORDER = ['deal_fields', 'person_fields', 'organization_fields', 'product_fields', 'lead_fields', 'project_fields', 'note_fields', 'activity_fields'];

/** Answers that concern one endpoint only (the plan lacks it, the user may not read it): other endpoints go on. */
const ENDPOINT_STATUSES = new Set([400, 402, 403, 404, 405, 410]);

function endpointOnly(err: unknown): boolean {
  return err instanceof HttpError && !(err instanceof RateLimitError) && ENDPOINT_STATUSES.has(err.status);
}

/**
 * Reads the custom field definitions the given streams need (each `*Fields` endpoint once, every page; the first
 * alone, then up to four at a time) through the read engine's request function. An endpoint that answers 4xx (other than 401 and 429) is
 * reported in `errors` and the others go on; any other failure (401, network, 5xx or 429 after retries) fails the
 * whole Observable.
 */
export function fetchCustomFields(ctx: FieldsContext, streams: readonly string[]): Observable<FieldDefinitions> {
  const needed = [...new Set(streams.map(fieldsStreamOf).filter((s): s is string => s !== undefined))]
    .sort((a, b) => FETCH_ORDER.indexOf(a) - FETCH_ORDER.indexOf(b));
  const one = (name: string): Observable<[string, readonly CustomFieldDef[] | undefined, unknown]> => {
    const def = streamByName(name);
    if (!def) return throwError(() => new Error(`no stream ${name}`));
    return pagesOf(def, ctx).pipe(
      reduce((all: unknown[], page) => (all.push(...page), all), []),
      map((records): [string, readonly CustomFieldDef[] | undefined, unknown] => [name, parseFieldDefinitions(def.api, records), undefined]),
      catchError((err: unknown) => (endpointOnly(err) ? of<[string, undefined, unknown]>([name, undefined, err]) : throwError(() => err))),
    );
  };
  // The first endpoint alone, then the others four at a time: an unreachable API or bad credentials fail once.
  const [first, ...rest] = needed;
  const all = first === undefined ? EMPTY : concat(one(first), from(rest).pipe(mergeMap(one, 4)));
  return all.pipe(
    reduce(
      (acc, [name, defs, err]) => {
        if (defs) acc.byStream.set(name, defs);
        else acc.errors.set(name, err);
        return acc;
      },
      { byStream: new Map<string, readonly CustomFieldDef[]>(), errors: new Map<string, unknown>() },
    ),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// discover

/** A failure that makes discover fail: the credentials (or the OAuth refresh, or a setting) are wrong. */
export function isCredentialFailure(err: unknown): boolean {
  return err instanceof ConfigError || (err instanceof HttpError && err.status === 401);
}

export interface DiscoveredStream {
  readonly def: StreamDefinition;
  readonly schema: Record<string, unknown>;
}

/** Every stream's schema, with the custom fields of `fields` added (static schemas where they are missing). */
export function streamSchemas(
  fields: FieldDefinitions | undefined,
  opts: CustomFieldOptions,
  streams: readonly StreamDefinition[] = allStreams,
): DiscoveredStream[] {
  return streams.map((def) => {
    const schema = loadSchema(def);
    const source = fieldsStreamOf(def.name);
    const defs = source !== undefined ? fields?.byStream.get(source) : undefined;
    return { def, schema: defs && defs.length > 0 ? withCustomFields(schema, streamCustomFields(def, defs, opts)) : schema };
  });
}

/**
 * The schemas `discover` prints: custom fields are read from Pipedrive (`ctx$` gives the request context once the
 * base URL is known) and added to their streams. Custom fields never make discover fail on their own: an endpoint
 * that cannot be read, a network failure or a spent rate limit is logged as a warning and those streams keep their
 * static schema (`custom_fields` stays an open object). Wrong credentials (401, a rejected OAuth refresh, a bad
 * setting) do fail it: a catalog would hide a config that cannot sync.
 */
export function discoverSchemas(
  ctx$: Observable<FieldsContext>,
  opts: CustomFieldOptions,
  warn: (message: string) => void,
  streams: readonly StreamDefinition[] = allStreams,
): Observable<DiscoveredStream[]> {
  const names = streams.map((s) => s.name);
  return ctx$.pipe(
    mergeMap((ctx) => fetchCustomFields(ctx, names)),
    map((fields) => {
      for (const [source, err] of fields.errors) {
        const affected = names.filter((n) => fieldsStreamOf(n) === source);
        warn(`Custom fields of ${affected.join(', ')} are not typed: ${source} could not be read: ${messageOf(err)}`);
      }
      return streamSchemas(fields, opts, streams);
    }),
    catchError((err: unknown) => {
      if (isCredentialFailure(err)) return throwError(() => err);
      warn(`Custom fields are not typed (the catalog has the static schemas): the field definitions could not be read: ${messageOf(err)}`);
      return of(streamSchemas(undefined, opts, streams));
    }),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// read

/** A stream that needs custom field definitions it could not get: it fails with this, keeping the cause's type. */
export class CustomFieldsError extends ConnectorError {
  override readonly name = 'CustomFieldsError';
  constructor(message: string, readonly failureType: FailureType) {
    super(message);
  }
}

function definitionsError(stream: string, source: string, err: unknown): unknown {
  // A spent daily budget must stay what it is: the read engine stops the whole sync on it.
  if (err instanceof RateLimitError) return err;
  return new CustomFieldsError(
    `${stream}: the custom field definitions (${source}) could not be read, so custom_field_names 'name' and ` +
      `resolve_option_labels cannot be applied; set custom_field_names to 'key' and resolve_option_labels to false, ` +
      `or give the user access to them: ${messageOf(err)}`,
    failureTypeOf(err),
  );
}

/**
 * Before a read: when records must be transformed (`custom_field_names: name` or `resolve_option_labels`), reads the
 * definitions of the selected streams once and sets `transform` on their plans. A stream whose definitions cannot be
 * read fails on its own (`error`) rather than send records whose shape differs from the catalog; the others go on.
 * With neither option on, the plans are returned as they are, without any request.
 */
export function withCustomFieldTransforms(
  ctx: FieldsContext,
  plans: readonly StreamPlan[],
  opts: CustomFieldOptions,
): Observable<readonly StreamPlan[]> {
  if (!transformsRecords(opts)) return of(plans);
  const affected = plans.filter((p) => fieldsStreamOf(p.def.name) !== undefined);
  if (affected.length === 0) return of(plans);
  const apply = (fields: FieldDefinitions | undefined, failure: unknown): readonly StreamPlan[] =>
    plans.map((p) => {
      const source = fieldsStreamOf(p.def.name);
      if (source === undefined) return p;
      const err = failure ?? fields?.errors.get(source);
      if (err !== undefined) return { ...p, error: definitionsError(p.def.name, source, err) };
      const cf = streamCustomFields(p.def, fields?.byStream.get(source) ?? [], opts);
      return { ...p, transform: customFieldTransform(cf) };
    });
  return fetchCustomFields(ctx, affected.map((p) => p.def.name)).pipe(
    map((fields) => apply(fields, undefined)),
    catchError((err: unknown) => of(apply(undefined, err))),
  );
}
