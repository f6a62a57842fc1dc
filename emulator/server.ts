/**
 * The Pipedrive emulator: a node:http server on 127.0.0.1 serving the endpoints of the stream plan
 * with Pipedrive's auth (API token, OAuth bearer + refresh-token rotation), rolling-window burst
 * limits, a daily token budget, injected faults, a request log and an admin API under `/__admin/`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Api, ERROR_INFO, errorBody, type Query } from './api.js';
import { Records } from './records.js';
import { unit } from './rng.js';
import { ALL_TRUTH_STREAMS, groundTruth, primaryKeyOf } from './truth.js';
import { Mutator, removedSince, type MutationChange, type MutationResult } from './mutations.js';
import { parseV2Time, isoZ } from './time.js';
import { World } from './world.js';

export interface EmulatorOptions {
  port?: number;
  seed?: number;
  sizes?: Partial<Record<string, number>>;
  apiToken?: string;
  oauth?: { clientId: string; clientSecret: string; refreshToken: string; accessTokenTtlRequests?: number };
  rateLimit?: { burst: number; windowMs?: number } | null;
  dailyBudget?: number | null;
  latencyMs?: number;
  faults?: { error5xx?: number; reset?: number; truncate?: number };
  now?: Date;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
  tokenCost: number;
  auth: 'token' | 'bearer' | 'none';
  at: number;
}

export type Knobs = Partial<Pick<EmulatorOptions, 'rateLimit' | 'dailyBudget' | 'latencyMs' | 'faults'>> & {
  oauth?: { accessTokenTtlRequests?: number };
};

export interface Emulator {
  url: string;
  port: number;
  config(extra?: object): Record<string, unknown>;
  oauthConfig(extra?: object): Record<string, unknown>;
  groundTruth(stream: string): Iterable<Record<string, unknown>>;
  primaryKey(stream: string): string[][];
  mutate(change: MutationChange): MutationResult;
  /**
   * Ids of an entity's records that left every endpoint at or after `since` (RFC 3339 or a Date): hard deletes,
   * merged-away records, and deals deleted more than 30 days before the clock. For tombstone tests.
   */
  removedSince(entity: string, since: string | Date): unknown[];
  /** The emulator's clock (RFC 3339): `now`, advanced by every mutation. */
  now(): string;
  set(knobs: Knobs): void;
  requests: RequestLogEntry[];
  resetLog(): void;
  close(): Promise<void>;
}

const DEFAULT_NOW = new Date('2026-11-01T00:00:00Z');
const OAUTH_SCOPE = 'base deals:full contacts:full activities:full products:full leads:full projects:full mail:read users:read admin';
/** Nominal burst reported in headers when no rate limit is configured. */
const UNLIMITED_BURST = 10000;
const MAX_LOG = 200000;

interface AccessToken {
  left: number;
}

function secondsToUtcMidnight(ms: number): number {
  const d = new Date(ms);
  const next = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
  return Math.max(1, Math.ceil((next - ms) / 1000));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const seed = options.seed ?? 1;
  const apiToken = options.apiToken ?? 'emulator-token';
  const oauthOpts = {
    clientId: options.oauth?.clientId ?? 'emulator-client',
    clientSecret: options.oauth?.clientSecret ?? 'emulator-secret',
    refreshToken: options.oauth?.refreshToken ?? 'emulator-refresh-0',
  };
  let accessTtl: number = options.oauth?.accessTokenTtlRequests ?? Infinity;
  let rateLimit: { burst: number; windowMs: number } | null = options.rateLimit
    ? { burst: options.rateLimit.burst, windowMs: options.rateLimit.windowMs ?? 2000 }
    : null;
  let dailyBudget: number | null = options.dailyBudget ?? null;
  let budgetUsed = 0;
  /** UTC day (wall clock) the budget usage belongs to; the budget resets when the day changes. */
  let budgetDay = Math.floor(Date.now() / 86_400_000);
  let latencyMs = options.latencyMs ?? 0;
  let faults = { error5xx: 0, reset: 0, truncate: 0, ...(options.faults ?? {}) };

  const world = new World({ seed, sizes: options.sizes ?? {}, now: options.now ?? DEFAULT_NOW });
  const records = new Records(world);
  const api = new Api(world, records);
  const mutator = new Mutator(world, records);

  const window: number[] = [];
  const log: RequestLogEntry[] = [];
  let apiRequestNo = 0;
  const refreshTokens = new Set<string>([oauthOpts.refreshToken]);
  let grants = 0;
  const accessTokens = new Map<string, AccessToken>();
  let issued = 0;
  let url = '';

  const knobs = (): Record<string, unknown> => ({
    rateLimit,
    dailyBudget,
    dailyBudgetUsed: budgetUsed,
    latencyMs,
    faults,
    oauth: { accessTokenTtlRequests: Number.isFinite(accessTtl) ? accessTtl : null },
  });

  const set = (k: Knobs): void => {
    if (k.rateLimit !== undefined) {
      rateLimit = k.rateLimit ? { burst: k.rateLimit.burst, windowMs: k.rateLimit.windowMs ?? 2000 } : null;
      window.length = 0;
    }
    if (k.dailyBudget !== undefined) {
      dailyBudget = k.dailyBudget;
      budgetUsed = 0;
    }
    if (k.latencyMs !== undefined) latencyMs = k.latencyMs;
    if (k.faults !== undefined) faults = { error5xx: 0, reset: 0, truncate: 0, ...k.faults };
    if (k.oauth?.accessTokenTtlRequests !== undefined) {
      accessTtl = k.oauth.accessTokenTtlRequests ?? Infinity;
      for (const t of accessTokens.values()) t.left = Math.min(t.left, accessTtl);
    }
  };

  const pushLog = (e: RequestLogEntry): void => {
    log.push(e);
    if (log.length > MAX_LOG) log.splice(0, log.length - MAX_LOG);
  };

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string | number> = {}): void => {
    const buf = Buffer.from(JSON.stringify(body), 'utf8');
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': buf.length, ...headers });
    res.end(buf);
  };

  /** Burst-limit bookkeeping: returns the headers, or null headers + retry seconds when over the limit. */
  const burst = (now: number): { ok: boolean; headers: Record<string, string | number> } => {
    const limit = rateLimit?.burst ?? UNLIMITED_BURST;
    const windowMs = rateLimit?.windowMs ?? 2000;
    while (window.length && window[0]! <= now - windowMs) window.shift();
    const resetSec = (): number => (window.length ? Math.max(1, Math.ceil((window[0]! + windowMs - now) / 1000)) : Math.ceil(windowMs / 1000));
    if (rateLimit && window.length >= limit) {
      const reset = resetSec();
      return { ok: false, headers: { 'x-ratelimit-limit': limit, 'x-ratelimit-remaining': 0, 'x-ratelimit-reset': reset, 'retry-after': reset } };
    }
    window.push(now);
    if (!rateLimit && window.length > UNLIMITED_BURST) window.shift();
    return { ok: true, headers: { 'x-ratelimit-limit': limit, 'x-ratelimit-remaining': Math.max(0, limit - window.length), 'x-ratelimit-reset': resetSec() } };
  };

  const dailyHeaders = (now: number): Record<string, string | number> =>
    dailyBudget === null
      ? {}
      : {
          'x-daily-ratelimit-limit': dailyBudget,
          'x-daily-ratelimit-remaining': Math.max(0, dailyBudget - budgetUsed),
          'x-daily-ratelimit-reset': secondsToUtcMidnight(now),
          'x-daily-requests-left': Math.max(0, dailyBudget - budgetUsed),
        };

  const handleOAuth = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req);
    const entry = (status: number): void =>
      pushLog({ method: req.method ?? 'POST', path: '/oauth/token', query: {}, status, tokenCost: 0, auth: 'none', at: Date.now() });
    const basic = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? '');
    const decoded = basic ? Buffer.from(basic[1]!, 'base64').toString('utf8') : '';
    const sep = decoded.indexOf(':');
    const form = new URLSearchParams(body);
    const clientId = sep >= 0 ? decoded.slice(0, sep) : form.get('client_id') ?? '';
    const clientSecret = sep >= 0 ? decoded.slice(sep + 1) : form.get('client_secret') ?? '';
    if (clientId !== oauthOpts.clientId || clientSecret !== oauthOpts.clientSecret) {
      entry(401);
      send(res, 401, { success: false, error: 'invalid_client', error_description: 'Invalid client credentials', errorCode: 401, error_info: ERROR_INFO });
      return;
    }
    if (form.get('grant_type') !== 'refresh_token') {
      entry(400);
      send(res, 400, { success: false, error: 'unsupported_grant_type', error_description: 'Only grant_type=refresh_token is supported by the emulator' });
      return;
    }
    const rt = form.get('refresh_token') ?? '';
    if (!refreshTokens.has(rt)) {
      entry(400);
      send(res, 400, { success: false, error: 'invalid_grant', error_description: 'Invalid refresh token' });
      return;
    }
    // Rotation: each refresh issues a new refresh token and invalidates the one used.
    refreshTokens.delete(rt);
    issued++;
    const refresh = `emulator-refresh-${issued}-${unit(seed, 98, issued, 1).toString(36).slice(2, 10)}`;
    refreshTokens.add(refresh);
    const access = `v1u:emulator-access-${issued}-${unit(seed, 98, issued, 2).toString(36).slice(2, 12)}`;
    accessTokens.set(access, { left: accessTtl });
    entry(200);
    send(res, 200, { access_token: access, token_type: 'Bearer', refresh_token: refresh, scope: OAUTH_SCOPE, expires_in: 3599, api_domain: url });
  };

  const handleAdmin = async (req: IncomingMessage, res: ServerResponse, path: string): Promise<void> => {
    const method = req.method ?? 'GET';
    const jsonBody = async (): Promise<unknown> => {
      const text = await readBody(req);
      return text.trim() ? JSON.parse(text) : {};
    };
    try {
      if (path === '/__admin/knobs') {
        if (method === 'POST' || method === 'PUT') set((await jsonBody()) as Knobs);
        send(res, 200, knobs());
        return;
      }
      if (path === '/__admin/mutate' && method === 'POST') {
        send(res, 200, mutator.mutate((await jsonBody()) as MutationChange));
        return;
      }
      if (path === '/__admin/requests') {
        if (method === 'DELETE') log.length = 0;
        send(res, 200, log);
        return;
      }
      if (path === '/__admin/reset-log' && method === 'POST') {
        log.length = 0;
        send(res, 200, { ok: true });
        return;
      }
      if (path === '/__admin/config') {
        send(res, 200, { api_token: emulator.config(), oauth: emulator.oauthConfig() });
        return;
      }
      if (path === '/__admin/streams') {
        send(res, 200, Object.fromEntries(ALL_TRUTH_STREAMS.map((k) => [k, { primaryKey: primaryKeyOf(k) }])));
        return;
      }
      const gone = /^\/__admin\/removed\/([a-z_]+)$/.exec(path);
      if (gone && method === 'GET') {
        send(res, 200, emulator.removedSince(gone[1]!, new URL(req.url ?? '/', 'http://127.0.0.1').searchParams.get('since') ?? '1970-01-01T00:00:00Z'));
        return;
      }
      if (path === '/__admin/now') {
        send(res, 200, { now: emulator.now() });
        return;
      }
      const m = /^\/__admin\/truth\/([a-z_]+)$/.exec(path);
      if (m && method === 'GET') {
        if (!primaryKeyOf(m[1]!)) {
          send(res, 404, { error: `unknown stream ${m[1]}` });
          return;
        }
        send(res, 200, [...groundTruth(m[1]!, world, records, api)]);
        return;
      }
      send(res, 404, { error: `unknown admin path ${method} ${path}` });
    } catch (e) {
      send(res, 400, { error: e instanceof Error ? e.message : String(e) });
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = u.pathname;
    if (path.startsWith('/__admin/')) return handleAdmin(req, res, path);
    if (latencyMs > 0) await new Promise((r) => setTimeout(r, latencyMs));
    const method = req.method ?? 'GET';
    if (path === '/oauth/token' || path === '/oauth/token/') {
      if (method !== 'POST') {
        send(res, 405, errorBody('Method not allowed'));
        return;
      }
      return handleOAuth(req, res);
    }
    const now = Date.now();
    if (Math.floor(now / 86_400_000) !== budgetDay) {
      budgetDay = Math.floor(now / 86_400_000);
      budgetUsed = 0;
    }
    const query: Record<string, string> = {};
    const q: Query = new Map();
    for (const [k, v] of u.searchParams) {
      if (k === 'api_token') {
        query[k] = '***';
        continue;
      }
      query[k] = v;
      q.set(k, v);
    }
    const entry: RequestLogEntry = { method, path, query, status: 0, tokenCost: 0, auth: 'none', at: now };
    // Authentication.
    const headerToken = req.headers['x-api-token'];
    const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    let authorized = false;
    if ((typeof headerToken === 'string' && headerToken === apiToken) || u.searchParams.get('api_token') === apiToken) {
      entry.auth = 'token';
      authorized = true;
    } else if (bearer !== undefined) {
      const t = accessTokens.get(bearer);
      if (t && t.left > 0) {
        t.left--;
        entry.auth = 'bearer';
        authorized = true;
      }
    }
    const rl = burst(now);
    const headers = { ...rl.headers, ...dailyHeaders(now) };
    const finish = (status: number, body: unknown, extra: Record<string, string | number> = {}): void => {
      entry.status = status;
      pushLog(entry);
      send(res, status, body, { ...headers, ...extra });
    };
    if (!authorized) {
      finish(401, { success: false, error: 'unauthorized access', errorCode: 401, error_info: ERROR_INFO, data: null, additional_data: null });
      return;
    }
    if (!rl.ok) {
      finish(429, { success: false, error: 'Request over limit', errorCode: 429, error_info: ERROR_INFO, data: null, additional_data: null });
      return;
    }
    const route = api.resolve(method, path);
    if (!route) {
      finish(404, errorBody('Unknown method .', { errorCode: 404 }));
      return;
    }
    if (dailyBudget !== null && budgetUsed + route.cost > dailyBudget) {
      const reset = secondsToUtcMidnight(now);
      finish(
        429,
        {
          success: false,
          error: 'Daily API token budget exceeded',
          errorCode: 429,
          error_info: `The company's daily token budget of ${dailyBudget} tokens is used up (this request costs ${route.cost}); it resets at 00:00 UTC, in ${reset} s.`,
          data: null,
          additional_data: null,
        },
        { 'x-daily-ratelimit-remaining': Math.max(0, dailyBudget - budgetUsed), 'x-daily-requests-left': 0, 'retry-after': reset },
      );
      return;
    }
    // Faults, decided by (seed, request number): 5xx and resets before the work, truncation after.
    const n = ++apiRequestNo;
    const f = unit(seed, 99, n, 1);
    const e5 = faults.error5xx ?? 0;
    const rs = faults.reset ?? 0;
    const tr = faults.truncate ?? 0;
    if (f < e5) {
      entry.status = unit(seed, 99, n, 2) < 0.5 ? 502 : 503;
      pushLog(entry);
      if (entry.status === 502) {
        const html = '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n';
        res.writeHead(502, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(html), ...headers });
        res.end(html);
      } else {
        send(res, 503, { success: false, error: 'Service temporarily unavailable', errorCode: 503, error_info: ERROR_INFO, data: null, additional_data: null }, headers);
      }
      return;
    }
    if (f < e5 + rs) {
      entry.status = 0;
      pushLog(entry);
      req.socket.destroy();
      return;
    }
    const result = route.exec(q);
    entry.tokenCost = result.tokenCost;
    if (dailyBudget !== null) {
      budgetUsed += result.tokenCost;
      Object.assign(headers, dailyHeaders(now));
    }
    if (f < e5 + rs + tr && result.status === 200) {
      entry.status = 200;
      pushLog(entry);
      const text = JSON.stringify(result.body);
      // Chunked transfer with half of the JSON, then a clean end: the body does not parse.
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(text.slice(0, Math.floor(text.length / 2)));
      return;
    }
    finish(result.status, result.body);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      process.stderr.write(`emulator: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      if (!res.headersSent) send(res, 500, errorBody('Internal server error'));
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  url = `http://127.0.0.1:${port}`;

  /**
   * A refresh token valid right now: the configured one while unused, otherwise a new grant (as if
   * the user authorized the app again), so every config handed out works once rotation has begun.
   */
  const grantRefreshToken = (): string => {
    if (refreshTokens.has(oauthOpts.refreshToken)) return oauthOpts.refreshToken;
    grants++;
    const t = `emulator-refresh-g${grants}-${unit(seed, 97, grants, 1).toString(36).slice(2, 10)}`;
    refreshTokens.add(t);
    return t;
  };

  const emulator: Emulator = {
    url,
    port,
    config: (extra = {}) => ({ credentials: { auth_type: 'api_token', api_token: apiToken }, api_url: url, ...extra }),
    oauthConfig: (extra = {}) => ({
      credentials: { auth_type: 'oauth2.0', client_id: oauthOpts.clientId, client_secret: oauthOpts.clientSecret, refresh_token: grantRefreshToken() },
      api_url: url,
      oauth_url: url,
      ...extra,
    }),
    groundTruth: (stream) => {
      if (!primaryKeyOf(stream)) throw new Error(`groundTruth: unknown stream '${stream}'`);
      return { [Symbol.iterator]: () => groundTruth(stream, world, records, api) };
    },
    primaryKey: (stream) => {
      const pk = primaryKeyOf(stream);
      if (!pk) throw new Error(`primaryKey: unknown stream '${stream}'`);
      return pk.map((p) => [...p]);
    },
    mutate: (change) => mutator.mutate(change),
    removedSince: (entity, since) => {
      const sec = since instanceof Date ? Math.floor(since.getTime() / 1000) : parseV2Time(since);
      if (sec === null) throw new Error(`removedSince: since must be RFC 3339 (got ${String(since)})`);
      return removedSince(world, entity, sec);
    },
    now: () => isoZ(world.clock),
    set,
    requests: log,
    resetLog: () => {
      log.length = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
  return emulator;
}
