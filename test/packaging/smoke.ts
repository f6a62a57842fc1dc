/**
 * A smoke run of an installed connector (an npm install, a staged image layout): `spec`, `discover`, `check` and a
 * one-stream `read` against a tiny fake Pipedrive on 127.0.0.1. Together they load every module the runtime
 * imports (the commands import their dependencies lazily), so a file or a dependency missing from a package shows.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { assertValidMessage, repoRoot } from '../helpers/protocol.js';
import { trackServer } from '../helpers/resources.js';
import { runGroup } from '../helpers/spawn.js';
import { allStreams } from '../../streams/index.js';

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  messages: Array<Record<string, unknown> & { type: string }>;
}

/** Runs `argv[0]` with `argv[1..]`, parses stdout as JSON lines and validates each as an AirbyteMessage. */
export async function run(argv: readonly string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<Run> {
  const [cmd, ...args] = argv;
  if (cmd === undefined) throw new Error('empty command');
  // Its own process group (`sh -c …` starts the connector as a grandchild): a timeout kills them all.
  const { code, stdout, stderr } = await runGroup(cmd, args, { cwd: opts.cwd, ...(opts.env ? { env: opts.env } : {}), ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}) });
  const messages = stdout.split('\n').filter((l) => l.length > 0).map((l) => {
    let m: unknown;
    try {
      m = JSON.parse(l);
    } catch {
      throw new Error(`stdout line is not JSON: ${l.slice(0, 200)}\nstderr: ${stderr.slice(-2000)}`);
    }
    assertValidMessage(m);
    return m as Run['messages'][number];
  });
  return { code, stdout, stderr, messages };
}

/** A fake Pipedrive (company-domain layout, `/api/v1/...`) with the two endpoints the smoke run needs. */
export async function fakePipedrive(): Promise<{ url: string; requests: string[]; close: () => Promise<void> }> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push(`${req.method} ${url.pathname}`);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'x-ratelimit-limit': '80', 'x-ratelimit-remaining': '79', 'x-ratelimit-reset': '2' });
      res.end(JSON.stringify(body));
    };
    if (req.headers['x-api-token'] !== 'smoke-token') return send(401, { success: false, error: 'unauthorized access' });
    if (url.pathname === '/api/v1/users/me') return send(200, { success: true, data: { id: 1, name: 'Smoke Test', company_name: 'Smoke Ltd' } });
    if (url.pathname === '/api/v1/currencies') {
      return send(200, {
        success: true,
        data: [
          { id: 1, code: 'EUR', name: 'Euro', decimal_points: 2, symbol: '€', active_flag: true, is_custom_flag: false },
          { id: 2, code: 'USD', name: 'US Dollar', decimal_points: 2, symbol: '$', active_flag: true, is_custom_flag: false },
        ],
      });
    }
    return send(404, { success: false, error: 'not found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: trackServer(() => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    })),
  };
}

/** The messages of one type, as the caller's view of their shape. */
const byType = <T = Run['messages'][number]>(r: Run, type: string): T[] => r.messages.filter((m) => m.type === type) as unknown as T[];

/**
 * Runs the four commands through `command` (the connector's argv prefix, e.g. `['node', '/x/bin/source-pipedrive.js']`)
 * in `cwd` and checks their output.
 */
export async function smokeTest(command: readonly string[], cwd: string, opts: { env?: NodeJS.ProcessEnv } = {}): Promise<void> {
  const env = opts.env ?? process.env;
  const spec = await run([...command, 'spec'], { cwd, env });
  expect(spec.code, spec.stderr).toBe(0);
  const specs = byType<{ spec: unknown }>(spec, 'SPEC');
  expect(specs).toHaveLength(1);
  expect(spec.messages.every((m) => m.type === 'SPEC' || m.type === 'LOG')).toBe(true);
  const expected = JSON.parse(readFileSync(join(repoRoot, 'src/config/spec.json'), 'utf8')) as Record<string, unknown>;
  expect(specs[0]?.spec).toEqual(expected);

  const server = await fakePipedrive();
  const dir = mkdtempSync(join(tmpdir(), 'spd-smoke-'));
  try {
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ credentials: { auth_type: 'api_token', api_token: 'smoke-token' }, api_url: server.url }));
    const catalog = join(dir, 'catalog.json');
    writeFileSync(catalog, JSON.stringify({
      streams: [{
        stream: { name: 'currencies', json_schema: {}, supported_sync_modes: ['full_refresh'] },
        sync_mode: 'full_refresh',
        destination_sync_mode: 'overwrite',
      }],
    }));

    const discover = await run([...command, 'discover', '--config', config], { cwd, env });
    expect(discover.code, discover.stderr).toBe(0);
    const catalogs = byType<{ catalog: { streams: Array<{ name: string }> } }>(discover, 'CATALOG');
    expect(catalogs).toHaveLength(1);
    expect(catalogs[0]?.catalog.streams.map((s) => s.name)).toEqual(allStreams.map((s) => s.name));

    const check = await run([...command, 'check', '--config', config], { cwd, env });
    expect(check.code, check.stderr).toBe(0);
    const statuses = byType<{ connectionStatus: { status: string; message?: string } }>(check, 'CONNECTION_STATUS');
    expect(statuses).toHaveLength(1);
    expect(statuses[0]?.connectionStatus.status, statuses[0]?.connectionStatus.message).toBe('SUCCEEDED');

    const read = await run([...command, 'read', '--config', config, '--catalog', catalog], { cwd, env });
    expect(read.code, read.stderr).toBe(0);
    const records = byType<{ record: { stream: string; data: { code: string } } }>(read, 'RECORD');
    expect(records.map((r) => `${r.record.stream}:${r.record.data.code}`)).toEqual(['currencies:EUR', 'currencies:USD']);
    expect(byType(read, 'STATE').length).toBeGreaterThanOrEqual(1);
    expect(server.requests).toContain('GET /api/v1/currencies');
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
