/**
 * Fault injection against the emulator: every case compares what the connector delivered with the
 * emulator's ground truth. Records lost must be 0.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { allStreams } from '../../streams/index.js';
import { runCli, tempFiles, ofType, type CliResult, type RunOptions } from '../helpers/cli.js';
import { startTestEmulator, type Emulator, type EmulatorOptions } from '../helpers/emulator.js';
import { repoRoot } from '../helpers/protocol.js';
import { runShell } from '../helpers/shell.js';

type Rec = Record<string, unknown>;
let emu: Emulator | undefined;
afterEach(async () => { await emu?.close(); emu = undefined; });

const pkOf = (stream: string, r: Rec): string => {
  const def = allStreams.find((d) => d.name === stream);
  return JSON.stringify((def?.primaryKey ?? [['id']]).map((path) => path.reduce<unknown>((o, k) => (o as Rec | undefined)?.[k], r)));
};
const keysByStream = (results: CliResult[]): Map<string, string[]> => {
  const m = new Map<string, string[]>();
  for (const res of results) {
    for (const msg of ofType(res.messages, 'RECORD')) {
      const rec = msg['record'] as { stream: string; data: Rec };
      (m.get(rec.stream) ?? (m.set(rec.stream, []), m.get(rec.stream) as string[])).push(pkOf(rec.stream, rec.data));
    }
  }
  return m;
};
const truthKeys = (e: Emulator, stream: string) => new Set([...e.groundTruth(stream)].map((r) => pkOf(stream, r)));
const catalog = (names: string[]) => ({
  streams: names.map((name) => {
    const def = allStreams.find((d) => d.name === name);
    const inc = def?.incremental !== 'none' && def?.cursorField !== undefined;
    return { stream: { name, json_schema: {}, supported_sync_modes: inc ? ['full_refresh', 'incremental'] : ['full_refresh'] }, sync_mode: inc ? 'incremental' : 'full_refresh', destination_sync_mode: 'append' };
  }),
});
const lastStates = (r: CliResult) => {
  const m = new Map<string, unknown>();
  for (const s of ofType(r.messages, 'STATE')) m.set((s['state'] as { stream: { stream_descriptor: { name: string } } }).stream.stream_descriptor.name, s['state']);
  return [...m.values()];
};
const errorsOf = (r: CliResult) => ofType(r.messages, 'TRACE').map((m) => (m['trace'] as { error?: { failure_type: string; message: string } }).error).filter((e) => e !== undefined);

/**
 * Every secret a run could leak, checked on all of its output. CONTROL messages are the one place
 * credentials belong (they persist rotated tokens for the platform), so they are left out.
 */
function assertNoSecrets(results: CliResult[]): void {
  const secrets = ['emulator-token', 'emulator-secret', 'emulator-refresh', 'emulator-access'];
  for (const r of results) {
    const stdout = r.stdout.split('\n').filter((l) => !l.startsWith('{"type":"CONTROL"')).join('\n');
    for (const s of secrets) {
      expect(stdout.includes(s), `stdout contains ${s}`).toBe(false);
      expect(r.stderr.includes(s), `stderr contains ${s}`).toBe(false);
    }
  }
}

async function setup(opts: EmulatorOptions, streams: string[], config?: (e: Emulator) => Record<string, unknown>) {
  emu = await startTestEmulator(opts);
  const files = tempFiles({ 'config.json': config ? config(emu) : emu.config({ num_workers: 3 }), 'catalog.json': catalog(streams) });
  const read = (state?: unknown[], onLine?: RunOptions['onLine']) => {
    const args = ['read', '--config', files['config.json'] as string, '--catalog', files['catalog.json'] as string];
    if (state) args.push('--state', tempFiles({ 's.json': state })['s.json'] as string);
    return runCli(args, { timeoutMs: 60_000, ...(onLine ? { onLine } : {}) });
  };
  return { emu, read };
}

function expectExactlyTruth(e: Emulator, streams: string[], results: CliResult[], { allowDuplicates }: { allowDuplicates: boolean }) {
  const got = keysByStream(results);
  for (const s of streams) {
    const keys = got.get(s) ?? [];
    const truth = truthKeys(e, s);
    const missing = [...truth].filter((k) => !keys.includes(k));
    expect(missing.length, `${s}: records lost`).toBe(0);
    expect(new Set(keys), s).toEqual(truth);
    if (!allowDuplicates) expect(keys.length, `${s}: duplicates`).toBe(truth.size);
  }
}

describe('fault injection', () => {
  it('10% 5xx, 3% connection resets, 2% truncated bodies → exactly the full set, exit 0', async () => {
    const streams = ['deals', 'persons', 'organizations', 'notes', 'pipelines', 'stages', 'deal_products', 'users'];
    const { emu: e, read } = await setup({ seed: 11, sizes: { deals: 1500, persons: 800, organizations: 300, notes: 700 }, faults: { error5xx: 0.1, reset: 0.03, truncate: 0.02 } }, streams);
    const r = await read();
    expect(r.code, r.stderr.slice(-1500)).toBe(0);
    expectExactlyTruth(e, streams, [r], { allowDuplicates: false });
    const faulty = e.requests.filter((q) => q.status >= 500 || q.status === 0).length;
    expect(faulty, 'the emulator injected faults').toBeGreaterThan(0);
    assertNoSecrets([r]);
  }, 90_000);

  it('burst limit 20 per 2 s, 5,000 deals plus persons and organizations, 3 workers → full set, ≤5% 429s, ≤1.3× the floor', async () => {
    const streams = ['deals', 'persons', 'organizations'];
    const { emu: e, read } = await setup({ seed: 12, sizes: { deals: 5000, persons: 10000, organizations: 5000 }, rateLimit: { burst: 20, windowMs: 2000 } }, streams);
    const t0 = Date.now();
    const r = await read();
    const end = Date.now();
    const wall = (end - t0) / 1000;
    expect(r.code, r.stderr.slice(-1500)).toBe(0);
    expectExactlyTruth(e, streams, [r], { allowDuplicates: false });
    const requests = e.requests.filter((q) => q.path.startsWith('/api/') || q.path.startsWith('/v1/'));
    const limited = requests.filter((q) => q.status === 429).length;
    const floor = requests.length / 10;
    // The sync's time runs from its first request to the process's exit (Node's start-up before the
    // first request is not rate-limit work; it is reported beside it).
    const sync = (end - Math.min(...requests.map((q) => q.at))) / 1000;
    process.stderr.write(`burst 20/2s: ${requests.length} requests, ${limited} x 429 (${((100 * limited) / requests.length).toFixed(1)}%), sync ${sync.toFixed(2)} s (process ${wall.toFixed(2)} s), floor ${floor.toFixed(2)} s, ratio ${(sync / floor).toFixed(2)}\n`);
    expect(limited / requests.length).toBeLessThanOrEqual(0.05);
    expect(sync / floor).toBeLessThanOrEqual(1.3);
    // While streams wait for the budget, the platform is told why.
    const rateLimited = ofType(r.messages, 'TRACE').map((m) => m['trace'] as { type: string; stream_status?: { status: string; reasons?: Array<{ type: string }> } })
      .filter((t) => t.type === 'STREAM_STATUS' && t.stream_status?.status === 'RUNNING' && t.stream_status.reasons?.[0]?.type === 'RATE_LIMITED');
    expect(rateLimited.length).toBeGreaterThan(0);
    // The tokens spent per stream are logged at the end (deals: 10 per v2 page + 40 for the summary).
    const spent = ofType(r.messages, 'LOG').map((m) => (m['log'] as { message: string }).message).find((t) => t.includes('API tokens spent per stream'));
    expect(spent).toMatch(/deals=\d+/);
    const dealTokens = e.requests.filter((q) => q.path.includes('/deals')).reduce((a, q) => a + q.tokenCost, 0);
    expect(spent).toContain(`deals=${dealTokens}`);
  }, 90_000);

  it('daily budget spent mid-read, then a run from the last state → the union is exactly the full set', async () => {
    const streams = ['deals', 'persons', 'organizations', 'activities', 'notes', 'currencies'];
    const { emu: e, read } = await setup({ seed: 13, sizes: { deals: 3000, persons: 2000, organizations: 1000, activities: 1500, notes: 1000 }, dailyBudget: 150 }, streams);
    const first = await read();
    expect(first.code).toBe(1);
    const errs = errorsOf(first);
    expect(errs.some((x) => x.failure_type === 'transient_error' && /daily/i.test(x.message))).toBe(true);
    expect(ofType(first.messages, 'RECORD').length).toBeGreaterThan(0);
    // Every stream of the catalog handed back a STATE.
    expect(lastStates(first).length).toBe(streams.length);
    e.set({ dailyBudget: null });
    const second = await read(lastStates(first));
    expect(second.code, second.stderr.slice(-1500)).toBe(0);
    expectExactlyTruth(e, streams, [first, second], { allowDuplicates: true });
    assertNoSecrets([first, second]);
  }, 90_000);

  it.each([['SIGTERM', 143], ['SIGINT', 130]] as const)('%s mid-read → exit %i with complete pages and their STATE; a run from the last state completes the set', async (signal, exitCode) => {
    const streams = ['deals', 'persons', 'organizations'];
    const { emu: e, read } = await setup({ seed: 14, sizes: { deals: 4000, persons: 2000, organizations: 1000 }, latencyMs: 40 }, streams);
    let sent = false;
    const first = await read(undefined, (line, child) => {
      if (!sent && line.includes('"type":"STATE"')) { sent = true; child.kill(signal); }
    });
    expect(first.code).toBe(exitCode);
    // The output ends with complete lines: the last message of each stream's records is followed by its STATE.
    expect(first.stdout.endsWith('\n')).toBe(true);
    const lastRecord = first.messages.map((m) => m.type).lastIndexOf('RECORD');
    expect(first.messages.slice(lastRecord + 1).some((m) => m.type === 'STATE')).toBe(lastRecord >= 0);
    e.set({ latencyMs: 0 });
    const second = await read(lastStates(first));
    expect(second.code, second.stderr.slice(-1500)).toBe(0);
    expectExactlyTruth(e, streams, [first, second], { allowDuplicates: true });
  }, 90_000);

  it('stdout closed by its reader during a read (`| head -1`) → quiet exit 0, no stack trace', async () => {
    const { emu: e } = await setup({ seed: 16, sizes: { deals: 3000 } }, ['deals']);
    const f = tempFiles({ 'c.json': e.config(), 'cat.json': catalog(['deals', 'persons']) });
    const r = await runShell(`node bin/source-pipedrive.js read --config ${f['c.json']} --catalog ${f['cat.json']} | head -1; echo "exit=\${PIPESTATUS[0]}" >&2`, { cwd: repoRoot });
    expect(r.stderr).toContain('exit=0');
    expect(r.stderr).not.toMatch(/EPIPE|\n\s+at .*:\d+:\d+/);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
  }, 60_000);

  it('OAuth access tokens expiring every 25 requests → the full set', async () => {
    const streams = ['deals', 'persons', 'organizations', 'deal_products', 'notes'];
    const { emu: e, read } = await setup({ seed: 15, sizes: { deals: 4000, persons: 3000, organizations: 1000, notes: 1500 }, oauth: { clientId: 'emulator-client', clientSecret: 'emulator-secret', refreshToken: 'emulator-refresh-0', accessTokenTtlRequests: 25 } }, streams, (x) => x.oauthConfig({ num_workers: 3 }));
    const r = await read();
    expect(r.code, r.stderr.slice(-1500)).toBe(0);
    expectExactlyTruth(e, streams, [r], { allowDuplicates: false });
    const refreshes = e.requests.filter((q) => q.path === '/oauth/token').length;
    expect(refreshes).toBeGreaterThan(1);
    expect(ofType(r.messages, 'CONTROL').length).toBe(refreshes);
    assertNoSecrets([r]);
  }, 90_000);
});
