/**
 * `read --state-file` and `--update-config` over real HTTP against the emulator: a read interrupted by SIGTERM and
 * run again from its state file delivers the ground truth; concurrent runs on one state file do not corrupt it (the
 * lock); a stale lock is taken over; rotated OAuth refresh tokens reach the config file as they are issued.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { hostname } from 'node:os';
import { startTestEmulator, type Emulator } from '../helpers/emulator.js';
import { allStreams } from '../../streams/index.js';
import { runCli, tempFiles, ofType, type CliResult } from '../helpers/cli.js';
import { forbiddingProxy } from '../helpers/proxy.js';

type Rec = Record<string, unknown>;
type StateEntry = { type: string; stream: { stream_descriptor: { name: string }; stream_state: Rec } };

const STREAMS = ['deals', 'organizations', 'persons'];
let emu: Emulator;

beforeAll(async () => {
  emu = await startTestEmulator({ seed: 11, sizes: { deals: 2600, persons: 1200, organizations: 700 } });
});
afterAll(async () => { await emu?.close(); });
afterEach(() => { emu.set({ latencyMs: 0 }); });

const pkOf = (stream: string, r: Rec): string => {
  const def = allStreams.find((d) => d.name === stream);
  return JSON.stringify((def?.primaryKey ?? [['id']]).map((path) => path.reduce<unknown>((o, k) => (o as Rec | undefined)?.[k], r)));
};
const keys = (results: CliResult[], stream: string): Set<string> => new Set(results.flatMap((r) => ofType(r.messages, 'RECORD')
  .map((m) => m['record'] as { stream: string; data: Rec }).filter((rec) => rec.stream === stream).map((rec) => pkOf(stream, rec.data))));
const truth = (stream: string): Set<string> => new Set([...emu.groundTruth(stream)].map((r) => pkOf(stream, r)));
const lastStates = (r: CliResult): Map<string, unknown> => {
  const m = new Map<string, unknown>();
  for (const s of ofType(r.messages, 'STATE')) m.set((s['state'] as StateEntry).stream.stream_descriptor.name, s['state']);
  return m;
};
const errors = (r: CliResult) => ofType(r.messages, 'TRACE').map((m) => (m['trace'] as { error?: { failure_type: string; message: string } }).error).filter((e) => e !== undefined);
const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;
const logs = (r: CliResult) => ofType(r.messages, 'LOG').map((m) => (m['log'] as { level: string; message: string }));

describe('--state-file', () => {
  it('SIGTERM mid-read, then the same command again: exit 143, then 0; the union of records is the ground truth', async () => {
    const files = tempFiles({ 'config.json': emu.config({ num_workers: 2 }) });
    const stateFile = join(dirname(files['config.json'] as string), 'state.json');
    const args = ['read', '--config', files['config.json'] as string, '--streams', STREAMS.join(','), '--state-file', stateFile];
    emu.set({ latencyMs: 150 });
    let sent = false;
    const first = await runCli(args, {
      onLine: (line, child) => {
        // After the first page of deals and its STATE: well before the end (deals has 6 pages).
        if (!sent && line.startsWith('{"type":"STATE"') && line.includes('"name":"deals"')) {
          sent = true;
          child.kill('SIGTERM');
        }
      },
    });
    expect(first.code, first.stderr.slice(-1500)).toBe(143);
    const firstDeals = keys([first], 'deals').size;
    expect(firstDeals).toBeGreaterThan(0);
    expect(firstDeals).toBeLessThan(truth('deals').size);
    // The file holds exactly the last STATE of each stream of the output; the lock is gone.
    const saved = readJson<StateEntry[]>(stateFile);
    expect(new Map(saved.map((s) => [s.stream.stream_descriptor.name, s]))).toEqual(lastStates(first));
    expect(readdirSync(dirname(stateFile)).sort()).toEqual(['config.json', 'state.json']);

    emu.set({ latencyMs: 0 });
    const second = await runCli(args);
    expect(second.code, second.stderr.slice(-1500)).toBe(0);
    for (const s of STREAMS) expect(keys([first, second], s), s).toEqual(truth(s));
    // The second run went on from the state: it did not read every deal again.
    expect(keys([second], 'deals').size).toBeLessThan(truth('deals').size);
    // stdout stays the protocol stream (runCli validates every line); the file's write is logged on stderr.
    expect(second.stderr).toContain(`--state-file: wrote the state of 3 stream(s) to '${stateFile}'`);
    const after = readJson<StateEntry[]>(stateFile);
    expect(after.map((s) => s.stream.stream_descriptor.name)).toEqual(STREAMS);
  });

  it('keeps the streams of the file that the run does not read, and writes after a failed read too', async () => {
    const files = tempFiles({
      'config.json': emu.config(),
      'state.json': [{ type: 'STREAM', stream: { stream_descriptor: { name: 'notes' }, stream_state: { update_time: '2024-01-01T00:00:00Z' } } }],
    });
    const state = files['state.json'] as string;
    const ok = await runCli(['read', '--config', files['config.json'] as string, '--streams', 'persons', '--state-file', state]);
    expect(ok.code).toBe(0);
    expect(readJson<StateEntry[]>(state).map((s) => [s.stream.stream_descriptor.name, s.stream.stream_state])).toEqual([
      ['notes', { update_time: '2024-01-01T00:00:00Z' }],
      ['persons', (lastStates(ok).get('persons') as StateEntry).stream.stream_state],
    ]);

    // One stream refused (403) and one that completes: exit 1, and the file has the STATE of both.
    const proxy = await forbiddingProxy(emu.url, /^\/api\/v2\/organizations$/);
    try {
      const bad = tempFiles({ 'config.json': emu.config({ api_url: proxy.url }) });
      const failed = await runCli(['read', '--config', bad['config.json'] as string, '--streams', 'currencies,organizations', '--state-file', state]);
      expect(failed.code).toBe(1);
      expect(errors(failed).map((e) => e.failure_type)).toEqual(['config_error']);
      expect(readJson<StateEntry[]>(state).map((s) => s.stream.stream_descriptor.name)).toEqual(['currencies', 'notes', 'organizations', 'persons']);
    } finally {
      await proxy.close();
    }
  });

  it('a reader that closes stdout early leaves the file as it was (what it processed is unknown), and the lock gone', async () => {
    const files = tempFiles({ 'config.json': emu.config({ num_workers: 1 }) });
    const state = join(dirname(files['config.json'] as string), 'state.json');
    let closed = false;
    const r = await runCli(['read', '--config', files['config.json'] as string, '--streams', 'deals', '--state-file', state], {
      // As `| head -1`: the reader goes away after the first line.
      onLine: (_line, child) => {
        if (!closed) {
          closed = true;
          child.stdout?.destroy();
        }
      },
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`stdout was closed before the read ended: --state-file '${state}' is left as it was`);
    expect(readdirSync(dirname(state))).toEqual(['config.json']);
  });

  it('--state and --state-file together are a usage error; a state file that is not JSON is a config_error naming it', async () => {
    const files = tempFiles({ 'config.json': emu.config(), 's.json': '[{"type": "STREAM", ' });
    const both = await runCli(['read', '--config', files['config.json'] as string, '--streams', 'deals', '--state', files['s.json'] as string, '--state-file', files['s.json'] as string]);
    expect(both.code).toBe(1);
    expect(errors(both)[0]).toMatchObject({ failure_type: 'config_error', message: expect.stringContaining('mutually exclusive') as unknown });
    const invalid = await runCli(['read', '--config', files['config.json'] as string, '--streams', 'deals', '--state-file', files['s.json'] as string]);
    expect(invalid.code).toBe(1);
    expect(errors(invalid)[0]?.message).toMatch(/^--state-file: file '.*s\.json' is not valid JSON/);
    expect(ofType(invalid.messages, 'RECORD')).toHaveLength(0);
    expect(existsSync(`${files['s.json'] as string}.lock`)).toBe(false);
  });
});

describe('concurrent runs on one state file', () => {
  it('a second run while the first holds the lock fails at once with a config_error naming it; the first completes', async () => {
    const files = tempFiles({ 'config.json': emu.config({ num_workers: 1 }) });
    const state = join(dirname(files['config.json'] as string), 'state.json');
    emu.set({ latencyMs: 200 });
    let holder: ChildProcess | undefined;
    let started: () => void = () => {};
    const running = new Promise<void>((resolve) => { started = resolve; });
    const first = runCli(['read', '--config', files['config.json'] as string, '--streams', 'deals', '--state-file', state], {
      onSpawn: (child) => { holder = child; },
      onLine: () => started(),
    });
    await running;
    const second = await runCli(['read', '--config', files['config.json'] as string, '--streams', 'deals,persons', '--state-file', state]);
    expect(second.code).toBe(1);
    expect(ofType(second.messages, 'RECORD')).toHaveLength(0);
    const message = errors(second)[0]?.message ?? '';
    expect(errors(second)[0]?.failure_type).toBe('config_error');
    expect(message).toContain(`--state-file '${state}': another run (pid ${holder?.pid ?? -1}`);
    expect(message).toContain(`holds the lock ${state}.lock`);
    const done = await first;
    expect(done.code, done.stderr.slice(-1000)).toBe(0);
    expect(readJson<StateEntry[]>(state).map((s) => s.stream.stream_descriptor.name)).toEqual(['deals']);
    expect(readdirSync(dirname(state)).sort()).toEqual(['config.json', 'state.json']);
  });

  it('several runs started at once: one reads, the others are refused; the file is whole and the lock gone', async () => {
    const files = tempFiles({ 'config.json': emu.config({ num_workers: 1 }) });
    const state = join(dirname(files['config.json'] as string), 'state.json');
    emu.set({ latencyMs: 100 });
    const runs = await Promise.all([0, 1, 2, 3].map(() => runCli(['read', '--config', files['config.json'] as string, '--streams', 'persons', '--state-file', state])));
    const ok = runs.filter((r) => r.code === 0);
    const refused = runs.filter((r) => r.code === 1 && errors(r).some((e) => e.failure_type === 'config_error' && e.message.includes('holds the lock')));
    expect(ok.length).toBeGreaterThanOrEqual(1);
    expect(ok.length + refused.length).toBe(runs.length);
    const saved = readJson<StateEntry[]>(state);
    expect(saved.map((s) => s.stream.stream_descriptor.name)).toEqual(['persons']);
    expect(readdirSync(dirname(state)).sort()).toEqual(['config.json', 'state.json']);
  });

  it('a stale lock of a run that died is taken over, with a warning', async () => {
    const files = tempFiles({ 'config.json': emu.config() });
    const state = join(dirname(files['config.json'] as string), 'state.json');
    const dead = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
    writeFileSync(`${state}.lock`, `${dead}\nhost=${hostname()} started=2026-01-01T00:00:00.000Z\n`);
    const r = await runCli(['read', '--config', files['config.json'] as string, '--streams', 'currencies', '--state-file', state]);
    expect(r.code, r.stderr.slice(-1000)).toBe(0);
    expect(logs(r).some((l) => l.level === 'WARN' && l.message.includes(`took over the stale lock ${state}.lock`) && l.message.includes(`pid ${dead}`))).toBe(true);
    expect(readdirSync(dirname(state)).sort()).toEqual(['config.json', 'state.json']);
  });
});

describe('--update-config', () => {
  it('writes each rotated refresh token to the config file, keeping its other fields and mode; the next run works', async () => {
    const original = emu.oauthConfig({ num_workers: 2, x_note: 'keep me' });
    const files = tempFiles({ 'config.json': original, 'copy.json': original });
    const path = files['config.json'] as string;
    chmodSync(path, 0o600);
    const first = await runCli(['read', '--config', path, '--streams', 'deals', '--update-config']);
    expect(first.code, first.stderr.slice(-1000)).toBe(0);
    const control = ofType(first.messages, 'CONTROL').at(-1)?.['control'] as { connectorConfig: { config: { credentials: { refresh_token: string } } } };
    const updated = readJson<{ credentials: { refresh_token: string }; num_workers: number; x_note: string; api_url: string }>(path);
    expect(updated.credentials.refresh_token).toBe(control.connectorConfig.config.credentials.refresh_token);
    expect(updated.credentials.refresh_token).not.toBe((original as { credentials: { refresh_token: string } }).credentials.refresh_token);
    expect(updated).toMatchObject({ num_workers: 2, x_note: 'keep me', api_url: emu.url });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(first.stderr).toContain(`--update-config: wrote the connector's new config`);
    expect(readdirSync(dirname(path)).sort()).toEqual(['config.json', 'copy.json']);

    // The config as it was is spent (Pipedrive rotated its refresh token): that is what --update-config prevents.
    const stale = await runCli(['read', '--config', files['copy.json'] as string, '--streams', 'deals']);
    expect(stale.code).toBe(1);
    expect(errors(stale)[0]?.failure_type).toBe('config_error');
    // The next run starts from the file. Access tokens that expire after 3 requests make it refresh mid-read: every
    // rotation is written, and the file ends with the last one.
    emu.set({ oauth: { accessTokenTtlRequests: 3 } });
    try {
      const second = await runCli(['read', '--config', path, '--streams', 'deals,persons', '--update-config']);
      expect(second.code, second.stderr.slice(-1000)).toBe(0);
      const controls = ofType(second.messages, 'CONTROL').map((m) => (m['control'] as { connectorConfig: { config: { credentials: { refresh_token: string } } } }).connectorConfig.config);
      expect(controls.length).toBeGreaterThanOrEqual(2);
      expect(readJson<Rec>(path)).toEqual(controls.at(-1));
      expect(keys([second], 'deals')).toEqual(truth('deals'));
    } finally {
      emu.set({ oauth: { accessTokenTtlRequests: Number.MAX_SAFE_INTEGER } });
    }
  });

  it('the file is written the moment the CONTROL passes: a run killed after it leaves a config that works', async () => {
    const files = tempFiles({ 'config.json': emu.oauthConfig() });
    const path = files['config.json'] as string;
    emu.set({ latencyMs: 300 });
    let seen: string | undefined;
    let onDisk: string | undefined;
    const killed = await runCli(['read', '--config', path, '--streams', 'deals,persons', '--update-config'], {
      onLine: (line, child) => {
        if (seen === undefined && line.startsWith('{"type":"CONTROL"')) {
          seen = (JSON.parse(line) as { control: { connectorConfig: { config: { credentials: { refresh_token: string } } } } }).control.connectorConfig.config.credentials.refresh_token;
          onDisk = readJson<{ credentials: { refresh_token: string } }>(path).credentials.refresh_token;
          child.kill('SIGKILL');
        }
      },
    });
    expect(killed.signal).toBe('SIGKILL');
    expect(seen).toBeDefined();
    expect(onDisk).toBe(seen);
    emu.set({ latencyMs: 0 });
    const next = await runCli(['check', '--config', path]);
    expect(next.messages.find((m) => m.type === 'CONNECTION_STATUS')?.['connectionStatus']).toEqual({ status: 'SUCCEEDED' });
  });

  it('a legacy config is written back in the current shape, its other fields kept', async () => {
    const files = tempFiles({ 'config.json': { api_token: 'emulator-token', api_url: emu.url, num_workers: 2, x_note: 'keep me' } });
    const path = files['config.json'] as string;
    const r = await runCli(['check', '--config', path, '--update-config']);
    expect(r.messages.find((m) => m.type === 'CONNECTION_STATUS')?.['connectionStatus']).toEqual({ status: 'SUCCEEDED' });
    expect(readJson<Rec>(path)).toEqual({ credentials: { auth_type: 'api_token', api_token: 'emulator-token' }, api_url: emu.url, num_workers: 2, x_note: 'keep me' });
  });

  it('check and discover rotate too, and keep the file current', async () => {
    for (const command of ['check', 'discover']) {
      const files = tempFiles({ 'config.json': emu.oauthConfig() });
      const path = files['config.json'] as string;
      const before = readJson<{ credentials: { refresh_token: string } }>(path).credentials.refresh_token;
      const r = await runCli([command, '--config', path, '--update-config']);
      expect(r.code, r.stderr.slice(-500)).toBe(0);
      expect(r.messages.some((m) => m.type === (command === 'check' ? 'CONNECTION_STATUS' : 'CATALOG'))).toBe(true);
      const after = readJson<{ credentials: { refresh_token: string } }>(path).credentials.refresh_token;
      expect(after, command).not.toBe(before);
      expect(readJson<Rec>(path)).toEqual((ofType(r.messages, 'CONTROL').at(-1)?.['control'] as { connectorConfig: { config: Rec } }).connectorConfig.config);
    }
  });
});
