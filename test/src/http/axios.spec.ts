import http from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HttpError, NetworkError, RateLimitError } from '../../../src/errors.js';
import { createAxiosPort } from '../../../src/http/axios.js';
import type { HttpRequest } from '../../../src/http/port.js';

const BASE = 'https://api.pipedrive.com';
const TOKEN = 'tok_9f8e7d6c5b4a39281706';
const SECRET_QUERY = 'filter_id=42&secretish=zz_query_value';

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
});
afterEach(() => {
  nock.cleanAll();
});
afterAll(() => {
  nock.enableNetConnect();
  nock.restore();
});

async function failure(port: ReturnType<typeof createAxiosPort>, request: HttpRequest): Promise<unknown> {
  try {
    await firstValueFrom(port(request));
  } catch (err) {
    return err;
  }
  throw new Error('expected the request to fail');
}

/** Neither the token nor the query string may appear anywhere in the error. */
function expectSecretFree(err: unknown): void {
  const texts = [(err as Error).message, JSON.stringify(err), String((err as Error).stack)];
  for (const text of texts) {
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain('zz_query_value');
    expect(text).not.toContain('filter_id');
    expect(text).not.toContain('?');
  }
}

const get = (path: string, extra: Partial<HttpRequest> = {}): HttpRequest => ({
  method: 'GET',
  url: `${BASE}${path}`,
  params: { filter_id: 42, secretish: 'zz_query_value' },
  headers: { 'x-api-token': TOKEN },
  ...extra,
});

describe('createAxiosPort', () => {
  it('emits one response for a 200 with parsed JSON and lower-cased headers, then completes', async () => {
    nock(BASE)
      .get('/api/v2/deals')
      .query({ limit: '500', cursor: 'abc', flag: 'true' })
      .matchHeader('x-api-token', TOKEN)
      .reply(200, { success: true, data: [{ id: 1 }] }, { 'X-RateLimit-Remaining': '39', 'Content-Type': 'application/json' });
    const port = createAxiosPort();
    const all = await lastValueFrom(
      port({ method: 'GET', url: `${BASE}/api/v2/deals`, params: { limit: 500, cursor: 'abc', flag: true }, headers: { 'x-api-token': TOKEN } })
        .pipe(toArray()),
    );
    expect(all).toHaveLength(1);
    const res = all[0]!;
    expect(res.status).toBe(200);
    expect(res.data).toEqual({ success: true, data: [{ id: 1 }] });
    expect(res.headers['x-ratelimit-remaining']).toBe('39');
    expect(Object.keys(res.headers).every((k) => k === k.toLowerCase())).toBe(true);
    expect(Object.values(res.headers).every((v) => typeof v === 'string')).toBe(true);
  });

  it('sends comma-separated params (encoded) and a POST body', async () => {
    nock(BASE)
      .get('/api/v2/deals')
      .query({ status: 'open,won,lost,deleted' })
      .reply(200, { data: [] });
    nock(BASE)
      .post('/oauth/token', 'grant_type=refresh_token&refresh_token=r1')
      .matchHeader('content-type', 'application/x-www-form-urlencoded')
      .reply(200, { access_token: 'a' });
    const port = createAxiosPort();
    await expect(firstValueFrom(port({ method: 'GET', url: `${BASE}/api/v2/deals`, params: { status: 'open,won,lost,deleted' } })))
      .resolves.toMatchObject({ status: 200 });
    await expect(firstValueFrom(port({
      method: 'POST',
      url: `${BASE}/oauth/token`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=refresh_token&refresh_token=r1',
    }))).resolves.toMatchObject({ status: 200, data: { access_token: 'a' } });
  });

  it('sends a user agent', async () => {
    nock(BASE).get('/v1/users').matchHeader('user-agent', 'source-pipedrive/9').reply(200, { data: [] });
    await firstValueFrom(createAxiosPort({ userAgent: 'source-pipedrive/9' })({ method: 'GET', url: `${BASE}/v1/users` }));
  });

  it.each([
    [404, { success: false, error: 'Unknown method .', error_info: 'Please check developers.pipedrive.com' }, 'Unknown method'],
    [410, { success: false, error: 'This endpoint is deprecated' }, 'deprecated'],
    [402, { success: false, error: 'Payment required' }, 'Payment required'],
    [400, { success: false, error: `Bad request ${TOKEN}` }, 'Bad request'],
  ])('%i → HttpError with status and a pathname-only, secret-free message', async (status, body, text) => {
    nock(BASE).get('/v1/goals/find').query(true).reply(status, body);
    const err = await failure(createAxiosPort(), get('/v1/goals/find'));
    expect(err).toBeInstanceOf(HttpError);
    expect(err).not.toBeInstanceOf(RateLimitError);
    const e = err as HttpError;
    expect(e.status).toBe(status);
    expect(e.method).toBe('GET');
    expect(e.path).toBe('/v1/goals/find');
    expect(e.message).toContain('/v1/goals/find');
    expect(e.message).toContain(String(status));
    expect(e.message).toContain(text);
    expectSecretFree(err);
  });

  it('404 includes error_info from the Pipedrive envelope', async () => {
    nock(BASE).get('/v1/nothing').query(true).reply(404, { success: false, error: 'Not found', error_info: 'See the docs' });
    const e = (await failure(createAxiosPort(), get('/v1/nothing'))) as HttpError;
    expect(e.body).toBe('Not found (See the docs)');
    expect(e.failureType).toBe('system_error');
  });

  it('429 with x-ratelimit-reset → RateLimitError with resetSeconds', async () => {
    nock(BASE).get('/api/v2/persons').query(true)
      .reply(429, { success: false, error: 'Rate limit exceeded' }, { 'x-ratelimit-reset': '2', 'x-ratelimit-remaining': '0' });
    const err = await failure(createAxiosPort(), get('/api/v2/persons'));
    expect(err).toBeInstanceOf(RateLimitError);
    const e = err as RateLimitError;
    expect(e.status).toBe(429);
    expect(e.resetSeconds).toBe(2);
    expect(e.daily).toBe(false);
    expect(e.retryable).toBe(true);
    expect(e.failureType).toBe('transient_error');
    expectSecretFree(err);
  });

  it('429 with retry-after only → resetSeconds from retry-after', async () => {
    nock(BASE).get('/api/v2/persons').query(true).reply(429, 'Too many requests', { 'retry-after': '7' });
    const e = (await failure(createAxiosPort(), get('/api/v2/persons'))) as RateLimitError;
    expect(e.resetSeconds).toBe(7);
    expect(e.daily).toBe(false);
  });

  it('daily 429 (error text) → daily true, not retryable', async () => {
    nock(BASE).get('/api/v2/deals').query(true)
      .reply(429, { success: false, error: 'Daily rate limit exceeded for the company' }, { 'x-ratelimit-reset': '3600' });
    const e = (await failure(createAxiosPort(), get('/api/v2/deals'))) as RateLimitError;
    expect(e).toBeInstanceOf(RateLimitError);
    expect(e.daily).toBe(true);
    expect(e.retryable).toBe(false);
    expect(e.resetSeconds).toBe(3600);
    expect(e.message).toMatch(/daily/i);
    expectSecretFree(e);
  });

  it('daily 429 (x-daily-requests-left: 0 header) → daily true', async () => {
    nock(BASE).get('/api/v2/deals').query(true)
      .reply(429, { success: false, error: 'Too many requests' }, { 'x-daily-requests-left': '0', 'x-ratelimit-reset': '2' });
    const e = (await failure(createAxiosPort(), get('/api/v2/deals'))) as RateLimitError;
    expect(e.daily).toBe(true);
  });

  it('503 with a Cloudflare HTML page → readable message without tags', async () => {
    const html = `<!DOCTYPE html><html><head><title>api.pipedrive.com | 503: Service temporarily unavailable</title>
      <style>body{color:red}</style></head><body><h1>Service Unavailable</h1><div class="cf">Ray ID: 1234</div></body></html>`;
    nock(BASE).get('/api/v2/activities').query(true).reply(503, html, { 'content-type': 'text/html; charset=UTF-8' });
    const e = (await failure(createAxiosPort(), get('/api/v2/activities'))) as HttpError;
    expect(e).toBeInstanceOf(HttpError);
    expect(e.status).toBe(503);
    expect(e.retryable).toBe(true);
    expect(e.message).toContain('an HTML error page (title: api.pipedrive.com | 503: Service temporarily unavailable)');
    expect(e.message).not.toMatch(/<[a-z!/]/i);
    expect(e.body).not.toMatch(/<[a-z!/]/i);
    expectSecretFree(e);
  });

  it('truncates long error bodies to about 300 characters', async () => {
    nock(BASE).get('/v1/files').query(true).reply(500, 'x'.repeat(5000));
    const e = (await failure(createAxiosPort(), get('/v1/files'))) as HttpError;
    expect(e.body.length).toBeLessThanOrEqual(300);
  });

  it('truncated JSON 200 → NetworkError EBADBODY (retryable)', async () => {
    nock(BASE).get('/api/v2/deals').query(true).reply(200, '{"success":true,"data":[{"id":1},', { 'content-type': 'application/json' });
    const err = await failure(createAxiosPort(), get('/api/v2/deals'));
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as NetworkError).code).toBe('EBADBODY');
    expect((err as NetworkError).retryable).toBe(true);
    expect((err as Error).message).toMatch(/truncated or non-JSON body/);
    expect((err as Error).message).toContain('/api/v2/deals');
    expectSecretFree(err);
  });

  it('ECONNRESET → NetworkError', async () => {
    // nock 14 destroys the request with the given value; a plain object is not an Error and is dropped (the request
    // then hangs), so the error is a real Error with a code. Its message carries the full URL, which must not leak.
    nock(BASE).get('/api/v2/deals').query(true)
      .replyWithError(Object.assign(new Error(`socket hang up ${BASE}/api/v2/deals?${SECRET_QUERY} ${TOKEN}`), { code: 'ECONNRESET' }));
    const err = await failure(createAxiosPort({ timeoutMs: 5000 }), get('/api/v2/deals'));
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as NetworkError).code).toBe('ECONNRESET');
    expect((err as NetworkError).retryable).toBe(true);
    expect((err as Error).message).toContain('GET /api/v2/deals');
    expectSecretFree(err);
  });

  it('ENOTFOUND → NetworkError naming the host', async () => {
    nock('https://nosuch.pipedrive.com').get('/api/v1/users').query(true)
      .replyWithError(Object.assign(new Error('getaddrinfo ENOTFOUND nosuch.pipedrive.com'), { code: 'ENOTFOUND' }));
    const err = await failure(createAxiosPort({ timeoutMs: 5000 }), { ...get('/api/v1/users'), url: 'https://nosuch.pipedrive.com/api/v1/users' });
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as NetworkError).code).toBe('ENOTFOUND');
    expect((err as Error).message).toContain('nosuch.pipedrive.com');
    expectSecretFree(err);
  });

  it('ECONNREFUSED from a real closed port → NetworkError', async () => {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const err = await failure(createAxiosPort(), { ...get('/v1/users'), url: `http://127.0.0.1:${port}/api/v1/users` });
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as NetworkError).code).toBe('ECONNREFUSED');
    expectSecretFree(err);
  });

  it('EPIPE and a bare "socket hang up" → NetworkError', async () => {
    nock(BASE).get('/v1/a').replyWithError(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    nock(BASE).get('/v1/b').replyWithError(new Error('socket hang up'));
    const port = createAxiosPort({ timeoutMs: 5000 });
    const a = await failure(port, { method: 'GET', url: `${BASE}/v1/a` });
    const b = await failure(port, { method: 'GET', url: `${BASE}/v1/b` });
    expect(a).toBeInstanceOf(NetworkError);
    expect((a as NetworkError).code).toBe('EPIPE');
    expect(b).toBeInstanceOf(NetworkError);
    expect((b as NetworkError).code).toBe('ECONNRESET');
  });

  it('timeout → NetworkError ETIMEDOUT', async () => {
    nock(BASE).get('/api/v2/deals').query(true).delay(2000).reply(200, { data: [] });
    const started = Date.now();
    const err = await failure(createAxiosPort({ timeoutMs: 100 }), get('/api/v2/deals'));
    expect(Date.now() - started).toBeLessThan(1500);
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as NetworkError).code).toBe('ETIMEDOUT');
    expect((err as NetworkError).retryable).toBe(true);
    expectSecretFree(err);
  });

  it('per-request timeoutMs overrides the default', async () => {
    nock(BASE).get('/api/v2/deals').query(true).delay(2000).reply(200, { data: [] });
    const err = await failure(createAxiosPort({ timeoutMs: 60_000 }), get('/api/v2/deals', { timeoutMs: 100 }));
    expect((err as NetworkError).code).toBe('ETIMEDOUT');
  });

  it('is cold: nothing is sent before subscription', async () => {
    const scope = nock(BASE).get('/v1/users').reply(200, { data: [] });
    const port = createAxiosPort();
    const obs = port({ method: 'GET', url: `${BASE}/v1/users` });
    await new Promise((r) => setTimeout(r, 50));
    expect(scope.isDone()).toBe(false);
    await firstValueFrom(obs);
    expect(scope.isDone()).toBe(true);
  });

  it('unsubscribing aborts the request (nock delay)', async () => {
    nock(BASE).get('/api/v2/deals').query(true).delay(300).reply(200, { data: [] });
    const port = createAxiosPort();
    const seen: string[] = [];
    const sub = port(get('/api/v2/deals')).subscribe({
      next: () => seen.push('next'),
      error: () => seen.push('error'),
      complete: () => seen.push('complete'),
    });
    await new Promise((r) => setTimeout(r, 50));
    sub.unsubscribe();
    await new Promise((r) => setTimeout(r, 500));
    expect(seen).toEqual([]);
  });

  it('unsubscribing aborts the request (the server sees the connection close)', async () => {
    let closed!: () => void;
    const closedP = new Promise<void>((resolve) => { closed = resolve; });
    let arrived!: () => void;
    const arrivedP = new Promise<void>((resolve) => { arrived = resolve; });
    const server = http.createServer((_req, res) => {
      arrived();
      res.on('close', () => closed());
      // never answers
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const sub = createAxiosPort()({ method: 'GET', url: `http://127.0.0.1:${port}/api/v2/deals` }).subscribe();
      await arrivedP;
      sub.unsubscribe();
      await closedP;
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
