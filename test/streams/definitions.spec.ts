import { describe, expect, it } from 'vitest';
import { allStreams, loadSchema, streamByName } from '../../streams/index.js';
import type { StreamDefinition } from '../../streams/types.js';
import { getOperation, isNode, queryParams, recordFields } from '../helpers/openapi.js';

/** CONTRACT §5. */
const CONTRACT_STREAMS = [
  'activities', 'activity_fields', 'activity_types', 'currencies', 'deal_fields', 'deal_products', 'deals', 'files',
  'filters', 'goals', 'lead_labels', 'leads', 'notes', 'organization_fields', 'organizations', 'permission_sets',
  'person_fields', 'persons', 'pipelines', 'product_fields', 'products', 'roles', 'stages', 'users', 'mail',
];

/** CONTRACT §5: full refresh only because the records have no timestamp at all. */
const CONTRACT_NO_TIMESTAMP = ['currencies', 'goals', 'permission_sets', 'roles'];

/** Further streams whose records carry no modification time (checked against their schemas below). */
const EXTRA_NO_MODIFICATION_TIME = ['call_logs', 'deal_installments', 'lead_sources', 'legacy_teams', 'permission_set_assignments'];

/** CONTRACT §4: entities with v2 list endpoints; their v1 lists are out of support. */
const V2_ENTITIES = [
  'deals', 'deals_archived', 'persons', 'organizations', 'activities', 'products', 'pipelines', 'stages', 'deal_products',
  'activity_fields', 'deal_fields', 'organization_fields', 'person_fields', 'product_fields',
];

/** v1 list endpoints out of support since 2026-08-01: never read. */
const V1_OUT_OF_SUPPORT = [
  '/deals', '/deals/archived', '/persons', '/organizations', '/activities', '/products', '/pipelines', '/stages',
  '/activityFields', '/dealFields', '/organizationFields', '/personFields', '/productFields', '/projectFields',
  '/projects', '/projectTemplates', '/tasks', '/projects/boards', '/projects/phases',
];

const SERVER_INCREMENTAL = ['activities', 'deals', 'deals_archived', 'leads', 'notes', 'organizations', 'persons', 'products'];

function pathsOf(def: StreamDefinition): string[] {
  return [def.path, ...(def.extraPaths ?? [])];
}

function schemaOf(def: StreamDefinition): Record<string, unknown> {
  return loadSchema(def);
}

/** The schema of a (possibly nested) field, or undefined. */
function fieldSchema(def: StreamDefinition, path: readonly string[]): Record<string, unknown> | undefined {
  let node: unknown = schemaOf(def);
  for (const key of path) {
    const props: unknown = isNode(node) ? node['properties'] : undefined;
    node = isNode(props) ? props[key] : undefined;
  }
  return isNode(node) ? node : undefined;
}

describe('stream definitions', () => {
  it('include every CONTRACT stream', () => {
    const names = new Set(allStreams.map((s) => s.name));
    for (const name of CONTRACT_STREAMS) expect(names, name).toContain(name);
  });

  it('have unique snake_case names, listed in name order, found by streamByName', () => {
    const names = allStreams.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[a-z][a-z0-9]*(_[a-z0-9]+)*$/);
    expect(names).toEqual([...names].sort());
    for (const def of allStreams) expect(streamByName(def.name)).toBe(def);
    expect(streamByName('nope')).toBeUndefined();
  });

  it('read every path with a GET the spec of their API has, at its x-token-cost', () => {
    for (const def of allStreams) {
      for (const path of pathsOf(def)) {
        const op = getOperation(def.api, path);
        expect(op, `${def.name}: ${def.api} GET ${path}`).toBeDefined();
        expect(op?.['deprecated'] === true && def.name !== 'legacy_teams', `${def.name} uses a deprecated endpoint`).toBe(false);
        expect(def.tokenCost, `${def.name} tokenCost`).toBe(op?.['x-token-cost']);
      }
      if (def.estimate) {
        const op = getOperation(def.estimate.api, def.estimate.path);
        expect(op, `${def.name}: estimate ${def.estimate.api} GET ${def.estimate.path}`).toBeDefined();
        expect(def.estimate.tokenCost, `${def.name} estimate tokenCost`).toBe(op?.['x-token-cost']);
      }
    }
  });

  it('use API v2 with cursor paging and pageSize 500 for the entities that have it', () => {
    for (const name of V2_ENTITIES) {
      const def = streamByName(name);
      expect(def?.api, name).toBe('v2');
      expect(def?.paging.kind, name).toBe('cursor');
      expect(def?.pageSize, name).toBe(500);
    }
    for (const def of allStreams.filter((s) => s.api === 'v2' && s.paging.kind === 'cursor')) {
      expect(def.pageSize, def.name).toBe(500);
    }
  });

  it('read from v1 only what v2 does not list, and never an out-of-support v1 list', () => {
    for (const def of allStreams.filter((s) => s.api === 'v1')) {
      for (const path of pathsOf(def)) {
        expect(V1_OUT_OF_SUPPORT, def.name).not.toContain(path);
        expect(getOperation('v2', path), `${def.name}: v2 has ${path}`).toBeUndefined();
      }
    }
  });

  it('page the way the spec allows, with the largest page size it allows', () => {
    for (const def of allStreams) {
      for (const path of pathsOf(def)) {
        const params = queryParams(def.api, path);
        const where = `${def.name} ${path}`;
        if (def.paging.kind === 'cursor') expect(params.has('cursor'), where).toBe(true);
        if (def.paging.kind === 'offset') expect(params.has('start'), where).toBe(true);
        if (def.paging.kind === 'none') {
          expect(params.has('cursor') || params.has('start'), where).toBe(false);
          expect(def.pageSize, where).toBeUndefined();
        } else {
          expect(params.has('limit'), where).toBe(true);
          const limit = params.get('limit');
          const text = String(limit?.description ?? '');
          const documented = typeof limit?.maximum === 'number'
            ? limit.maximum
            : Number(/(?:maximum value of|upper limit is) (\d+)/.exec(text)?.[1] ?? 500);
          expect(def.pageSize, where).toBe(Math.min(documented, def.name === 'mail_threads' ? 50 : 500));
        }
      }
    }
  });

  it('read every stream incrementally whose records carry a modification time, and the rest in full', () => {
    const none = allStreams.filter((s) => s.incremental === 'none').map((s) => s.name).sort();
    // Field definitions and their options are small dimension tables: a full read costs one page, and only a full
    // read sees a deleted option or field.
    const fields = allStreams.filter((s) => s.name.endsWith('_fields') || s.name.endsWith('_field_options')).map((s) => s.name);
    expect(none).toEqual([...CONTRACT_NO_TIMESTAMP, ...fields, ...EXTRA_NO_MODIFICATION_TIME].sort());
    for (const name of EXTRA_NO_MODIFICATION_TIME) {
      const def = streamByName(name);
      if (!def) throw new Error(name);
      const props = Object.keys(schemaOf(def)['properties'] as object);
      expect(props.filter((p) => /update|modif|change/.test(p)), name).toEqual([]);
    }
    for (const def of allStreams) {
      if (def.incremental === 'none') expect(def.cursorField, def.name).toBeUndefined();
      else expect(def.cursorField, def.name).toBeTypeOf('string');
    }
  });

  it('filter on the server exactly where the API has updated_since', () => {
    const server = allStreams.filter((s) => s.incremental === 'server').map((s) => s.name).sort();
    expect(server).toEqual(SERVER_INCREMENTAL);
    for (const def of allStreams.filter((s) => s.incremental === 'server')) {
      const params = queryParams(def.api, def.path);
      expect(def.cursorField).toBe('update_time');
      expect(def.fanOut).toBeUndefined();
      if (def.api === 'v2') {
        expect(def.serverParams, def.name).toEqual({ since: 'updated_since', sort: { sort_by: 'update_time', sort_direction: 'asc' } });
        const sortBy = params.get('sort_by');
        expect(sortBy?.enum, def.name).toContain('update_time');
      } else {
        expect(def.serverParams, def.name).toEqual({ since: 'updated_since', sort: { sort: 'update_time ASC' } });
      }
      for (const name of Object.keys({ [def.serverParams?.since ?? '']: 1, ...def.serverParams?.sort })) {
        expect(params.has(name), `${def.name} has no query parameter ${name}`).toBe(true);
      }
    }
    for (const def of allStreams.filter((s) => s.incremental === 'client' && !s.fanOut)) {
      expect(queryParams(def.api, def.path).has('updated_since'), `${def.name} could filter on the server`).toBe(false);
    }
  });

  it('read deleted deals with the deals', () => {
    expect(streamByName('deals')?.params).toEqual({ status: 'open,won,lost,deleted' });
    expect(streamByName('deals')?.path).toBe('/deals');
    expect(streamByName('deals_archived')?.path).toBe('/deals/archived');
  });

  it('have their cursor field and primary key fields in their schema', () => {
    for (const def of allStreams) {
      expect(def.primaryKey.length, def.name).toBeGreaterThan(0);
      for (const key of def.primaryKey) {
        const field = fieldSchema(def, key);
        expect(field, `${def.name}: primary key ${key.join('.')}`).toBeDefined();
        expect([field?.['type']].flat(), `${def.name}: primary key ${key.join('.')} nullable`).not.toContain('null');
      }
      if (def.cursorField !== undefined) {
        expect(fieldSchema(def, [def.cursorField]), `${def.name}: cursor ${def.cursorField}`).toBeDefined();
      }
    }
  });

  it('fan out from their parents as planned', () => {
    const deals = streamByName('deals');
    const skipParentOn = [403, 404, 410];
    const fan = (name: string) => streamByName(name)?.fanOut;
    for (const name of ['deal_products', 'deal_installments']) {
      expect(fan(name), name).toEqual({ parent: deals, batchSize: 100, param: 'deal_ids', skipParentOn });
      const ids = queryParams('v2', streamByName(name)?.path ?? '').get('deal_ids');
      expect(String(ids?.description), name).toContain('maximum of 100');
    }
    expect(fan('deal_flow')).toEqual({ parent: deals, batchSize: 1, skipParentOn });
    for (const [name, parent, parentIdField] of [['deal_changelog', 'deals', 'deal_id'], ['person_changelog', 'persons', 'person_id'], ['organization_changelog', 'organizations', 'organization_id']] as const) {
      expect(fan(name), name).toEqual({ parent: streamByName(parent), batchSize: 1, skipParentOn, parentIdField });
    }
    expect(fan('mail')).toEqual({ parent: streamByName('mail_threads'), batchSize: 1, skipParentOn });
    expect(fan('permission_set_assignments')).toEqual({ parent: streamByName('permission_sets'), batchSize: 1, skipParentOn });
    expect(fan('phases')).toEqual({ parent: streamByName('boards'), batchSize: 1, param: 'board_id', skipParentOn });
    expect(queryParams('v2', '/phases').get('board_id')?.required).toBe(true);
    expect(streamByName('mail_threads')?.partitions).toEqual(
      ['inbox', 'drafts', 'sent', 'archive'].map((folder) => ({ folder })),
    );
    for (const def of allStreams) {
      const f = def.fanOut;
      if (!f) {
        expect(def.path, def.name).not.toContain('{id}');
        continue;
      }
      expect(allStreams, `${def.name}: parent is a catalog stream`).toContain(f.parent);
      if (f.batchSize === 1 && f.param === undefined) expect(def.path, def.name).toContain('{id}');
      else expect(def.path, def.name).not.toContain('{id}');
    }
  });

  it('add the parent id and the sequence only where one request holds one parent', () => {
    for (const def of allStreams) {
      if (def.fanOut?.parentIdField !== undefined || def.sequence !== undefined) {
        expect(def.fanOut?.batchSize, def.name).toBe(1);
        expect(def.path, def.name).toContain('{id}');
      }
      if (def.sequence !== undefined) {
        // The sequence completes a key that holds the parent and its group.
        const key = def.primaryKey.map((k) => k.join('.'));
        expect(key, def.name).toEqual([def.fanOut?.parentIdField, ...def.sequence.groupBy, def.sequence.field]);
      }
    }
    expect(allStreams.filter((d) => d.sequence !== undefined).map((d) => d.name)).toEqual(['deal_changelog', 'organization_changelog', 'person_changelog']);
  });

  it('read the change logs with the cursor paging of their v1 endpoints, 20 tokens a page, by change time', () => {
    for (const name of ['deal_changelog', 'person_changelog', 'organization_changelog']) {
      const def = streamByName(name) as StreamDefinition;
      const params = queryParams('v1', def.path);
      expect([...params.keys()].sort(), name).toEqual(['cursor', 'limit']);
      expect(def.paging, name).toEqual({ kind: 'cursor' });
      expect(def).toMatchObject({ api: 'v1', cursorField: 'time', incremental: 'client', tokenCost: 20 });
      expect(fieldSchema(def, ['time'])).toMatchObject({ airbyte_type: 'timestamp_without_timezone' });
    }
  });

  it('flatten the options of the *Fields lists into the option streams', () => {
    const options = allStreams.filter((d) => d.flatten !== undefined);
    expect(options.map((d) => d.name)).toEqual(['activity_field_options', 'deal_field_options', 'organization_field_options', 'person_field_options', 'product_field_options']);
    for (const def of options) {
      const fields = streamByName(def.name.replace('_field_options', '_fields')) as StreamDefinition;
      expect({ api: def.api, path: def.path, paging: def.paging, pageSize: def.pageSize, tokenCost: def.tokenCost }, def.name)
        .toEqual({ api: fields.api, path: fields.path, paging: fields.paging, pageSize: fields.pageSize, tokenCost: fields.tokenCost });
      expect(def.flatten).toEqual({ items: 'options', parentKey: 'field_code', as: 'field_key' });
      expect(def.primaryKey).toEqual([['field_key'], ['id']]);
      expect(recordFields('v2', def.path).has('options'), def.name).toBe(true);
    }
  });

  it('ask for every include_fields value of the record lists whose endpoint has them', () => {
    for (const def of allStreams) {
      const values = queryParams(def.api, def.path).get('include_fields')?.enum as string[] | undefined;
      // The *Fields lists' include_fields add field metadata (ui_visibility, …), not record fields.
      if (values === undefined || def.path.endsWith('Fields')) {
        expect(def.includeFields, def.name).toBeUndefined();
        continue;
      }
      expect(def.includeFields, def.name).toEqual(values);
    }
    expect(allStreams.filter((d) => d.includeFields).map((d) => d.name)).toEqual(['activities', 'deals', 'deals_archived', 'organizations', 'persons']);
  });

  it('read projects from both the active and the archived list', () => {
    expect(pathsOf(streamByName('projects') as StreamDefinition)).toEqual(['/projects', '/projects/archived']);
  });
});
