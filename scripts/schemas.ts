/**
 * Generates `streams/schemas/<name>.json` from Pipedrive's OpenAPI specs: `npm run schemas [REFERENCE_DIR]`
 * (default `../shared/reference` next to the repository).
 *
 * For each stream it takes the item schema of the records its endpoint returns (`data`, or the stream's
 * `recordSelector`), resolves `$ref`s, merges `allOf`, `oneOf` and `anyOf` into one loose schema, drops `not`, and
 * writes a draft-07 schema in which
 * - every object has `additionalProperties: true` (custom fields: v2 `custom_fields`, v1 40-hex keys at the root);
 * - every field is nullable except the top-level primary-key fields;
 * - integers stay `integer`, and `number` becomes `integer` only where the spec's enum holds integers alone (0/1 flags);
 * - timestamps are classified by the API's examples, format and description: RFC 3339 instants get
 *   `format: date-time`; v1 `YYYY-MM-DD HH:MM:SS` text gets `airbyte_type: timestamp_without_timezone` and no format;
 *   dates get `format: date`;
 * - fields that the API's response example shows but the schema omits are added (typed from the example);
 * - the cursor field and the primary-key fields always exist (added with a note when the spec lacks them);
 * - the fields the engine adds are declared from the definition: the parent's id of a fan-out (`fanOut.parentIdField`, typed
 *   as the parent's key), the sequence number (`sequence.field`), the parent key of flattened items (`flatten.as`), and
 *   the `include_fields` values the stream asks for (`includeFields`, typed by name);
 * - every stream with a delete signal (the definition's `deleted` signal, see `src/deletes.ts`: `is_deleted`, `active_flag`, `deleted_flag`,
 *   project `status`) also has `_ab_cdc_deleted_at` (set by the read engine).
 * Keys are sorted, so the output is deterministic. `enum`, `example`, `required`, `title` and bounds are dropped:
 * Pipedrive adds enum values without notice.
 */
import { mkdirSync, readFileSync, readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse } from 'yaml';
import { allStreams } from '../streams/index.js';
import { packageRoot } from '../src/paths.js';
import type { ApiVersion, StreamDefinition } from '../streams/types.js';
import { CDC_DELETED_AT, CDC_TOMBSTONE, EXTRA_FIELDS, includeFieldSchema, parentIdSchema, sequenceSchema } from './schema-overrides.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };
type Schema = JsonObject;

/** How a string field's text is to be read. */
type TimeKind = 'date-time' | 'naive' | 'date';

/**
 * v1 `YYYY-MM-DD HH:MM:SS` timestamps get `airbyte_type: timestamp_without_timezone`. With this `false` they carry no
 * `format` (the text is not RFC 3339, so ajv-formats' `date-time` would reject it); set it to `true` to add
 * `format: date-time` as Airbyte's own convention for naive timestamps does.
 */
const NAIVE_WITH_FORMAT = true;

/**
 * Decisions the spec leaves open, by `stream` then dotted field path (`[]` for array items):
 * `naive` / `date-time` / `date` force a time kind, `plain` forces none.
 */
const TIME_OVERRIDES: Readonly<Record<string, Readonly<Record<string, TimeKind | 'plain'>>>> = {
  // Described as "in UTC. Format: YYYY-MM-DD HH:MM:SS", while the example shows RFC 3339: ambiguous, so no format.
  call_logs: { start_time: 'naive', end_time: 'naive' },
  // Its siblings' examples are RFC 3339 (`2019-11-20T20:20:46.000Z`); the example of this one is null.
  mail_threads: { last_message_sent_timestamp: 'date-time' },
};

/** An intermediate, loose view of a spec schema after `$ref`s, `allOf`, `oneOf` and `anyOf` are merged. */
interface Norm {
  types: Set<string>;
  format?: string;
  description?: string;
  enumValues: Json[];
  properties: Map<string, Norm>;
  items?: Norm;
  /** The field was absent from the response schema and added from the API's example. */
  fromExample?: boolean;
}

const SIMPLE_TYPES = ['object', 'array', 'string', 'integer', 'number', 'boolean'] as const;
const V1_NAIVE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const CUSTOM_FIELD_KEY = /^[0-9a-f]{40}(_[a-z_]+)?$/;

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function emptyNorm(): Norm {
  return { types: new Set(), enumValues: [], properties: new Map() };
}

export class SpecReader {
  readonly doc: JsonObject;

  /** `source`: the spec's file, or the spec already parsed (scripts/reference.ts parses each spec once). */
  constructor(readonly api: ApiVersion, source: string | Record<string, unknown>) {
    const doc: unknown = typeof source === 'string' ? parse(readFileSync(source, 'utf8')) : source;
    if (!isObject(doc)) throw new Error(`${typeof source === 'string' ? source : api} is not an OpenAPI document`);
    this.doc = doc;
  }

  /** Follows `$ref`s (local JSON pointers only). */
  deref(node: Json | undefined, seen: readonly string[] = []): { node: Json | undefined; seen: readonly string[] } {
    let cur = node;
    let trail = seen;
    while (isObject(cur) && typeof cur['$ref'] === 'string') {
      const ref = cur['$ref'];
      if (trail.includes(ref)) return { node: undefined, seen: trail };
      trail = [...trail, ref];
      let target: Json | undefined = this.doc;
      for (const part of ref.replace(/^#\//, '').split('/')) {
        const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
        target = isObject(target) ? target[key] : undefined;
      }
      if (target === undefined) throw new Error(`${this.api}: unresolved $ref ${ref}`);
      cur = target;
    }
    return { node: cur, seen: trail };
  }

  /** The GET operation of `path`. */
  operation(path: string): JsonObject {
    const paths = this.doc['paths'];
    const item = isObject(paths) ? paths[path] : undefined;
    const get = isObject(item) ? item['get'] : undefined;
    if (!isObject(get)) throw new Error(`${this.api} spec has no GET ${path}`);
    return get;
  }

  /** The 200 response's JSON schema and example of `path`. */
  response(path: string): { schema: Json | undefined; examples: Json[] } {
    const responses = this.operation(path)['responses'];
    const ok = this.deref(isObject(responses) ? responses['200'] : undefined).node;
    const content = isObject(ok) ? ok['content'] : undefined;
    const json = isObject(content) ? content['application/json'] : undefined;
    if (!isObject(json)) throw new Error(`${this.api} GET ${path} has no application/json 200 response`);
    const examples: Json[] = [];
    if (json['example'] !== undefined) examples.push(json['example']);
    const named = json['examples'];
    if (isObject(named)) {
      for (const key of Object.keys(named).sort()) {
        const ex = this.deref(named[key]).node;
        if (isObject(ex) && ex['value'] !== undefined) examples.push(ex['value']);
      }
    }
    return { schema: json['schema'], examples };
  }

  /** Merges a spec schema (with its `$ref`s and compositions) into one loose `Norm`. */
  normalize(node: Json | undefined, seen: readonly string[] = []): Norm {
    const out = emptyNorm();
    const { node: s, seen: trail } = this.deref(node, seen);
    if (!isObject(s)) return out;
    for (const key of ['allOf', 'oneOf', 'anyOf'] as const) {
      const subs = s[key];
      if (Array.isArray(subs)) for (const sub of subs) merge(out, this.normalize(sub, trail));
    }
    const type = s['type'];
    for (const t of Array.isArray(type) ? type : [type]) {
      if (typeof t === 'string' && t !== 'null') out.types.add(t);
    }
    if (typeof s['format'] === 'string') out.format = s['format'];
    if (typeof s['description'] === 'string' && s['description'].trim() !== '') out.description = s['description'];
    if (Array.isArray(s['enum'])) out.enumValues.push(...s['enum']);
    const props = s['properties'];
    if (isObject(props)) {
      out.types.add('object');
      for (const key of Object.keys(props)) {
        const child = this.normalize(props[key], trail);
        const prev = out.properties.get(key);
        if (prev) merge(prev, child);
        else out.properties.set(key, child);
      }
    }
    if (s['items'] !== undefined) {
      out.types.add('array');
      const items = this.normalize(s['items'], trail);
      if (out.items) merge(out.items, items);
      else out.items = items;
    }
    if (s['additionalProperties'] !== undefined && s['additionalProperties'] !== false) out.types.add('object');
    return out;
  }
}

/** Folds `b` into `a` (union of types and properties; the first description and format win). */
function merge(a: Norm, b: Norm): void {
  for (const t of b.types) a.types.add(t);
  if (a.format === undefined && b.format !== undefined) a.format = b.format;
  if (a.description === undefined && b.description !== undefined) a.description = b.description;
  a.enumValues.push(...b.enumValues);
  for (const [key, child] of b.properties) {
    const prev = a.properties.get(key);
    if (prev) merge(prev, child);
    else a.properties.set(key, child);
  }
  if (b.items) {
    if (a.items) merge(a.items, b.items);
    else a.items = b.items;
  }
}

/** Adds what the API's example shows to `norm`: values per field path (for time classification) and missing fields. */
function absorbExample(norm: Norm, value: Json, path: string, samples: Map<string, Json[]>): void {
  if (value === null) return;
  const list = samples.get(path) ?? [];
  list.push(value);
  samples.set(path, list);
  if (Array.isArray(value)) {
    if (norm.types.size === 0) norm.types.add('array');
    if (!norm.types.has('array')) return;
    norm.items ??= { ...emptyNorm(), fromExample: true };
    for (const v of value) absorbExample(norm.items, v, `${path}[]`, samples);
    return;
  }
  if (isObject(value)) {
    if (norm.types.size === 0) norm.types.add('object');
    // A free-form object of the spec (`custom_fields`, deal_flow's `data`) stays free-form: its example is one
    // instance, not a shape.
    if (!norm.types.has('object') || (norm.properties.size === 0 && !norm.fromExample)) return;
    for (const key of Object.keys(value)) {
      if (CUSTOM_FIELD_KEY.test(key)) continue;
      const v = value[key];
      if (v === undefined) continue;
      let child = norm.properties.get(key);
      if (!child) {
        if (v === null) continue;
        child = { ...emptyNorm(), fromExample: true };
        norm.properties.set(key, child);
      }
      absorbExample(child, v, path === '' ? key : `${path}.${key}`, samples);
    }
    return;
  }
  if (norm.types.size === 0 || norm.fromExample) {
    norm.types.add(typeof value === 'number' ? (Number.isInteger(value) ? 'integer' : 'number') : typeof value);
  }
}

/** Where the records are inside a response: the `recordSelector` path, then an array's items. */
function selectRecords(norm: Norm, examples: Json[], selector: string): { item: Norm; examples: Json[] } {
  let cur = norm;
  let ex = examples;
  for (const key of selector.split('.')) {
    const next = cur.properties.get(key);
    if (!next) throw new Error(`response has no '${key}' on the way to '${selector}'`);
    cur = next;
    ex = ex.flatMap((e) => (isObject(e) && e[key] !== undefined ? [e[key]] : []));
  }
  if (cur.types.has('array') && cur.items) {
    return { item: cur.items, examples: ex.flatMap((e) => (Array.isArray(e) ? e : [])) };
  }
  return { item: cur, examples: ex };
}

/** The time kind of a string field, or `undefined` for plain text. */
function timeKind(api: ApiVersion, name: string, norm: Norm, samples: readonly Json[]): TimeKind | undefined {
  const texts = samples.filter((s): s is string => typeof s === 'string');
  if (texts.some((t) => V1_NAIVE.test(t))) return 'naive';
  if (texts.some((t) => RFC3339.test(t))) return 'date-time';
  if (texts.length > 0 && texts.every((t) => DATE_ONLY.test(t))) return 'date';
  if (texts.length > 0) return undefined;
  if (norm.format === 'date') return 'date';
  const timeLikeName = /(^|_)(time|timestamp|date)$/.test(name) || /^(created|modified|last_login)$/.test(name);
  if (norm.format !== 'date-time' && !timeLikeName) return undefined;
  const desc = norm.description ?? '';
  if (/YYYY-MM-DD HH:MM:SS/i.test(desc)) return 'naive';
  if (/YYYY-MM-DDTHH:MM:SS/i.test(desc)) return 'date-time';
  if (/YYYY-MM-DD(?![ T])/i.test(desc)) return 'date';
  if (/ISO ?8601|RFC ?3339/i.test(desc)) return 'date-time';
  if (norm.format === 'date-time' || /date and time|timestamp|time when|creation time|update time/i.test(desc)) {
    return api === 'v2' ? 'date-time' : 'naive';
  }
  return undefined;
}

interface EmitContext {
  readonly stream: StreamDefinition;
  readonly samples: Map<string, Json[]>;
  readonly notes: string[];
}

const TYPE_ORDER: readonly string[] = [...SIMPLE_TYPES, 'null'];

function typeList(types: Iterable<string>, nullable: boolean): Json {
  const set = new Set(types);
  if (set.has('integer') && set.has('number')) set.delete('integer');
  if (nullable) set.add('null');
  const list = [...set].filter((t) => TYPE_ORDER.includes(t)).sort((a, b) => TYPE_ORDER.indexOf(a) - TYPE_ORDER.indexOf(b));
  return list.length === 1 ? (list[0] ?? null) : list;
}

/** Turns a `Norm` into the output schema of one field (or of the record when `path` is empty). */
function emit(norm: Norm, path: string, name: string, nullable: boolean, ctx: EmitContext): Schema {
  const out: Schema = {};
  if (norm.description !== undefined) out['description'] = norm.description.trim();
  else if (norm.fromExample) out['description'] = 'Not in the OpenAPI response schema; present in the API example.';
  const types = new Set(norm.types);
  if (types.has('number') && norm.enumValues.length > 0 && norm.enumValues.every((v) => Number.isInteger(v))) {
    types.delete('number');
    types.add('integer');
  }
  if (types.size === 0) return out;
  out['type'] = typeList(types, nullable);
  if (types.has('object')) {
    out['additionalProperties'] = true;
    if (norm.properties.size > 0) {
      const props: JsonObject = {};
      for (const key of [...norm.properties.keys()].sort()) {
        const child = norm.properties.get(key);
        if (child) props[key] = emit(child, path === '' ? key : `${path}.${key}`, key, true, ctx);
      }
      out['properties'] = props;
    }
  }
  if (types.has('array') && norm.items) out['items'] = emit(norm.items, `${path}[]`, name, true, ctx);
  if (types.has('string') && types.size === 1) {
    const override = TIME_OVERRIDES[ctx.stream.name]?.[path];
    const kind = override === 'plain' ? undefined : (override ?? timeKind(ctx.stream.api, name, norm, ctx.samples.get(path) ?? []));
    if (kind === 'date-time') out['format'] = 'date-time';
    else if (kind === 'date') out['format'] = 'date';
    else if (kind === 'naive') {
      out['airbyte_type'] = 'timestamp_without_timezone';
      if (NAIVE_WITH_FORMAT) out['format'] = 'date-time';
    }
  }
  return out;
}

/** Sorts object keys recursively. */
function sortKeys(value: Json): Json {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const key of Object.keys(value).sort()) {
    const v = value[key];
    if (v !== undefined) out[key] = sortKeys(v);
  }
  return out;
}

/**
 * Makes sure a (possibly nested) field exists; returns true when it had to be added. With `replace`, an existing
 * field's schema is replaced too.
 */
function ensureField(schema: Schema, path: readonly string[], add: Schema, replace = false): boolean {
  let cur: Schema = schema;
  for (const [i, key] of path.entries()) {
    const props: JsonObject = isObject(cur['properties']) ? cur['properties'] : {};
    cur['properties'] = props;
    const existing = props[key];
    if (isObject(existing) && !(replace && i === path.length - 1)) {
      cur = existing;
      continue;
    }
    props[key] = i === path.length - 1 ? add : { type: ['object', 'null'], additionalProperties: true };
    if (i === path.length - 1) return true;
    cur = props[key] as Schema;
  }
  return false;
}

/** Drops `null` from the type of a field and of the objects above it: primary-key fields are never null. */
function nonNullable(schema: Schema, path: readonly string[]): void {
  let cur: Json | undefined = schema;
  for (const key of path) {
    const props: Json | undefined = isObject(cur) ? cur['properties'] : undefined;
    cur = isObject(props) ? props[key] : undefined;
    if (isObject(cur) && Array.isArray(cur['type'])) {
      const types = cur['type'].filter((t) => t !== 'null');
      cur['type'] = types.length === 1 ? (types[0] ?? null) : types;
    }
  }
}

/** The values of a GET endpoint's `include_fields` enum (empty when it has none). */
function includeFields(spec: SpecReader, path: string): string[] {
  const params = spec.operation(path)['parameters'];
  for (const raw of Array.isArray(params) ? params : []) {
    const p = spec.deref(raw).node;
    if (!isObject(p) || p['name'] !== 'include_fields' || p['in'] !== 'query') continue;
    const schema = spec.deref(p['schema']).node;
    const values = isObject(schema) ? schema['enum'] : undefined;
    return Array.isArray(values) ? values.filter((v): v is string => typeof v === 'string') : [];
  }
  return [];
}

/**
 * The records of a stream that `flatten`s its endpoint's records (the options of the `*Fields` definitions): the
 * items of the records' `items` array, plus the record's `parentKey` under `as`.
 */
function flattenedRecords(def: StreamDefinition, spec: SpecReader, notes: string[]): { item: Norm; records: Json[] } {
  const flat = def.flatten!;
  const { schema, examples } = spec.response(def.path);
  const { item: parent, examples: parents } = selectRecords(spec.normalize(schema), examples, def.recordSelector ?? 'data');
  const items = parent.properties.get(flat.items);
  if (!items?.items) throw new Error(`${def.name}: ${def.path} has no ${flat.items} array in its record schema`);
  const item: Norm = { ...items.items, properties: new Map(items.items.properties) };
  const key = parent.properties.get(flat.parentKey);
  item.properties.set(flat.as, {
    ...emptyNorm(),
    types: new Set(key?.types ?? ['string']),
    description: `Added by the connector: the \`${flat.parentKey}\` of the ${def.path} record this is one of the \`${flat.items}\` of.`,
  });
  notes.push(`${def.name}: connector ${flat.as}`);
  const records: Json[] = [];
  for (const p of parents) {
    if (!isObject(p) || !Array.isArray(p[flat.items])) continue;
    for (const o of p[flat.items] as Json[]) if (isObject(o)) records.push({ ...o, [flat.as]: p[flat.parentKey] ?? null });
  }
  return { item, records };
}

/** Builds one stream's schema. `notes` collects what the spec lacked and what the generator added. */
export function buildSchema(def: StreamDefinition, spec: SpecReader, notes: string[], parentSpec: SpecReader = spec): Schema {
  if (def.flatten !== undefined) {
    const { item, records } = flattenedRecords(def, spec, notes);
    return finishSchema(def, spec, notes, item, records, parentSpec);
  }
  const { schema, examples } = spec.response(def.path);
  const response = spec.normalize(schema);
  const { item, examples: records } = selectRecords(response, examples, def.recordSelector ?? 'data');
  return finishSchema(def, spec, notes, item, records, parentSpec);
}

function finishSchema(def: StreamDefinition, spec: SpecReader, notes: string[], item: Norm, records: Json[], parentSpec: SpecReader): Schema {
  const samples = new Map<string, Json[]>();
  for (const record of records) absorbExample(item, record, '', samples);
  const pkTop = new Set(def.primaryKey.filter((k) => k.length === 1).map((k) => k[0]));
  const root: Schema = { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', additionalProperties: true };
  const ctx: EmitContext = { stream: def, samples, notes };
  const props: JsonObject = {};
  for (const key of [...item.properties.keys()].sort()) {
    const child = item.properties.get(key);
    if (child) props[key] = emit(child, key, key, !pkTop.has(key), ctx);
  }
  root['properties'] = props;
  if (def.deleted !== undefined || isObject(props['is_deleted']) || def.sweep !== undefined) {
    // The read engine marks deleted records for Airbyte destinations (`deleteMarker` of src/deletes.ts), and with
    // detect_deletes the id sweep sends tombstones (src/read/idSweep.ts).
    const cdc = structuredClone(CDC_DELETED_AT);
    if (def.sweep !== undefined) cdc['description'] = `${String(cdc['description'])} ${CDC_TOMBSTONE}`;
    props['_ab_cdc_deleted_at'] = cdc;
  }
  for (const extra of EXTRA_FIELDS[def.name] ?? []) {
    const added = ensureField(root, extra.path, structuredClone(extra.schema), extra.replace ?? false);
    notes.push(`${def.name}: ${added ? 'override' : 'kept (already declared)'} ${extra.path.join('.')}${extra.replace ? ' (schema set by the generator)' : ''}`);
  }
  if (def.includeFields !== undefined) {
    const allowed = includeFields(spec, def.path);
    for (const name of def.includeFields) {
      if (!allowed.includes(name)) throw new Error(`${def.name}: includeFields value '${name}' is not in the include_fields enum of ${def.api} GET ${def.path}`);
      if (ensureField(root, [name], includeFieldSchema(name))) notes.push(`${def.name}: include_fields ${name}`);
    }
  }
  const fan = def.fanOut;
  if (fan?.parentIdField !== undefined) {
    // Typed as the parent's key in the parent's own schema.
    const parentKey = fan.parentKey ?? 'id';
    const parentProps = buildSchema(fan.parent, parentSpec, [])['properties'];
    const keySchema = isObject(parentProps) ? parentProps[parentKey] : undefined;
    const type = isObject(keySchema) && keySchema['type'] !== undefined ? keySchema['type'] : 'integer';
    ensureField(root, [fan.parentIdField], parentIdSchema(fan.parent.name, parentKey, type), true);
    notes.push(`${def.name}: connector ${fan.parentIdField}`);
  }
  if (def.sequence !== undefined) {
    ensureField(root, [def.sequence.field], sequenceSchema(def.sequence.groupBy), true);
    notes.push(`${def.name}: connector ${def.sequence.field}`);
  }
  for (const key of def.primaryKey) {
    if (ensureField(root, key, { type: 'integer' })) notes.push(`${def.name}: primary key ${key.join('.')} missing in the spec, added as integer`);
    nonNullable(root, key);
  }
  if (def.cursorField !== undefined) {
    const cursorSchema: Schema =
      def.api === 'v2'
        ? { type: ['string', 'null'], format: 'date-time' }
        : { type: ['string', 'null'], airbyte_type: 'timestamp_without_timezone' };
    if (ensureField(root, [def.cursorField], cursorSchema)) {
      notes.push(`${def.name}: cursor field ${def.cursorField} missing in the spec, added`);
    }
  }
  return sortKeys(root) as Schema;
}

/** The schema files of every stream (`streams/schemas/<file>` → its text), as `main` writes them. */
export function schemaFiles(specs: Record<ApiVersion, SpecReader>, notes: string[] = []): Map<string, string> {
  const files = new Map<string, string>();
  for (const def of allStreams) {
    const file = `${def.schema ?? def.name}.json`;
    if (files.has(file)) continue;
    files.set(file, `${JSON.stringify(buildSchema(def, specs[def.api], notes, specs[def.fanOut?.parent.api ?? def.api]), null, 2)}\n`);
  }
  return files;
}

/**
 * What `npm run schemas` prints: which declared fields come from the generator rather than the OpenAPI response
 * schemas, one line per stream and source (`overrides` of scripts/schema-overrides.ts, `include_fields`, `connector`
 * for the fields the engine adds, `added` from the API example, `primary key`, `cursor field`), then other notes.
 */
export function declaredReport(notes: readonly string[]): string {
  const groups = new Map<string, string[]>();
  const other: string[] = [];
  for (const note of notes) {
    const m = /^([a-z_]+): (override|include_fields|connector|added|kept \(already declared\)|primary key|cursor field) (.+)$/.exec(note);
    if (!m) {
      other.push(`note: ${note}\n`);
      continue;
    }
    const key = `${m[1]}: ${m[2] === 'override' ? 'overrides' : m[2]!}`;
    groups.set(key, [...(groups.get(key) ?? []), m[3]!]);
  }
  const lines = [...groups].sort(([a], [b]) => a.localeCompare(b)).map(([key, fields]) => `  ${key}: ${fields.join(', ')}\n`);
  return `${other.join('')}declared fields not taken from the OpenAPI response schemas:\n${lines.join('')}`;
}

function main(argv: readonly string[]): void {
  const root = pathToFileURL(`${packageRoot()}/`);
  const refDir = argv[0] !== undefined ? pathToFileURL(`${resolve(argv[0])}/`) : new URL('../shared/reference/', root);
  const specs: Record<ApiVersion, SpecReader> = {
    v1: new SpecReader('v1', fileURLToPath(new URL('pipedrive-openapi-v1.yaml', refDir))),
    v2: new SpecReader('v2', fileURLToPath(new URL('pipedrive-openapi-v2.yaml', refDir))),
  };
  const outDir = new URL('streams/schemas/', root);
  mkdirSync(outDir, { recursive: true });
  const notes: string[] = [];
  const files = schemaFiles(specs, notes);
  for (const [file, text] of files) writeFileSync(new URL(file, outDir), text);
  for (const file of readdirSync(outDir)) {
    if (file.endsWith('.json') && !files.has(file)) unlinkSync(new URL(file, outDir));
  }
  process.stderr.write(declaredReport(notes));
  process.stderr.write(`wrote ${files.size} schemas to ${fileURLToPath(outDir)}\n`);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) main(process.argv.slice(2));
