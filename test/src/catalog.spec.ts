import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { protocolValidator } from '../helpers/protocol.js';
import { parseCatalog, readCatalogFile } from '../../src/catalog.js';
import { ConfigError } from '../../src/errors.js';

const NAMES = [
  'activities', 'activity_fields', 'activity_types', 'currencies', 'deal_fields', 'deal_products', 'deals', 'files',
  'filters', 'goals', 'lead_labels', 'leads', 'notes', 'organization_fields', 'organizations', 'permission_sets',
  'person_fields', 'persons', 'pipelines', 'product_fields', 'products', 'roles', 'stages', 'users', 'mail',
];
const FULL_REFRESH_ONLY = new Set(['currencies', 'roles', 'permission_sets', 'goals']);
const known = new Map(NAMES.map((n) => [n, { supportsIncremental: !n.endsWith('_fields') && !FULL_REFRESH_ONLY.has(n) }]));

const configured = (name: string, sync_mode: unknown = 'full_refresh', extra: Record<string, unknown> = {}) => ({
  stream: { name, json_schema: {}, supported_sync_modes: ['full_refresh', 'incremental'] },
  sync_mode,
  destination_sync_mode: 'append',
  ...extra,
});

describe('parseCatalog', () => {
  it('returns the configured streams in the given order', () => {
    const catalog = {
      streams: [
        configured('persons', 'incremental', { cursor_field: ['update_time'], primary_key: [['id']] }),
        configured('currencies'),
        configured('deals', 'incremental'),
      ],
    };
    const result = parseCatalog(catalog, known);
    expect(result.map((s) => [s.stream.name, s.sync_mode])).toEqual([['persons', 'incremental'], ['currencies', 'full_refresh'], ['deals', 'incremental']]);
    expect(result[0]).toEqual(catalog.streams[0]);
    expect(result[0]).not.toBe(catalog.streams[0]);
  });

  it('accepts a catalog valid against ConfiguredAirbyteCatalog of the protocol', () => {
    const validate = protocolValidator('ConfiguredAirbyteCatalog');
    const catalog = { streams: [configured('deals', 'incremental', { cursor_field: ['update_time'] })] };
    expect(validate(catalog), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ streams: [configured('deals', 'sometimes')] }), 'the validator checks sync_mode').toBe(false);
    expect(parseCatalog(catalog, known)).toHaveLength(1);
  });

  it('accepts an empty streams array and JSON text', () => {
    expect(parseCatalog({ streams: [] }, known)).toEqual([]);
    expect(parseCatalog(JSON.stringify({ streams: [configured('users')] }), known)).toHaveLength(1);
  });

  it('rejects an unknown stream, listing known names (shortened) and suggesting a close one', () => {
    const err = (() => {
      try {
        parseCatalog({ streams: [configured('deal')] }, known);
      } catch (e) {
        return e as Error;
      }
      throw new Error('no error');
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toMatch(/^--catalog: unknown stream 'deal'\. Did you mean 'deals'\? Known streams: activities, activity_fields, /);
    expect(err.message).toContain(`… (${NAMES.length} in all)`);
    expect(err.message).not.toContain('users');
    expect(() => parseCatalog({ streams: [configured('tickets')] }, known)).toThrow(/^--catalog: unknown stream 'tickets'\. Known streams: activities/);
  });

  it.each<[string, unknown, RegExp]>([
    ['null', null, /^--catalog: expected a ConfiguredAirbyteCatalog, a JSON object with a 'streams' array$/],
    ['an array', [configured('deals')], /^--catalog: expected a ConfiguredAirbyteCatalog/],
    ['no streams', { }, /^--catalog: expected a ConfiguredAirbyteCatalog/],
    ['streams not an array', { streams: { deals: {} } }, /^--catalog: expected a ConfiguredAirbyteCatalog/],
    ['not JSON', '{"streams": [', /^--catalog is not valid JSON/],
    ['a stream entry that is not an object', { streams: ['deals'] }, /^--catalog: streams\[0\] must be an object$/],
    ['a stream without a name', { streams: [{ stream: {}, sync_mode: 'full_refresh' }] }, /^--catalog: streams\[0\] has no stream\.name$/],
    ['a missing sync_mode', { streams: [{ stream: { name: 'deals' } }] }, /^--catalog: stream 'deals' has sync_mode \(missing\): expected 'full_refresh' or 'incremental'$/],
    ['an unknown sync_mode', { streams: [configured('deals', 'cdc')] }, /^--catalog: stream 'deals' has sync_mode 'cdc': expected 'full_refresh' or 'incremental'$/],
    ['incremental on a full-refresh-only stream', { streams: [configured('currencies', 'incremental')] }, /^--catalog: stream 'currencies' does not support incremental sync: use sync_mode 'full_refresh'$/],
    ['incremental on a *_fields stream', { streams: [configured('deal_fields', 'incremental')] }, /^--catalog: stream 'deal_fields' does not support incremental sync/],
    ['a duplicate stream', { streams: [configured('deals'), configured('users'), configured('deals', 'incremental')] }, /^--catalog: stream 'deals' is listed more than once$/],
  ])('rejects %s', (_name, raw, expected) => {
    expect(() => parseCatalog(raw, known)).toThrow(ConfigError);
    expect(() => parseCatalog(raw, known)).toThrow(expected);
  });
});

describe('readCatalogFile', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'catalog-'));

  it('reads a catalog file', () => {
    const file = path.join(dir, 'catalog.json');
    writeFileSync(file, JSON.stringify({ streams: [configured('deals', 'incremental')] }));
    expect(readCatalogFile(file, known).map((s) => s.stream.name)).toEqual(['deals']);
  });

  it('names --catalog for a missing, empty or non-JSON file', () => {
    expect(() => readCatalogFile(path.join(dir, 'missing.json'), known)).toThrow(/^--catalog: file '.*missing\.json' does not exist$/);
    const empty = path.join(dir, 'empty.json');
    writeFileSync(empty, '');
    expect(() => readCatalogFile(empty, known)).toThrow(/^--catalog: file '.*empty\.json' is not valid JSON/);
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, 'streams: []');
    expect(() => readCatalogFile(bad, known)).toThrow(/^--catalog: file '.*bad\.json' is not valid JSON/);
  });
});
