/**
 * End to end: the built CLI over real HTTP against the emulator, compared with its ground truth.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { allStreams } from '../../streams/index.js';
import { runCli, tempFiles, ofType, type CliResult } from '../helpers/cli.js';
import { startTestEmulator, type Emulator } from '../helpers/emulator.js';
import { assertValidRecord } from '../helpers/schemas.js';
import { toIsoCursor } from '../../src/cursor.js';
import { CHANGELOGS, expectedChangelog, type ChangelogStream } from '../helpers/history.js';

const SIZES = { deals: 1200, persons: 700, organizations: 300, activities: 900, notes: 600, products: 120, leads: 200 };
let emu: Emulator;
let files: Record<string, string>;
let full: CliResult;

type Rec = Record<string, unknown>;

/** The ground truth of a stream as the connector keys it (change logs with the change_seq the connector adds). */
const truthOf = (stream: string): Rec[] => (stream in CHANGELOGS ? expectedChangelog(emu, stream as ChangelogStream) : [...emu.groundTruth(stream)]);

const pkOf = (stream: string, r: Rec): string => {
  const def = allStreams.find((d) => d.name === stream);
  return JSON.stringify((def?.primaryKey ?? [['id']]).map((path) => path.reduce<unknown>((o, k) => (o as Rec | undefined)?.[k], r)));
};

function recordsByStream(result: CliResult): Map<string, Rec[]> {
  const m = new Map<string, Rec[]>();
  for (const msg of ofType(result.messages, 'RECORD')) {
    const rec = msg['record'] as { stream: string; data: Rec };
    (m.get(rec.stream) ?? (m.set(rec.stream, []), m.get(rec.stream) as Rec[])).push(rec.data);
  }
  return m;
}

function lastStates(result: CliResult): unknown[] {
  const m = new Map<string, unknown>();
  for (const msg of ofType(result.messages, 'STATE')) {
    const s = msg['state'] as { stream: { stream_descriptor: { name: string } } };
    m.set(s.stream.stream_descriptor.name, s);
  }
  return [...m.values()];
}

const catalogOf = (names: string[], mode: (n: string) => 'incremental' | 'full_refresh') => ({
  streams: names.map((name) => ({
    stream: { name, json_schema: {}, supported_sync_modes: ['full_refresh', 'incremental'] },
    sync_mode: mode(name),
    destination_sync_mode: 'append',
  })),
});

const incrementalNames = new Set(allStreams.filter((d) => d.incremental !== 'none' && d.cursorField).map((d) => d.name));
const all = allStreams.map((d) => d.name);

beforeAll(async () => {
  emu = await startTestEmulator({ seed: 3, sizes: SIZES });
  files = tempFiles({
    'config.json': emu.config({ num_workers: 4 }),
    'catalog.json': catalogOf(all, (n) => (incrementalNames.has(n) ? 'incremental' : 'full_refresh')),
  });
  full = await runCli(['read', '--config', files['config.json'] as string, '--catalog', files['catalog.json'] as string]);
}, 90_000);

afterAll(async () => { await emu?.close(); });

describe('full read against the emulator', () => {
  it('exits 0 with every stream COMPLETE', () => {
    expect(full.code, full.stderr.slice(-2000)).toBe(0);
    for (const name of all) {
      const statuses = ofType(full.messages, 'TRACE')
        .map((m) => m['trace'] as { type: string; stream_status?: { stream_descriptor: { name: string }; status: string } })
        .filter((t) => t.type === 'STREAM_STATUS' && t.stream_status?.stream_descriptor.name === name)
        .map((t) => t.stream_status?.status);
      expect(statuses[0], name).toBe('STARTED');
      expect(statuses.at(-1), name).toBe('COMPLETE');
      expect(statuses, name).toContain('RUNNING');
    }
  });

  it.each(all)('%s equals the ground truth: none lost, none duplicated, each valid against its schema', (stream) => {
    const got = recordsByStream(full).get(stream) ?? [];
    const truth = truthOf(stream);
    const gotKeys = got.map((r) => pkOf(stream, r));
    expect(new Set(gotKeys).size, `${stream} duplicates`).toBe(gotKeys.length);
    expect(new Set(gotKeys)).toEqual(new Set(truth.map((r) => pkOf(stream, r))));
    for (const r of got) assertValidRecord(stream, r);
  });

  it('every stream emits at least one STATE, with recordCount summing to its records', () => {
    const byStream = recordsByStream(full);
    for (const name of all) {
      const states = ofType(full.messages, 'STATE').map((m) => m['state'] as { stream: { stream_descriptor: { name: string } }; sourceStats: { recordCount: number } })
        .filter((s) => s.stream.stream_descriptor.name === name);
      expect(states.length, name).toBeGreaterThan(0);
      expect(states.reduce((a, s) => a + s.sourceStats.recordCount, 0), name).toBe(byStream.get(name)?.length ?? 0);
    }
  });

  it('never sends the API token anywhere but the header, and never prints it', () => {
    const token = (emu.config() as { credentials: { api_token: string } }).credentials.api_token;
    expect(full.stdout).not.toContain(token);
    expect(full.stderr).not.toContain(token);
    expect(emu.requests.every((r) => !Object.values(r.query).includes(token))).toBe(true);
  });

  it('the README jq pipelines work on the output', () => {
    if (spawnSync('jq', ['--version']).status !== 0) throw new Error('jq is not installed (.ci/run installs it)');
    const out = tempFiles({ 'out.jsonl': full.stdout })['out.jsonl'] as string;
    const deals = execFileSync('bash', ['-c', `jq -c 'select(.type == "RECORD" and .record.stream == "deals") | .record.data' ${out} | wc -l`], { encoding: 'utf8', timeout: 20_000, killSignal: 'SIGKILL' });
    expect(Number(deals.trim())).toBe(recordsByStream(full).get('deals')?.length);
    const state = JSON.parse(execFileSync('bash', ['-c', `jq -s '[.[] | select(.type == "STATE") | .state] | group_by(.stream.stream_descriptor.name) | map(last)' ${out}`], { encoding: 'utf8', timeout: 20_000, killSignal: 'SIGKILL' })) as unknown[];
    expect(state).toHaveLength(all.length);
    const errors = execFileSync('bash', ['-c', `jq -c 'select(.type == "TRACE" and .trace.type == "ERROR") | .trace.error' ${out}`], { encoding: 'utf8', timeout: 20_000, killSignal: 'SIGKILL' });
    expect(errors.trim()).toBe('');
    const counts = execFileSync('bash', ['-c', `jq -r 'select(.type == "RECORD") | .record.stream' ${out} | sort | uniq -c`], { encoding: 'utf8', timeout: 20_000, killSignal: 'SIGKILL' });
    expect(counts).toContain(' deals\n');
  });
});

describe('incremental read after changes', () => {
  it('returns the changed and new records, and none older than the state', async () => {
    const states = lastStates(full);
    const before = new Map(allStreams.map((d) => [d.name, new Set(truthOf(d.name).map((r) => pkOf(d.name, r)))]));
    const changes = emu.mutate({ touch: { deals: 25, persons: 10, organizations: 5, notes: 5 }, add: { deals: 7, persons: 3 }, delete: { deals: 3 } });
    const f = tempFiles({ 'state.json': states });
    const inc = await runCli(['read', '--config', files['config.json'] as string, '--catalog', files['catalog.json'] as string, '--state', f['state.json'] as string]);
    expect(inc.code, inc.stderr.slice(-2000)).toBe(0);
    const got = recordsByStream(inc);
    const stateCursor = new Map(states.map((s) => {
      const st = s as { stream: { stream_descriptor: { name: string }; stream_state: Record<string, string> } };
      return [st.stream.stream_descriptor.name, st.stream.stream_state];
    }));
    for (const def of allStreams) {
      if (!incrementalNames.has(def.name) || !def.cursorField) continue;
      const since = stateCursor.get(def.name)?.[def.cursorField];
      const records = got.get(def.name) ?? [];
      // None older than the state.
      for (const r of records) expect((toIsoCursor(r[def.cursorField]) ?? '') >= (since ?? ''), `${def.name} ${pkOf(def.name, r)}`).toBe(true);
      if (def.fanOut) continue;
      // Exactly the ground truth at or after the cursor.
      const want = truthOf(def.name).filter((r) => (toIsoCursor(r[def.cursorField as string]) ?? '') >= (since ?? ''));
      expect(new Set(records.map((r) => pkOf(def.name, r))), def.name).toEqual(new Set(want.map((r) => pkOf(def.name, r))));
    }
    const dealIds = new Set((got.get('deals') ?? []).map((d) => d['id']));
    for (const id of [...(changes.touched['deals'] ?? []), ...(changes.added['deals'] ?? []), ...(changes.deleted['deals'] ?? [])]) expect(dealIds.has(id), `deal ${String(id)}`).toBe(true);
    const deleted = (got.get('deals') ?? []).filter((d) => (changes.deleted['deals'] ?? []).includes(d['id']));
    for (const d of deleted) expect(d['_ab_cdc_deleted_at'], 'deleted deal marked').toBeTruthy();
    const newPersons = (changes.added['persons'] ?? []).map((id) => JSON.stringify([id]));
    for (const k of newPersons) expect(before.get('persons')?.has(k)).toBe(false);
    expect(recordsByStream(inc).get('deals')?.length ?? 0).toBeLessThan(recordsByStream(full).get('deals')?.length ?? 0);
  });

  it('a far-future state returns no records and at least one STATE per stream', async () => {
    const future = allStreams.filter((d) => incrementalNames.has(d.name)).map((d) => ({
      type: 'STREAM', stream: { stream_descriptor: { name: d.name }, stream_state: { [d.cursorField as string]: '2999-01-01T00:00:00Z' } },
    }));
    const names = allStreams.filter((d) => incrementalNames.has(d.name)).map((d) => d.name);
    const f = tempFiles({ 'state.json': future, 'catalog.json': catalogOf(names, () => 'incremental') });
    const r = await runCli(['read', '--config', files['config.json'] as string, '--catalog', f['catalog.json'] as string, '--state', f['state.json'] as string]);
    expect(r.code, r.stderr.slice(-1000)).toBe(0);
    expect(ofType(r.messages, 'RECORD')).toHaveLength(0);
    for (const n of names) {
      expect(ofType(r.messages, 'STATE').some((m) => (m['state'] as { stream: { stream_descriptor: { name: string } } }).stream.stream_descriptor.name === n), n).toBe(true);
    }
  });
});

describe('commands against the emulator', () => {
  it('check succeeds with the API token and with OAuth, and fails readably with a wrong token', async () => {
    const ok = await runCli(['check', '--config', files['config.json'] as string]);
    expect(ok.messages.at(-1)?.['connectionStatus']).toEqual({ status: 'SUCCEEDED' });
    // The check's log line reaches the platform too, as a LOG message before the status.
    expect(ofType(ok.messages, 'LOG').map((m) => (m['log'] as { message: string }).message)).toContainEqual(expect.stringMatching(/^Connected to Pipedrive as /));
    const oauth = tempFiles({ 'c.json': emu.oauthConfig() });
    const o = await runCli(['check', '--config', oauth['c.json'] as string]);
    expect(ofType(o.messages, 'CONNECTION_STATUS')[0]?.['connectionStatus']).toEqual({ status: 'SUCCEEDED' });
    expect(ofType(o.messages, 'CONTROL').length).toBeGreaterThanOrEqual(1);
    const bad = tempFiles({ 'c.json': { ...emu.config(), credentials: { auth_type: 'api_token', api_token: 'wrong-token-1234' } } });
    const b = await runCli(['check', '--config', bad['c.json'] as string]);
    expect(b.code).toBe(0);
    const status = b.messages.at(-1)?.['connectionStatus'] as { status: string; message: string };
    expect(status.status).toBe('FAILED');
    expect(status.message).toMatch(/401|api_token/);
    expect(b.stdout + b.stderr).not.toContain('wrong-token-1234');
  });

  it('reads with OAuth: Bearer tokens, rotated refresh token persisted by CONTROL', async () => {
    const oauth = tempFiles({ 'c.json': emu.oauthConfig(), 'cat.json': catalogOf(['deals', 'persons'], () => 'full_refresh') });
    emu.resetLog();
    const r = await runCli(['read', '--config', oauth['c.json'] as string, '--catalog', oauth['cat.json'] as string]);
    expect(r.code, r.stderr.slice(-1000)).toBe(0);
    expect(recordsByStream(r).get('deals')?.length).toBe([...emu.groundTruth('deals')].length);
    expect(emu.requests.filter((q) => q.path.startsWith('/api/')).every((q) => q.auth === 'bearer')).toBe(true);
    const control = ofType(r.messages, 'CONTROL')[0]?.['control'] as { connectorConfig: { config: { credentials: { refresh_token: string } } } };
    expect(control.connectorConfig.config.credentials.refresh_token).not.toBe((emu.oauthConfig() as { credentials: { refresh_token: string } }).credentials.refresh_token);
    for (const s of ['emulator-secret']) expect(r.stderr).not.toContain(s);
  });

  it('discover works against the emulator and the demo config', async () => {
    const r = await runCli(['discover', '--config', files['config.json'] as string]);
    expect(r.code).toBe(0);
    expect((ofType(r.messages, 'CATALOG')[0]?.['catalog'] as { streams: unknown[] }).streams.length).toBeGreaterThanOrEqual(40);
  });
});
