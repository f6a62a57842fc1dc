/**
 * scripts/schemas.ts on a synthetic OpenAPI pair (the real specs are not part of the repository; `.ci/run` checks the
 * committed schemas against them): every stream's endpoint answers records with an `id` only, so everything else a
 * schema declares comes from the generator, and what `npm run schemas` prints must name it.
 */
import { describe, expect, it } from 'vitest';
import { allStreams } from '../../streams/index.js';
import type { ApiVersion } from '../../streams/types.js';
import { SpecReader, declaredReport, schemaFiles } from '../../scripts/schemas.js';
import { EXTRA_FIELDS } from '../../scripts/schema-overrides.js';

type Node = Record<string, unknown>;

/** A spec with every path the streams of `api` read, each answering records `{id: integer}` at the stream's selector. */
function syntheticSpec(api: ApiVersion): Node {
  const paths: Node = {};
  // The option streams read the same endpoints as the *_fields streams: those records hold options.
  const flattened = new Map(allStreams.filter((d) => d.api === api && d.flatten).map((d) => [d.path, d.flatten]));
  for (const def of allStreams.filter((d) => d.api === api)) {
    const flatten = flattened.get(def.path);
    const item: Node = flatten
      ? { type: 'object', properties: { field_code: { type: 'string' }, [flatten.items]: { type: 'array', items: { type: 'object', properties: { id: { type: 'integer' }, label: { type: 'string' } } } } } }
      : { type: 'object', properties: { id: { type: 'integer' } } };
    const [first, second] = (def.recordSelector ?? 'data').split('.');
    const records: Node = { type: 'array', items: item };
    const data = second === undefined ? records : { type: 'object', properties: { [second]: records } };
    const parameters = def.includeFields ? [{ in: 'query', name: 'include_fields', schema: { type: 'string', enum: [...def.includeFields] } }] : [];
    for (const path of [def.path, ...(def.extraPaths ?? [])]) {
      paths[path] = { get: { parameters, responses: { '200': { content: { 'application/json': { schema: { type: 'object', properties: { [first as string]: data } } } } } } } };
    }
  }
  return { openapi: '3.0.1', info: { title: `synthetic ${api}`, version: '0' }, paths };
}

const notes: string[] = [];
const files = schemaFiles({ v1: new SpecReader('v1', syntheticSpec('v1')), v2: new SpecReader('v2', syntheticSpec('v2')) }, notes);
const report = declaredReport(notes);
const schemaOf = (name: string): Node => JSON.parse(files.get(`${name}.json`) ?? '{}') as Node;
const line = (stream: string, source: string): string => report.split('\n').find((l) => l.startsWith(`  ${stream}: ${source}: `)) ?? '';

describe('npm run schemas: what it declares beyond the OpenAPI response schemas, and says so', () => {
  it('prints every override of scripts/schema-overrides.ts under its stream (issue 14 item 6 among them)', () => {
    const item6 = [
      'activities.private', 'organizations.address.formatted_address', 'users.is_admin', 'users.signup_flow_variation', 'roles.description',
      'files.log_id', 'files.people_name', 'notes.lead', 'permission_set_assignments.permission_set_app',
      'permission_set_assignments.permission_set_type', 'goals.expected_outcome.currency_id',
    ];
    const declared = Object.entries(EXTRA_FIELDS).flatMap(([stream, overrides]) => overrides.map((o) => `${stream}.${o.path.join('.')}`));
    for (const field of item6) expect(declared, field).toContain(field);
    for (const [stream, overrides] of Object.entries(EXTRA_FIELDS)) {
      for (const o of overrides) {
        const source = stream === 'deals' && o.path[0] === '_ab_cdc_deleted_at' ? 'kept (already declared)' : 'overrides';
        expect(line(stream, source), `${stream}.${o.path.join('.')}`).toContain(o.path.join('.'));
        // And the schema has it, typed as the override says.
        let node: unknown = schemaOf(stream);
        for (const key of o.path) node = ((node as Node)['properties'] as Node | undefined)?.[key];
        expect(node, `${stream}.${o.path.join('.')}`).toMatchObject({ type: o.schema['type'] });
      }
    }
  });

  it('prints the include_fields values and the fields the engine adds (parent id, change_seq, flattened key)', () => {
    for (const def of allStreams.filter((d) => d.includeFields)) {
      // `attendees` is not in this synthetic response schema either: it is declared from the definition.
      expect(line(def.name, 'include_fields'), def.name).toBe(`  ${def.name}: include_fields: ${def.includeFields?.join(', ')}`);
    }
    for (const [name, parent] of [['deal_changelog', 'deal_id'], ['person_changelog', 'person_id'], ['organization_changelog', 'organization_id']]) {
      expect(line(name as string, 'connector')).toBe(`  ${name}: connector: ${parent}, change_seq`);
      const props = schemaOf(name as string)['properties'] as Node;
      // Typed as the parent's key (here: the synthetic parent list's integer id), never null: both are primary-key fields.
      expect(props[parent as string]).toMatchObject({ type: 'integer' });
      expect(props['change_seq']).toMatchObject({ type: 'integer' });
      expect(String((props['change_seq'] as Node)['description'])).toMatch(/older records of the same parent/);
    }
    for (const def of allStreams.filter((d) => d.flatten)) {
      expect(line(def.name, 'connector')).toBe(`  ${def.name}: connector: field_key`);
      expect(Object.keys(schemaOf(def.name)['properties'] as Node).sort()).toEqual(['field_key', 'id', 'label']);
    }
  });

  it('lists nothing for a stream whose schema is all from the spec, and sorts the lines', () => {
    expect(report.startsWith('declared fields not taken from the OpenAPI response schemas:\n')).toBe(true);
    const lines = report.trim().split('\n').slice(1);
    expect(lines).toEqual([...lines].sort((a, b) => a.localeCompare(b)));
    expect(lines.some((l) => l.startsWith('  currencies: '))).toBe(false);
    expect(declaredReport(['x: something else'])).toBe('note: x: something else\ndeclared fields not taken from the OpenAPI response schemas:\n');
  });

  it('rejects an includeFields value the endpoint does not offer', () => {
    const spec = syntheticSpec('v2');
    const deals = (spec['paths'] as Node)['/deals'] as { get: { parameters: { schema: { enum: string[] } }[] } };
    deals.get.parameters[0]!.schema.enum = ['activities_count'];
    expect(() => schemaFiles({ v1: new SpecReader('v1', syntheticSpec('v1')), v2: new SpecReader('v2', spec) })).toThrow(/deals: includeFields value 'next_activity_id' is not in the include_fields enum of v2 GET \/deals/);
  });
});
