/** The built CLI, spawned as users run it: spec, discover and every bad-input case (no network needed). */
import { describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';
import ajvFormats from 'ajv-formats';
import { runCli, tempFiles, ofType } from '../../helpers/cli.js';
import { repoRoot } from '../../helpers/protocol.js';
import { runShell } from '../../helpers/shell.js';
import { allStreams } from '../../../streams/index.js';

const token = 'cli-secret-token-9f8e';
const good = { credentials: { auth_type: 'api_token', api_token: token }, api_url: 'http://127.0.0.1:9' };
const catalog = { streams: [{ stream: { name: 'deals', json_schema: {}, supported_sync_modes: ['full_refresh', 'incremental'] }, sync_mode: 'incremental', destination_sync_mode: 'append' }] };

const CONTRACT_STREAMS = ['activities', 'activity_fields', 'activity_types', 'currencies', 'deal_fields', 'deal_products', 'deals', 'files', 'filters', 'goals', 'lead_labels', 'leads', 'notes', 'organization_fields', 'organizations', 'permission_sets', 'person_fields', 'persons', 'pipelines', 'product_fields', 'products', 'roles', 'stages', 'users', 'mail'];
const FULL_REFRESH_ONLY = new Set(['currencies', 'roles', 'permission_sets', 'goals']);

describe('spec', () => {
  it('prints exactly one SPEC with the OAuth option first and secrets marked', async () => {
    const r = await runCli(['spec']);
    expect(r.code).toBe(0);
    expect(r.messages).toHaveLength(1);
    const spec = r.messages[0]?.['spec'] as { connectionSpecification: { properties: { credentials: { oneOf: Array<{ properties: Record<string, { const?: string; airbyte_secret?: boolean }> }> } } } };
    const options = spec.connectionSpecification.properties.credentials.oneOf;
    expect(options[0]?.properties['auth_type']?.const).toBe('oauth2.0');
    expect(options[1]?.properties['api_token']?.airbyte_secret).toBe(true);
    expect(options[0]?.properties['refresh_token']?.airbyte_secret).toBe(true);
  });
  it('--version and --help work', async () => {
    const v = await runCli(['--version'], { validate: false });
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const h = await runCli(['--help'], { validate: false });
    expect(h.code).toBe(0);
    expect(h.stdout).toContain('discover');
  });
});

describe('discover', () => {
  it('lists every contract stream with keys, cursors and valid draft-07 schemas', async () => {
    const files = tempFiles({ 'config.json': good });
    const r = await runCli(['discover', '--config', files['config.json'] as string]);
    expect(r.code).toBe(0);
    const cat = ofType(r.messages, 'CATALOG')[0]?.['catalog'] as { streams: Array<{ name: string; json_schema: { properties: Record<string, unknown> }; supported_sync_modes: string[]; source_defined_primary_key: string[][]; default_cursor_field?: string[]; source_defined_cursor?: boolean }> };
    const names = cat.streams.map((s) => s.name);
    for (const n of CONTRACT_STREAMS) expect(names).toContain(n);
    expect(names).toHaveLength(allStreams.length);
    const ajv = new Ajv({ strict: false });
    ajvFormats.default(ajv);
    for (const s of cat.streams) {
      expect(s.source_defined_primary_key.length, s.name).toBeGreaterThan(0);
      ajv.compile(s.json_schema);
      expect(JSON.stringify(s.json_schema)).not.toMatch(/"\$ref"|"allOf"|"not"/);
      if (s.supported_sync_modes.includes('incremental')) {
        expect(s.source_defined_cursor).toBe(true);
        const cursor = s.default_cursor_field?.[0] as string;
        expect(s.json_schema.properties[cursor], `${s.name}.${cursor}`).toBeDefined();
      } else {
        expect(FULL_REFRESH_ONLY.has(s.name) || s.name.endsWith('_fields') || !CONTRACT_STREAMS.includes(s.name), s.name).toBe(true);
      }
    }
    for (const n of CONTRACT_STREAMS) {
      const s = cat.streams.find((x) => x.name === n);
      const expectIncremental = !FULL_REFRESH_ONLY.has(n) && !n.endsWith('_fields');
      expect(s?.supported_sync_modes.includes('incremental'), n).toBe(expectIncremental);
    }
  });
  it('migrates a legacy flat config with one CONTROL message first', async () => {
    const files = tempFiles({ 'config.json': { api_token: token, replication_start_date: '2020-01-01T00:00:00Z' } });
    const r = await runCli(['discover', '--config', files['config.json'] as string]);
    expect(r.code).toBe(0);
    expect(r.messages[0]?.type).toBe('CONTROL');
    expect(ofType(r.messages, 'CONTROL')).toHaveLength(1);
    expect((r.messages[0]?.['control'] as { connectorConfig: { config: { credentials: unknown } } }).connectorConfig.config.credentials).toEqual({ auth_type: 'api_token', api_token: token });
  });
});

describe('bad input', () => {
  const cases: Array<[string, Record<string, unknown> | string, unknown, unknown?]> = [
    ['config missing credentials', { api_url: 'http://127.0.0.1:9' }, catalog],
    ['num_workers of the wrong type', { ...good, num_workers: 'three' }, catalog],
    ['num_workers out of range', { ...good, num_workers: 11 }, catalog],
    ['invalid start date', { ...good, replication_start_date: '2021-13-45' }, catalog],
    ['non-loopback http api_url', { ...good, api_url: 'http://example.com' }, catalog],
    ['truncated config JSON', '{"credentials": {"auth_type": "api_token", "api_token": "cli-secret-token-9f8e"', catalog],
    ['unknown stream', good, { streams: [{ stream: { name: 'no_such_stream', json_schema: {}, supported_sync_modes: ['full_refresh'] }, sync_mode: 'full_refresh', destination_sync_mode: 'append' }] }],
    ['invalid sync mode', good, { streams: [{ stream: { name: 'deals', json_schema: {}, supported_sync_modes: ['full_refresh'] }, sync_mode: 'sideways', destination_sync_mode: 'append' }] }],
    ['incremental on a full-refresh-only stream', good, { streams: [{ stream: { name: 'currencies', json_schema: {}, supported_sync_modes: ['full_refresh'] }, sync_mode: 'incremental', destination_sync_mode: 'append' }] }],
    ['catalog that is not JSON', good, 'not json at all'],
    ['malformed state', good, catalog, '[{"type": "STREAM", "stream": 42}]'],
    ['state with a bad cursor date', good, catalog, [{ type: 'STREAM', stream: { stream_descriptor: { name: 'deals' }, stream_state: { update_time: 'yesterday' } } }]],
  ];
  it.each(cases)('read with %s → TRACE config_error, exit 1, no records, no stack', async (_name, cfg, cat, state) => {
    const files = tempFiles({ 'config.json': cfg, 'catalog.json': cat, ...(state !== undefined ? { 'state.json': state } : {}) });
    const args = ['read', '--config', files['config.json'] as string, '--catalog', files['catalog.json'] as string];
    if (state !== undefined) args.push('--state', files['state.json'] as string);
    const r = await runCli(args);
    expect(r.code).toBe(1);
    expect(ofType(r.messages, 'RECORD')).toHaveLength(0);
    const errors = ofType(r.messages, 'TRACE').map((m) => (m['trace'] as { error?: { failure_type: string; message: string } }).error).filter(Boolean);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]?.failure_type).toBe('config_error');
    expect(errors[0]?.message.length).toBeGreaterThan(10);
    expect(r.stdout).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/);
    expect(r.stdout + r.stderr).not.toContain(token);
  });
  it('read without --catalog → TRACE config_error, exit 1', async () => {
    const files = tempFiles({ 'config.json': good });
    const r = await runCli(['read', '--config', files['config.json'] as string]);
    expect(r.code).toBe(1);
    expect((ofType(r.messages, 'TRACE')[0]?.['trace'] as { error: { failure_type: string } }).error.failure_type).toBe('config_error');
  });
  it('check with an invalid config → CONNECTION_STATUS FAILED, exit 0', async () => {
    const files = tempFiles({ 'config.json': { ...good, num_workers: 0 } });
    const r = await runCli(['check', '--config', files['config.json'] as string]);
    expect(r.code).toBe(0);
    expect(r.messages).toHaveLength(1);
    expect(r.messages[0]?.['connectionStatus']).toMatchObject({ status: 'FAILED' });
    expect((r.messages[0]?.['connectionStatus'] as { message: string }).message).toContain('num_workers');
  });
  it('a non-loopback http api_url is refused before any request', async () => {
    const files = tempFiles({ 'config.json': { ...good, api_url: 'http://10.1.2.3' } });
    const r = await runCli(['check', '--config', files['config.json'] as string]);
    expect((r.messages[0]?.['connectionStatus'] as { status: string; message: string })).toMatchObject({ status: 'FAILED' });
    expect((r.messages[0]?.['connectionStatus'] as { message: string }).message).toContain('api_url');
  });
  it('`| head -1` ends quietly with exit 0', async () => {
    const files = tempFiles({ 'config.json': good });
    const r = await runShell(`node bin/source-pipedrive.js discover --config ${files['config.json']} | head -c 10 >/dev/null; echo "\${PIPESTATUS[0]}"`, { cwd: repoRoot });
    expect(r.stdout.trim()).toBe('0');
    expect(r.stderr).not.toMatch(/EPIPE|at .*:\d+:\d+/);
  });
});
