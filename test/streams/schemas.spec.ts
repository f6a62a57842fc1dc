import { readdirSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { allStreams, loadSchema } from '../../streams/index.js';
import { packageRoot } from '../../src/paths.js';
import { endpointMeta, recordNode, type FieldNode } from '../../emulator/meta.js';
import { isNode, recordFields } from '../helpers/openapi.js';

type Node = Record<string, unknown>;

/** v1 fields whose values the spec documents as RFC 3339 (description or example): the only v1 `date-time`s. */
const V1_RFC3339: Readonly<Record<string, readonly string[]>> = {
  lead_labels: ['add_time', 'update_time'],
  leads: ['add_time', 'update_time'],
  leads_archived: ['add_time', 'update_time'],
  mail: ['add_time', 'message_time', 'update_time'],
  mail_threads: [
    'add_time', 'first_message_timestamp', 'last_message_received_timestamp', 'last_message_sent_timestamp',
    'last_message_timestamp', 'update_time',
  ],
};

/** Calls `visit` for every subschema with its dotted path. */
function walk(schema: unknown, visit: (node: Node, path: string) => void, path = ''): void {
  if (!isNode(schema)) return;
  visit(schema, path);
  const props = schema['properties'];
  if (isNode(props)) for (const [k, v] of Object.entries(props)) walk(v, visit, path === '' ? k : `${path}.${k}`);
  if (schema['items'] !== undefined) walk(schema['items'], visit, `${path}[]`);
}

function types(node: Node): string[] {
  return [node['type'] ?? []].flat() as string[];
}

const schemaDefs = allStreams;
const optionStreams = allStreams.filter((d) => d.flatten !== undefined).map((d) => d.name);
const schemas = schemaDefs.map((def) => [def, loadSchema(def)] as const);
const props = (name: string): Record<string, Node> => (schemas.find(([d]) => d.name === name)?.[1]['properties'] ?? {}) as Record<string, Node>;

describe('stream schemas', () => {
  it('exist for every stream, and only for those', () => {
    const files = readdirSync(join(packageRoot(), 'streams', 'schemas')).filter((f) => f.endsWith('.json')).sort();
    expect(files).toEqual(schemaDefs.map((d) => `${d.schema ?? d.name}.json`).sort());
    expect(optionStreams.sort()).toEqual([
      'activity_field_options', 'deal_field_options', 'organization_field_options', 'person_field_options', 'product_field_options',
    ]);
  });

  it('compile with ajv (draft-07) and accept an empty record with custom fields', () => {
    const ajv = new Ajv({ strict: false });
    for (const [def, schema] of schemas) {
      expect(schema['$schema'], def.name).toBe('http://json-schema.org/draft-07/schema#');
      expect(schema['type'], def.name).toBe('object');
      const validate = ajv.compile(schema);
      expect(validate({ ['a'.repeat(40)]: 'custom', custom_fields: { x: 1 } }), def.name).toBe(true);
    }
  });

  it('have no $ref, allOf, anyOf, oneOf or not anywhere', () => {
    for (const [def, schema] of schemas) {
      const text = JSON.stringify(schema);
      for (const key of ['$ref', 'allOf', 'anyOf', 'oneOf', 'not']) expect(text, `${def.name}: ${key}`).not.toContain(`"${key}":`);
    }
  });

  it('leave every object open (additionalProperties: true)', () => {
    for (const [def, schema] of schemas) {
      walk(schema, (node, path) => {
        if (types(node).includes('object') || node['properties'] !== undefined) {
          expect(node['additionalProperties'], `${def.name}: ${path || '(root)'}`).toBe(true);
        }
      });
    }
  });

  it('type as integer every field the spec types as integer', () => {
    for (const [def, schema] of schemas) {
      // The option streams hold the options of the *Fields records: their own test below checks their fields.
      if (def.flatten !== undefined) continue;
      const spec = recordFields(def.api, def.path, def.recordSelector);
      const props = schema['properties'] as Record<string, Node>;
      for (const [key, field] of spec) {
        if (field.type !== 'integer') continue;
        expect(types(props[key] ?? {}), `${def.name}.${key}`).toContain('integer');
        expect(types(props[key] ?? {}), `${def.name}.${key}`).not.toContain('number');
      }
      walk(schema, (node, path) => {
        if (types(node).includes('integer')) expect(types(node), `${def.name}: ${path}`).not.toContain('number');
      });
    }
  });

  it('are nullable everywhere except on primary-key fields', () => {
    for (const [def, schema] of schemas) {
      const keys = new Set(def.primaryKey.map((k) => k.join('.')));
      walk(schema, (node, path) => {
        if (path === '' || keys.has(path) || [...keys].some((k) => k.startsWith(`${path}.`)) || types(node).length === 0) return;
        expect(types(node), `${def.name}: ${path}`).toContain('null');
      });
    }
  });

  it('mark date-time on timestamps; v1 naive timestamps (CONTRACT §5) also carry airbyte_type timestamp_without_timezone', () => {
    for (const [def, schema] of schemas) {
      walk(schema, (node, path) => {
        if (node['format'] === 'date-time' && def.api === 'v1' && path !== '_ab_cdc_deleted_at' && node['airbyte_type'] === undefined) {
          expect(V1_RFC3339[def.name] ?? [], `${def.name}: ${path} is date-time`).toContain(path);
        }
        if (node['airbyte_type'] !== undefined) {
          expect(node['airbyte_type'], `${def.name}: ${path}`).toBe('timestamp_without_timezone');
          expect(node['format'], `${def.name}: ${path}`).toBe('date-time');
          expect(def.api, `${def.name}: ${path} naive in a v2 stream`).toBe('v1');
        }
        if (node['format'] !== undefined) {
          expect(['date-time', 'date'], `${def.name}: ${path}`).toContain(node['format']);
          // Primary-key timestamps (the change logs' `time`) are never null.
          const pk = def.primaryKey.some((k) => k.join('.') === path);
          expect(types(node), `${def.name}: ${path}`).toEqual(pk ? ['string'] : ['string', 'null']);
        }
      });
    }
  });

  it('give every cursor field a timestamp type', () => {
    for (const [def, schema] of schemas) {
      if (def.cursorField === undefined) continue;
      const field = (schema['properties'] as Record<string, Node>)[def.cursorField] ?? {};
      if (def.api === 'v2') expect(field['format'], def.name).toBe('date-time');
      else expect(field['format'], def.name).toBe('date-time');
    }
  });

  it('let deals carry _ab_cdc_deleted_at and v2 entities their custom_fields', () => {
    const deals = schemas.find(([d]) => d.name === 'deals')?.[1];
    expect((deals?.['properties'] as Record<string, Node>)['_ab_cdc_deleted_at']).toMatchObject({ type: ['string', 'null'], format: 'date-time' });
    for (const name of ['deals', 'deals_archived', 'persons', 'organizations', 'products', 'projects']) {
      const schema = schemas.find(([d]) => d.name === name)?.[1];
      expect((schema?.['properties'] as Record<string, Node>)['custom_fields'], name).toMatchObject({ additionalProperties: true });
    }
  });

  it('declare the fields real accounts send that the spec lacks (overrides), typed from what they hold', () => {
    const want: [string, string[], string][] = [
      ['activities', ['private'], 'boolean'],
      ['organizations', ['address', 'formatted_address'], 'string'],
      ['users', ['is_admin'], 'integer'],
      ['users', ['signup_flow_variation'], 'string'],
      ['roles', ['description'], 'string'],
      ['files', ['log_id'], 'integer'],
      ['files', ['people_name'], 'string'],
      ['notes', ['lead'], 'object'],
      ['notes', ['lead', 'title'], 'string'],
      ['permission_set_assignments', ['permission_set_app'], 'string'],
      ['permission_set_assignments', ['permission_set_type'], 'string'],
      ['goals', ['expected_outcome', 'currency_id'], 'integer'],
    ];
    for (const [stream, path, type] of want) {
      let node: Node | undefined = { properties: props(stream) };
      for (const key of path) node = (node?.['properties'] as Record<string, Node> | undefined)?.[key];
      expect(node, `${stream}.${path.join('.')}`).toBeDefined();
      expect(types(node!), `${stream}.${path.join('.')}`).toEqual([type, 'null']);
      // Not in the spec's response schema (as emulator/meta.json holds it): the override is what declares it.
      const def = allStreams.find((d) => d.name === stream)!;
      let spec: FieldNode | undefined = recordNode(def.api, def.path, def.recordSelector?.split('.')[1]);
      for (const key of path) spec = spec?.p?.[key];
      expect(spec, `${stream}.${path.join('.')} in the spec`).toBeUndefined();
    }
  });

  it('declare every include_fields value of deals, deals_archived, persons and organizations with its type', () => {
    expect(allStreams.filter((d) => d.includeFields !== undefined).map((d) => d.name)).toEqual(['activities', 'deals', 'deals_archived', 'organizations', 'persons']);
    expect(props('activities')['attendees']).toMatchObject({ type: ['array', 'null'] });
    for (const name of ['deals', 'deals_archived', 'persons', 'organizations']) {
      const def = allStreams.find((d) => d.name === name)!;
      const values = endpointMeta(def.api, def.path).params.find((q) => q.name === 'include_fields')?.enum as string[];
      expect(values.length, name).toBeGreaterThan(10);
      const p = props(name);
      for (const v of values) {
        expect(p[v], `${name}.${v}`).toBeDefined();
        const t = types(p[v]!);
        if (v.endsWith('_count')) expect(t, `${name}.${v}`).toEqual(['integer', 'null']);
        else if (v === 'source_lead_id' || v === 'smart_bcc_email' || v === 'marketing_status' || v === 'doi_status') expect(t, `${name}.${v}`).toEqual(['string', 'null']);
        else if (v.endsWith('_id')) expect(t, `${name}.${v}`).toEqual(['integer', 'null']);
        else if (v.endsWith('_time')) expect(p[v], `${name}.${v}`).toMatchObject({ type: ['string', 'null'], format: 'date-time' });
        else throw new Error(`${name}.${v}: no expected type`);
      }
    }
    expect(Object.keys(props('deals'))).toContain('last_incoming_mail_time');
    expect(Object.keys(props('organizations'))).toContain('people_count');
  });

  it('give the change logs the entry fields, the parent id, change_seq and a naive `time`', () => {
    for (const [name, parent] of [['deal_changelog', 'deal_id'], ['person_changelog', 'person_id'], ['organization_changelog', 'organization_id']] as const) {
      const p = props(name);
      expect(Object.keys(p).sort(), name).toEqual(
        ['actor_user_id', 'change_seq', 'change_source', 'change_source_user_agent', 'field_key', 'is_bulk_update_flag', 'new_value', 'old_value', parent, 'time'].sort(),
      );
      expect(p[parent]).toMatchObject({ type: 'integer' });
      expect(p['change_seq']).toMatchObject({ type: 'integer' });
      expect(p['time']).toMatchObject({ type: 'string', format: 'date-time', airbyte_type: 'timestamp_without_timezone' });
      expect(types(p['old_value']!)).toEqual(['string', 'null']);
      expect(types(p['actor_user_id']!)).toEqual(['integer', 'null']);
    }
  });

  it('give the option streams the option fields of the *Fields endpoints plus field_key', () => {
    for (const name of optionStreams) {
      const p = props(name);
      expect(Object.keys(p).sort(), name).toEqual(['add_time', 'color', 'field_key', 'id', 'label', 'update_time']);
      expect(p['field_key']).toMatchObject({ type: 'string' });
      expect(types(p['id']!).sort()).toEqual(['integer', 'string']);
      expect(p['update_time']).toMatchObject({ type: ['string', 'null'], format: 'date-time' });
    }
  });
});
