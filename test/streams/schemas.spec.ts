import { readdirSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { allStreams, loadSchema, packageRoot } from '../../streams/index.js';
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

const schemas = allStreams.map((def) => [def, loadSchema(def)] as const);

describe('stream schemas', () => {
  it('exist for every stream, and only for streams', () => {
    const files = readdirSync(new URL('streams/schemas/', packageRoot())).filter((f) => f.endsWith('.json')).sort();
    expect(files).toEqual(allStreams.map((d) => `${d.schema ?? d.name}.json`).sort());
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
          expect(types(node), `${def.name}: ${path}`).toEqual(['string', 'null']);
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
});
