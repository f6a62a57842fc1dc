/**
 * When Pipedrive misbehaves (issue 12): the built CLI against small loopback servers that hang, loop, lie about
 * success, send what is not a page, stream without end, present an untrusted certificate, or rotate OAuth tokens
 * while the read is being stopped. Each case asserts the exit code, the failure type, the message, a wall-time bound
 * and the records; `runCli` validates every message and scans stdout and stderr for secrets.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerResponse } from 'node:http';
import { allStreams } from '../../streams/index.js';
import { runCli, tempFiles, ofType, type CliResult } from '../helpers/cli.js';
import { json, startBadServer, v2Page, type BadServer, type Handler } from '../helpers/misbehaving.js';

let server: BadServer | undefined;
afterEach(async () => { await server?.close(); server = undefined; });

const TOKEN = 'cli-secret-token';
const catalog = (names: string[], incremental = false) => ({
  streams: names.map((name) => {
    const def = allStreams.find((d) => d.name === name);
    const inc = incremental && def?.incremental !== 'none' && def?.cursorField !== undefined;
    return { stream: { name, json_schema: {}, supported_sync_modes: ['full_refresh', 'incremental'] }, sync_mode: inc ? 'incremental' : 'full_refresh', destination_sync_mode: 'append' };
  }),
});
const errorsOf = (r: CliResult) => ofType(r.messages, 'TRACE')
  .map((m) => m['trace'] as { type: string; error?: { failure_type: string; message: string; stream_descriptor?: { name: string } } })
  .flatMap((t) => (t.type === 'ERROR' && t.error ? [t.error] : []));
const statusesOf = (r: CliResult, stream: string) => ofType(r.messages, 'TRACE')
  .map((m) => m['trace'] as { type: string; stream_status?: { stream_descriptor: { name: string }; status: string } })
  .filter((t) => t.type === 'STREAM_STATUS' && t.stream_status?.stream_descriptor.name === stream && t.stream_status.status !== 'RUNNING')
  .map((t) => t.stream_status?.status);
const recordsOf = (r: CliResult, stream: string) => ofType(r.messages, 'RECORD').map((m) => m['record'] as { stream: string; data: Record<string, unknown> }).filter((x) => x.stream === stream).map((x) => x.data);
const logsOf = (r: CliResult, level: string) => ofType(r.messages, 'LOG').map((m) => m['log'] as { level: string; message: string }).filter((l) => l.level === level).map((l) => l.message);
/** The message types of one stream, in order, without RUNNING statuses. */
const typesOf = (r: CliResult, stream: string) => r.messages.flatMap((m) => {
  if (m.type === 'STATE') return (m['state'] as { stream: { stream_descriptor: { name: string } } }).stream.stream_descriptor.name === stream ? ['STATE'] : [];
  if (m.type !== 'TRACE') return [];
  const t = m['trace'] as { type: string; error?: { stream_descriptor?: { name: string } }; stream_status?: { stream_descriptor: { name: string }; status: string } };
  if (t.type === 'ERROR' && t.error?.stream_descriptor?.name === stream) return ['ERROR'];
  if (t.type === 'STREAM_STATUS' && t.stream_status?.stream_descriptor.name === stream && t.stream_status.status !== 'RUNNING') return [t.stream_status.status];
  return [];
});

async function read(handler: Handler, streams: string[], opts: { config?: Record<string, unknown>; tls?: boolean; incremental?: boolean; state?: unknown } = {}) {
  server = await startBadServer(handler, opts.tls ? { tls: true } : {});
  const files = tempFiles({
    'config.json': { credentials: { auth_type: 'api_token', api_token: TOKEN }, api_url: server.url, request_timeout_seconds: 1, ...opts.config },
    'catalog.json': catalog(streams, opts.incremental),
    ...(opts.state !== undefined ? { 'state.json': opts.state } : {}),
  });
  const started = Date.now();
  const r = await runCli(['read', '--config', files['config.json'] as string, '--catalog', files['catalog.json'] as string,
    ...(files['state.json'] ? ['--state', files['state.json']] : [])], { timeoutMs: 90_000 });
  return { r, ms: Date.now() - started };
}

const never: Handler = () => { /* accepts the request and never answers */ };

describe('a server that accepts the connection and never answers', () => {
  it('one stream: the request times out, is retried within its window, and the read ends with a transient_error', async () => {
    const { r, ms } = await read(never, ['currencies']);
    expect(r.code).toBe(1);
    const [err] = errorsOf(r);
    expect(err).toMatchObject({ failure_type: 'transient_error', stream_descriptor: { name: 'currencies' } });
    expect(err?.message).toMatch(/GET \/api\/v1\/currencies: no answer within 1 s \(ETIMEDOUT\)/);
    expect(typesOf(r, 'currencies')).toEqual(['STARTED', 'STATE', 'ERROR', 'INCOMPLETE']);
    // 1 s per attempt, retried for at most 4.5 s after the first: a few attempts, then the end.
    expect(server?.requests.length).toBeGreaterThanOrEqual(2);
    expect(server?.requests.length).toBeLessThanOrEqual(5);
    expect(ms).toBeLessThan(12_000);
  });

  it('every stream: the circuit breaker stops the whole read after 10 failed requests in a row', async () => {
    const streams = ['activity_types', 'currencies', 'filters', 'goals', 'lead_labels', 'lead_sources', 'legacy_teams', 'permission_sets', 'roles', 'users'];
    const { r, ms } = await read(never, streams, { config: { num_workers: 3 } });
    expect(r.code).toBe(1);
    const messages = errorsOf(r).map((e) => e.message);
    expect(messages.some((m) => /^Pipedrive could not be reached: the last 10 requests all failed with network errors or timeouts/.test(m))).toBe(true);
    expect(errorsOf(r).every((e) => e.failure_type === 'transient_error')).toBe(true);
    for (const s of streams) expect(statusesOf(r, s), s).toEqual(['STARTED', 'INCOMPLETE']);
    // Without the breaker: 10 streams × ~4.5 s, 3 at a time ≈ 16 s; with it, about 10 attempts of 1 s, 3 at once.
    expect(server?.requests.length).toBeLessThanOrEqual(14);
    expect(ms).toBeLessThan(10_000);
  });
});

describe('rate limits', () => {
  it('a 429 whose reset is a day away ends the read at once, saying when it resets (UTC)', async () => {
    const handler: Handler = (req, res) => {
      if (req.path === '/api/v2/deals') return json(res, 429, { success: false, error: 'Request over limit' }, { 'x-ratelimit-limit': '80', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '86400' });
      if (req.path === '/api/v2/persons') return json(res, 200, v2Page([{ id: 1, update_time: '2026-01-01T00:00:00Z' }], null));
      return json(res, 404, { success: false, error: 'not here' });
    };
    const state = [{ type: 'STREAM', stream: { stream_descriptor: { name: 'deals' }, stream_state: { update_time: '2026-10-01T00:00:00Z' } } }];
    const before = Date.now();
    const { r, ms } = await read(handler, ['deals', 'persons'], { incremental: true, state });
    expect(r.code).toBe(1);
    const err = errorsOf(r).find((e) => e.stream_descriptor?.name === 'deals');
    expect(err?.failure_type).toBe('transient_error');
    const at = /resets at (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ) \(in about 24 hours\)/.exec(err?.message ?? '');
    expect(at, err?.message).not.toBeNull();
    expect(Math.abs(Date.parse(at?.[1] ?? '') - (before + 86_400_000))).toBeLessThan(120_000);
    expect(err?.message).toContain('resumes from the last state');
    // The stream hands back the state it started from.
    const states = ofType(r.messages, 'STATE').map((m) => m['state'] as { stream: { stream_descriptor: { name: string }; stream_state: Record<string, unknown> } });
    expect(states.filter((s) => s.stream.stream_descriptor.name === 'deals').map((s) => s.stream.stream_state)).toEqual([{ update_time: '2026-10-01T00:00:00Z' }]);
    expect(typesOf(r, 'deals')).toEqual(['STARTED', 'STATE', 'ERROR', 'INCOMPLETE']);
    expect(server?.requests.filter((q) => q.path === '/api/v2/deals')).toHaveLength(1);
    expect(ms).toBeLessThan(8_000);
  });
});

describe('answers that are not what they claim', () => {
  it('200 with success: false fails the stream with Pipedrive\'s text', async () => {
    const { r } = await read((req, res) => json(res, 200, { success: false, error: 'Company is suspended', error_info: 'Contact support' }), ['currencies']);
    expect(r.code).toBe(1);
    const [err] = errorsOf(r);
    expect(err?.failure_type).toBe('system_error');
    expect(err?.message).toBe('Pipedrive answered 200 with success: false to GET /api/v1/currencies: Company is suspended (Contact support)');
    expect(statusesOf(r, 'currencies')).toEqual(['STARTED', 'INCOMPLETE']);
  });

  it('204, a body without data, or data that is not a list: a system_error naming the endpoint and what came back', async () => {
    const handler: Handler = (req, res) => {
      if (req.path === '/api/v1/currencies') { res.writeHead(204); res.end(); return; }
      if (req.path === '/api/v1/activityTypes') return json(res, 200, { success: true });
      if (req.path === '/api/v1/filters') return json(res, 200, { success: true, data: 'maintenance' });
      return json(res, 200, { success: true, data: [] });
    };
    const { r } = await read(handler, ['currencies', 'activity_types', 'filters', 'lead_sources']);
    expect(r.code).toBe(1);
    const by = (s: string) => errorsOf(r).find((e) => e.stream_descriptor?.name === s);
    expect(by('currencies')?.message).toBe('Pipedrive answered GET /api/v1/currencies with 204 No Content instead of a page of records at data; the stream cannot be read from this answer');
    expect(by('activity_types')?.message).toBe('Pipedrive answered GET /api/v1/activityTypes with 200 with an object with the keys success instead of a page of records at data; the stream cannot be read from this answer');
    expect(by('filters')?.message).toContain('GET /api/v1/filters with 200 with an object with the keys success, data (data is string)');
    for (const s of ['currencies', 'activity_types', 'filters']) expect(by(s)?.failure_type, s).toBe('system_error');
    // An empty list (`data: []`, or v1's `data: null`) is a page.
    expect(statusesOf(r, 'lead_sources')).toEqual(['STARTED', 'COMPLETE']);
  });
});

describe('paging that never ends', () => {
  it('v2 next_cursor that changes every page while the records repeat: stops at the first repeated page and fails', async () => {
    let n = 0;
    const deals = [1, 2, 3, 4, 5].map((id) => ({ id, update_time: '2026-01-01T00:00:00Z' }));
    const handler: Handler = (req, res) => {
      if (req.path === '/api/v2/deals') return json(res, 200, v2Page(deals, `c${++n}`));
      return json(res, 200, { success: true, data: { total_count: 5 } });
    };
    const { r, ms } = await read(handler, ['deals']);
    expect(r.code).toBe(1);
    const [err] = errorsOf(r);
    expect(err?.failure_type).toBe('system_error');
    expect(err?.message).toMatch(/^Pipedrive's paging of GET \/api\/v2\/deals went in a loop: page 2 repeats records of the pages before it/);
    expect(recordsOf(r, 'deals').map((d) => d['id'])).toEqual([1, 2, 3, 4, 5]);
    // The request for the next page goes out before a page is checked (pipelining): a page or two more, no loop.
    expect(server?.requests.filter((q) => q.path === '/api/v2/deals').length).toBeLessThanOrEqual(4);
    expect(statusesOf(r, 'deals')).toEqual(['STARTED', 'INCOMPLETE']);
    expect(ms).toBeLessThan(8_000);
  });

  it('a cursor cycle A → B → A fails the stream instead of claiming COMPLETE', async () => {
    const next: Record<string, string> = { '': 'A', A: 'B', B: 'A' };
    let id = 0;
    const handler: Handler = (req, res) => {
      if (req.path === '/api/v2/pipelines') return json(res, 200, v2Page([{ id: ++id, update_time: '2026-01-01T00:00:00Z' }], next[req.query['cursor'] ?? ''] ?? null));
      return json(res, 404, { success: false });
    };
    const { r } = await read(handler, ['pipelines']);
    expect(r.code).toBe(1);
    expect(errorsOf(r)[0]?.message).toMatch(/^Pipedrive's paging of GET \/api\/v2\/pipelines went in a loop: page 4 would ask for a cursor or offset already read/);
    expect(recordsOf(r, 'pipelines')).toHaveLength(3);
    expect(statusesOf(r, 'pipelines')).toEqual(['STARTED', 'INCOMPLETE']);
  });

  it('v1 next_start that does not advance, or goes back, while more_items_in_collection is true: the stream fails', async () => {
    const handler: Handler = (req, res) => {
      const start = Number(req.query['start'] ?? 0);
      const page = (nextStart: number) => ({ success: true, data: [{ id: start + 1, update_time: '2026-01-01 00:00:00' }], additional_data: { pagination: { start, limit: 100, more_items_in_collection: true, next_start: nextStart } } });
      if (req.path === '/api/v1/files') return json(res, 200, page(start)); // stuck
      if (req.path === '/api/v1/notes') return json(res, 200, page(start === 0 ? 500 : 0)); // goes back
      return json(res, 404, { success: false });
    };
    const { r } = await read(handler, ['files', 'notes']);
    expect(r.code).toBe(1);
    const by = (s: string) => errorsOf(r).find((e) => e.stream_descriptor?.name === s)?.message;
    expect(by('files')).toBe("Pipedrive's paging of GET /api/v1/files did not move on: it said there are more items but gave the next start 0 after start 0, so the rest of the stream cannot be read");
    expect(by('notes')).toBe("Pipedrive's paging of GET /api/v1/notes did not move on: it said there are more items but gave the next start 0 after start 500, so the rest of the stream cannot be read");
    expect(statusesOf(r, 'files')).toEqual(['STARTED', 'INCOMPLETE']);
    expect(statusesOf(r, 'notes')).toEqual(['STARTED', 'INCOMPLETE']);
  });
});

describe('records without a primary key', () => {
  it('are skipped, with one WARN per stream counting them', async () => {
    const handler: Handler = (req, res) => json(res, 200, { success: true, data: [{ id: 1, code: 'EUR' }, { id: null, code: 'USD' }, { code: 'GBP' }, { id: 4, code: 'SEK' }] });
    const { r } = await read(handler, ['currencies']);
    expect(r.code).toBe(0);
    expect(recordsOf(r, 'currencies').map((c) => c['code'])).toEqual(['EUR', 'SEK']);
    expect(logsOf(r, 'WARN')).toEqual(['currencies: skipped 2 records without a primary key (id missing or null): destinations that deduplicate by key cannot take them']);
    const state = ofType(r.messages, 'STATE').at(-1)?.['state'] as { sourceStats: { recordCount: number } };
    expect(state.sourceStats.recordCount).toBe(2);
    expect(statusesOf(r, 'currencies')).toEqual(['STARTED', 'COMPLETE']);
  });
});

describe('transport', () => {
  it('https with a self-signed certificate: a TLS certificate problem, what to check, no retries, never "disable verification"', async () => {
    const { r, ms } = await read((req, res) => json(res, 200, { success: true, data: [] }), ['currencies'], { tls: true });
    expect(r.code).toBe(1);
    const [err] = errorsOf(r);
    expect(err?.failure_type).toBe('config_error');
    expect(err?.message).toMatch(/^The TLS certificate of 127\.0\.0\.1 is not trusted on GET \/api\/v1\/currencies \((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)\)/);
    expect(err?.message).toContain('NODE_EXTRA_CA_CERTS');
    expect(err?.message).toContain('api_url');
    expect(r.stdout + r.stderr).not.toMatch(/rejectUnauthorized|NODE_TLS_REJECT_UNAUTHORIZED|disable/i);
    expect(r.stderr).not.toMatch(/retry \d/);
    expect(ms).toBeLessThan(5_000);
  });

  it('a 200 whose body streams without end, fast: a readable system_error at the size limit, no uncaught exception', async () => {
    const chunk = Buffer.alloc(1 << 20, 'x');
    const endless: Handler = (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"success":true,"data":[{"id":1,"code":"');
      const pump = (): void => { while (!res.destroyed && res.write(chunk)); if (!res.destroyed) res.once('drain', pump); };
      pump();
    };
    const { r, ms } = await read(endless, ['currencies']);
    expect(r.code).toBe(1);
    const [err] = errorsOf(r);
    expect(err?.failure_type).toBe('system_error');
    expect(err?.message).toMatch(/^Pipedrive's answer to GET \/api\/v1\/currencies is larger than 64 MB \(the limit of one answer\)/);
    expect(r.stderr).not.toMatch(/\n\s+at .*:\d+:\d+/);
    expect(statusesOf(r, 'currencies')).toEqual(['STARTED', 'INCOMPLETE']);
    expect(ms).toBeLessThan(30_000);
  });
});

describe('OAuth', () => {
  /** An OAuth server and API in one: refresh tokens rotate on every refresh and the old one stops working. */
  function oauthServer(opts: { onToken?: () => void; tokenDelayMs?: number; apiDomain?: () => string } = {}) {
    let generation = 1;
    const refresh = new Set(['emulator-refresh-1']);
    const access = new Set(['emulator-access-1']);
    const usedOnce = new Set<string>();
    const handler: Handler = (req, res) => {
      if (req.path === '/oauth/token') {
        const token = new URLSearchParams(req.body).get('refresh_token') ?? '';
        if (!refresh.has(token)) return json(res, 400, { error: 'invalid_grant', error_description: 'Invalid refresh token' });
        refresh.delete(token);
        generation++;
        refresh.add(`emulator-refresh-${generation}`);
        access.add(`emulator-access-${generation}`);
        const answer = { access_token: `emulator-access-${generation}`, refresh_token: `emulator-refresh-${generation}`, expires_in: 3600, token_type: 'Bearer', ...(opts.apiDomain ? { api_domain: opts.apiDomain() } : {}) };
        opts.onToken?.();
        setTimeout(() => json(res, 200, answer), opts.tokenDelayMs ?? 0);
        return;
      }
      const bearer = String(req.headers['authorization'] ?? '').replace(/^Bearer /, '');
      // The first access token is revoked after its first use: the next request gets a 401 and the read refreshes.
      if (!access.has(bearer) || (bearer === 'emulator-access-1' && usedOnce.has(bearer))) return json(res, 401, { success: false, error: 'unauthorized' });
      usedOnce.add(bearer);
      if (req.path === '/api/v2/deals') {
        const page = Number(req.query['cursor'] ?? 0);
        return json(res, 200, v2Page([{ id: page + 1, update_time: '2026-01-01T00:00:00Z' }], page < 3 ? String(page + 1) : null));
      }
      if (req.path === '/api/v1/deals/summary') return json(res, 200, { success: true, data: { total_count: 4 } });
      return json(res, 200, { success: true, data: [{ id: 1, code: 'EUR' }] });
    };
    return handler;
  }
  const oauthConfig = (url: string, extra: Record<string, unknown> = {}) => ({
    credentials: { auth_type: 'oauth2.0', client_id: 'cid', client_secret: 'emulator-secret', refresh_token: 'emulator-refresh-1', ...extra },
    oauth_url: url,
    request_timeout_seconds: 5,
  });
  const lastControl = (r: CliResult) => (ofType(r.messages, 'CONTROL').at(-1)?.['control'] as { connectorConfig: { config: Record<string, unknown> & { credentials: Record<string, unknown> } } } | undefined)?.connectorConfig.config;

  it('SIGTERM while a refresh is in flight: the answer is waited for and the rotated token persisted before the exit; the next run can refresh', async () => {
    let child: import('node:child_process').ChildProcess | undefined;
    server = await startBadServer(oauthServer({ tokenDelayMs: 1500, onToken: () => child?.kill('SIGTERM') }));
    const far = new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const files = tempFiles({
      'config.json': { ...oauthConfig(server.url, { access_token: 'emulator-access-1', token_expiry_date: far }), api_url: server.url },
      'catalog.json': catalog(['deals']),
    });
    const r = await runCli(['read', '--config', files['config.json'] as string, '--catalog', files['catalog.json'] as string], { onSpawn: (c) => { child = c; } });
    expect(r.code).toBe(143);
    expect(server.requests.filter((q) => q.path === '/oauth/token')).toHaveLength(1);
    const persisted = lastControl(r);
    expect(persisted?.credentials).toMatchObject({ refresh_token: 'emulator-refresh-2', access_token: 'emulator-access-2' });
    expect(statusesOf(r, 'deals')).toEqual(['STARTED', 'INCOMPLETE']);
    // The next run starts from the persisted config; without an access token it must refresh, with the new token.
    const { access_token: _dropped, ...credentials } = persisted?.credentials ?? {};
    const again = tempFiles({ 'config.json': { ...persisted, credentials }, 'catalog.json': catalog(['deals']) });
    const next = await runCli(['read', '--config', again['config.json'] as string, '--catalog', again['catalog.json'] as string]);
    expect(next.code, next.stderr.slice(-800)).toBe(0);
    expect(recordsOf(next, 'deals').map((d) => d['id'])).toEqual([1, 2, 3, 4]);
    expect(next.stdout + next.stderr).not.toContain('invalid_grant');
  });

  it('persists api_domain with the tokens, and a run from the persisted config (access token still valid) calls that domain', async () => {
    server = await startBadServer(oauthServer({ apiDomain: () => server?.url ?? '' }));
    const files = tempFiles({ 'config.json': oauthConfig(server.url), 'catalog.json': catalog(['currencies']) });
    const first = await runCli(['read', '--config', files['config.json'] as string, '--catalog', files['catalog.json'] as string]);
    expect(first.code, first.stderr.slice(-800)).toBe(0);
    const persisted = lastControl(first);
    expect(persisted?.credentials).toMatchObject({ access_token: 'emulator-access-2', api_domain: server.url });
    expect(persisted?.['api_url']).toBeUndefined();
    server.requests.length = 0;
    const again = tempFiles({ 'config.json': persisted, 'catalog.json': catalog(['currencies']) });
    const second = await runCli(['read', '--config', again['config.json'] as string, '--catalog', again['catalog.json'] as string]);
    expect(second.code, second.stderr.slice(-800)).toBe(0);
    expect(recordsOf(second, 'currencies')).toEqual([{ id: 1, code: 'EUR' }]);
    // No refresh was needed, and the requests went to the persisted domain (not api.pipedrive.com).
    expect(server.requests.map((q) => `${q.method} ${q.path}`)).toEqual(['GET /api/v1/currencies']);
    expect(server.requests[0]?.headers['authorization']).toBe('Bearer emulator-access-2');
  });
});
