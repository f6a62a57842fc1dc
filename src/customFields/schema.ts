/**
 * Typing custom fields: the JSON-schema properties of each custom field (by its Pipedrive `field_type`), and a
 * stream's schema with its custom fields added. Pure functions.
 */
import type { ApiVersion } from '../../streams/types.js';
import { isObject, type CustomFieldDef, type SubField } from './definitions.js';
import type { StreamCustomFields } from './names.js';
import { FIELD_KEY, SUBFIELD } from './catalogNames.js';

type Schema = Record<string, unknown>;

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

/** The v1 `<key>_<suffix>` subfields of a field (the definition's, else the defaults of its type). */
export function v1Subfields(f: CustomFieldDef): readonly SubField[] {
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
 * Every value is nullable. `annotate` (name mode) marks each property with the field's key (`x-pipedrive-field-key`,
 * and `x-pipedrive-subfield` on v1 subfields), so that a read can keep these names after a rename.
 */
export function fieldProperties(f: CustomFieldDef, name: string, api: ApiVersion, resolveLabels: boolean, annotate = false): Record<string, Schema> {
  const labels = resolveLabels ? labelSchema(f.type) : undefined;
  const key: Schema = annotate ? { [FIELD_KEY]: f.key } : {};
  if (api === 'v2') {
    const subs = labels ? undefined : v2Subfields(f);
    let schema: Schema;
    if (labels) schema = labels;
    else if (subs) {
      const properties: Record<string, Schema> = {};
      for (const s of subs) properties[s.code] = scalarSchema(s.type, api);
      schema = { type: ['object', 'null'], additionalProperties: true, properties };
    } else schema = scalarSchema(f.type, api);
    return { [name]: { ...schema, description: describe(f), ...key } };
  }
  const composite = V1_COMPOSITE[f.type];
  const value = labels ?? scalarSchema(composite?.value ?? f.type, api);
  const out: Record<string, Schema> = { [name]: { ...value, description: describe(f), ...key } };
  for (const s of v1Subfields(f)) {
    out[`${name}_${s.code}`] = {
      ...scalarSchema(s.type, api),
      description: `Subfield ${s.code} of custom field "${f.label}" (key ${f.key}_${s.code}).`,
      ...(annotate ? { [FIELD_KEY]: f.key, [SUBFIELD]: s.code } : {}),
    };
  }
  return out;
}


/** The schema properties of a stream's custom fields (v2: for inside `custom_fields`; v1: for the root). */
export function customFieldSchema(cf: StreamCustomFields): Record<string, Schema> {
  const out: Record<string, Schema> = {};
  for (const { def, name } of cf.fields) Object.assign(out, fieldProperties(def, name, cf.api, cf.opts.resolveLabels, cf.opts.naming === 'name'));
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
