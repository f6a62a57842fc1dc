import nock from 'nock';
import { firstValueFrom, forkJoin, lastValueFrom } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectorConfig, OAuthCredentials } from '../../../src/config/types.js';
import { ConfigError, HttpError, failureTypeOf } from '../../../src/errors.js';
import { createAuth } from '../../../src/http/auth.js';
import { createAxiosPort } from '../../../src/http/axios.js';

const API = 'https://api.pipedrive.com';
const OAUTH = 'https://oauth.pipedrive.com';
const COMPANY = 'https://acme.pipedrive.com';
const NOW = Date.parse('2025-03-01T12:00:00Z');
const BASIC = `Basic ${Buffer.from('cid:csecret').toString('base64')}`;

const oauthCreds = (extra: Partial<OAuthCredentials> = {}): OAuthCredentials => ({
  auth_type: 'oauth2.0',
  client_id: 'cid',
  client_secret: 'csecret',
  refresh_token: 'refresh-1',
  ...extra,
});
const oauthConfig = (creds: OAuthCredentials = oauthCreds(), extra: Partial<ConnectorConfig> = {}): ConnectorConfig => ({
  credentials: creds,
  num_workers: 3,
  oauth_url: OAUTH,
  ...extra,
});
const tokenConfig = (extra: Partial<ConnectorConfig> = {}): ConnectorConfig => ({
  credentials: { auth_type: 'api_token', api_token: 'apitoken-123' },
  num_workers: 3,
  oauth_url: OAUTH,
  ...extra,
});

const tokenAnswer = (n: number, extra: Record<string, unknown> = {}) => ({
  access_token: `access-${n}`,
  refresh_token: `refresh-${n + 1}`,
  expires_in: 3600,
  api_domain: COMPANY,
  token_type: 'Bearer',
  scope: 'base',
  ...extra,
});

beforeAll(() => {
  nock.disableNetConnect();
});
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
});
afterAll(() => {
  nock.enableNetConnect();
  nock.restore();
});

/** The token endpoint, asserting Basic auth, form content type and body. */
const tokenEndpoint = (refreshToken = 'refresh-1') =>
  nock(OAUTH)
    .post('/oauth/token', (body: unknown) => {
      // nock parses a form body into an object
      const b = body as Record<string, string>;
      return b['grant_type'] === 'refresh_token' && b['refresh_token'] === refreshToken && Object.keys(b).length === 2;
    })
    .matchHeader('authorization', BASIC)
    .matchHeader('content-type', 'application/x-www-form-urlencoded');

describe('API token', () => {
  it('sends x-api-token and never an api_token query parameter', async () => {
    nock(API)
      .get('/api/v2/deals')
      .query((q) => !('api_token' in q) && q['limit'] === '500')
      .matchHeader('x-api-token', 'apitoken-123')
      .matchHeader('authorization', (v: string | undefined) => v === undefined)
      .reply(200, { data: [] });
    const auth = createAuth(tokenConfig(), { port: createAxiosPort() });
    const res = await firstValueFrom(auth.wrap(createAxiosPort())({ method: 'GET', url: `${API}/api/v2/deals`, params: { limit: 500 } }));
    expect(res.status).toBe(200);
  });

  it('baseUrl: the default, or api_url', async () => {
    await expect(firstValueFrom(createAuth(tokenConfig(), { port: createAxiosPort() }).baseUrl())).resolves.toBe(API);
    await expect(firstValueFrom(createAuth(tokenConfig({ api_url: COMPANY }), { port: createAxiosPort() }).baseUrl())).resolves.toBe(COMPANY);
  });

  it('a 401 goes through as a config_error without any refresh', async () => {
    nock(API).get('/v1/users').reply(401, { success: false, error: 'unauthorized access' });
    const auth = createAuth(tokenConfig(), { port: createAxiosPort() });
    const err = await firstValueFrom(auth.wrap(createAxiosPort())({ method: 'GET', url: `${API}/v1/users` })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect(failureTypeOf(err)).toBe('config_error');
    expect(JSON.stringify(err) + String((err as Error).stack)).not.toContain('apitoken-123');
  });
});

describe('OAuth', () => {
  it('refreshes on first use (Basic auth, form body), then sends Bearer; api_domain becomes the base URL', async () => {
    tokenEndpoint().reply(200, tokenAnswer(1));
    nock(COMPANY).get('/api/v2/deals').matchHeader('authorization', 'Bearer access-1').reply(200, { data: [1] });
    const port = createAxiosPort();
    const auth = createAuth(oauthConfig(), { port, now: () => NOW });
    const base = await firstValueFrom(auth.baseUrl());
    expect(base).toBe(COMPANY);
    const res = await firstValueFrom(auth.wrap(port)({ method: 'GET', url: `${base}/api/v2/deals` }));
    expect(res.data).toEqual({ data: [1] });
  });

  it('api_domain is ignored when api_url is set', async () => {
    tokenEndpoint().reply(200, tokenAnswer(1));
    nock(API).get('/api/v2/deals').matchHeader('authorization', 'Bearer access-1').reply(200, { data: [] });
    const port = createAxiosPort();
    const auth = createAuth(oauthConfig(oauthCreds(), { api_url: API }), { port, now: () => NOW });
    await firstValueFrom(auth.wrap(port)({ method: 'GET', url: `${API}/api/v2/deals` }));
    await expect(firstValueFrom(auth.baseUrl())).resolves.toBe(API);
  });

  it('baseUrl without api_url and with a stored valid token: the default host, no refresh', async () => {
    const creds = oauthCreds({ access_token: 'stored', token_expiry_date: '2025-03-01T13:00:00Z' });
    const auth = createAuth(oauthConfig(creds), { port: createAxiosPort(), now: () => NOW });
    await expect(firstValueFrom(auth.baseUrl())).resolves.toBe(API);
  });

  it('reuses a stored access_token until its expiry', async () => {
    nock(API).get('/v1/users').times(2).matchHeader('authorization', 'Bearer stored').reply(200, { data: [] });
    const creds = oauthCreds({ access_token: 'stored', token_expiry_date: '2025-03-01T12:30:00Z' });
    const changes: OAuthCredentials[] = [];
    const port = createAxiosPort();
    const auth = createAuth(oauthConfig(creds), { port, now: () => NOW, onConfigChange: (c) => changes.push(c) });
    const authed = auth.wrap(port);
    await firstValueFrom(authed({ method: 'GET', url: `${API}/v1/users` }));
    await firstValueFrom(authed({ method: 'GET', url: `${API}/v1/users` }));
    expect(changes).toEqual([]);
  });

  it.each([
    ['past', '2025-03-01T11:00:00Z'],
    ['within the 60 s margin', '2025-03-01T12:00:30Z'],
    ['unreadable', 'soon'],
  ])('refreshes when the stored token expiry is %s', async (_label, expiry) => {
    tokenEndpoint().reply(200, tokenAnswer(1));
    nock(API).get('/v1/users').matchHeader('authorization', 'Bearer access-1').reply(200, { data: [] });
    const creds = oauthCreds({ access_token: 'stored', token_expiry_date: expiry });
    const port = createAxiosPort();
    const auth = createAuth(oauthConfig(creds, { api_url: API }), { port, now: () => NOW });
    await firstValueFrom(auth.wrap(port)({ method: 'GET', url: `${API}/v1/users` }));
  });

  it('refreshes again once the refreshed token expires (clock moves on)', async () => {
    tokenEndpoint().reply(200, tokenAnswer(1));
    tokenEndpoint('refresh-2').reply(200, tokenAnswer(2));
    nock(API).get('/v1/users').matchHeader('authorization', 'Bearer access-1').reply(200, { data: [] });
    nock(API).get('/v1/users').matchHeader('authorization', 'Bearer access-2').reply(200, { data: [] });
    let now = NOW;
    const port = createAxiosPort();
    const auth = createAuth(oauthConfig(oauthCreds(), { api_url: API }), { port, now: () => now });
    const authed = auth.wrap(port);
    await firstValueFrom(authed({ method: 'GET', url: `${API}/v1/users` }));
    now += 3600_000;
    await firstValueFrom(authed({ method: 'GET', url: `${API}/v1/users` }));
  });

  it('a 401 triggers one refresh and one retry', async () => {
    nock(API).get('/v1/users').matchHeader('authorization', 'Bearer stored').reply(401, { success: false, error: 'unauthorized' });
    tokenEndpoint().reply(200, tokenAnswer(1));
    nock(API).get('/v1/users').matchHeader('authorization', 'Bearer access-1').reply(200, { data: ['ok'] });
    const creds = oauthCreds({ access_token: 'stored' });
    const port = createAxiosPort();
    const auth = createAuth(oauthConfig(creds, { api_url: API }), { port, now: () => NOW });
    const res = await firstValueFrom(auth.wrap(port)({ method: 'GET', url: `${API}/v1/users` }));
    expect(res.data).toEqual({ data: ['ok'] });
  });

  it('a second 401 after the refresh goes through as a config_error (no second refresh)', async () => {
    nock(API).get('/v1/users').matchHeader('authorization', 'Bearer stored').reply(401, { success: false, error: 'unauthorized' });
    tokenEndpoint().reply(200, tokenAnswer(1));
    nock(API).get('/v1/users').matchHeader('authorization', 'Bearer access-1').reply(401, { success: false, error: 'unauthorized' });
    const creds = oauthCreds({ access_token: 'stored' });
    const port = createAxiosPort();
    const auth = createAuth(oauthConfig(creds, { api_url: API }), { port, now: () => NOW });
    const err = await firstValueFrom(auth.wrap(port)({ method: 'GET', url: `${API}/v1/users` })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).status).toBe(401);
    expect(failureTypeOf(err)).toBe('config_error');
    const text = `${(err as Error).message} ${JSON.stringify(err)} ${String((err as Error).stack)}`;
    for (const secret of ['stored', 'access-1', 'refresh-1', 'refresh-2', 'csecret']) expect(text).not.toContain(secret);
  });

  it('three concurrent requests share ONE refresh', async () => {
    let refreshes = 0;
    tokenEndpoint().delay(100).reply(200, () => {
      refreshes++;
      return tokenAnswer(1);
    });
    nock(API).get(/\/v1\/(a|b|c)$/).times(3).matchHeader('authorization', 'Bearer access-1').reply(200, { data: [] });
    const port = createAxiosPort();
    const auth = createAuth(oauthConfig(oauthCreds(), { api_url: API }), { port, now: () => NOW });
    const authed = auth.wrap(port);
    const all = await lastValueFrom(forkJoin(['a', 'b', 'c'].map((p) => authed({ method: 'GET', url: `${API}/v1/${p}` }))));
    expect(all.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(refreshes).toBe(1);
  });

  it('concurrent 401s share ONE refresh; a late 401 for the old token retries with the newer one', async () => {
    let refreshes = 0;
    tokenEndpoint().reply(200, () => {
      refreshes++;
      return tokenAnswer(1);
    });
    nock(API).get('/v1/fast').matchHeader('authorization', 'Bearer stored').reply(401, { error: 'unauthorized' });
    nock(API).get('/v1/slow').matchHeader('authorization', 'Bearer stored').delay(300).reply(401, { error: 'unauthorized' });
    nock(API).get('/v1/fast').matchHeader('authorization', 'Bearer access-1').reply(200, { data: 'fast' });
    nock(API).get('/v1/slow').matchHeader('authorization', 'Bearer access-1').reply(200, { data: 'slow' });
    const port = createAxiosPort();
    const auth = createAuth(oauthConfig(oauthCreds({ access_token: 'stored' }), { api_url: API }), { port, now: () => NOW });
    const authed = auth.wrap(port);
    const [fast, slow] = await lastValueFrom(forkJoin([
      authed({ method: 'GET', url: `${API}/v1/fast` }),
      authed({ method: 'GET', url: `${API}/v1/slow` }),
    ]));
    expect(fast.data).toEqual({ data: 'fast' });
    expect(slow.data).toEqual({ data: 'slow' });
    expect(refreshes).toBe(1);
  });

  it('calls onConfigChange with the full rotated credentials before the new token is used', async () => {
    const events: string[] = [];
    const changes: OAuthCredentials[] = [];
    tokenEndpoint().reply(200, () => {
      events.push('refresh');
      return tokenAnswer(1, { expires_in: 3599 });
    });
    nock(API).get('/v1/users').matchHeader('authorization', 'Bearer access-1').reply(200, () => {
      events.push('request with access-1');
      return { data: [] };
    });
    const port = createAxiosPort();
    const auth = createAuth(oauthConfig(oauthCreds(), { api_url: API }), {
      port,
      now: () => NOW,
      onConfigChange: (c) => {
        events.push('config');
        changes.push(c);
      },
    });
    await firstValueFrom(auth.wrap(port)({ method: 'GET', url: `${API}/v1/users` }));
    expect(events).toEqual(['refresh', 'config', 'request with access-1']);
    expect(changes).toEqual([{
      auth_type: 'oauth2.0',
      client_id: 'cid',
      client_secret: 'csecret',
      refresh_token: 'refresh-2',
      access_token: 'access-1',
      token_expiry_date: '2025-03-01T12:59:59Z',
      // Persisted with the tokens: a later run that reuses this access token calls the same domain.
      api_domain: COMPANY,
    }]);
  });

  it('keeps the old refresh token when the answer has none', async () => {
    const changes: OAuthCredentials[] = [];
    tokenEndpoint().reply(200, { access_token: 'access-1', expires_in: 60 * 60, token_type: 'Bearer' });
    tokenEndpoint().reply(200, { access_token: 'access-2', expires_in: 60 * 60, token_type: 'Bearer' });
    let now = NOW;
    const auth = createAuth(oauthConfig(), { port: createAxiosPort(), now: () => now, onConfigChange: (c) => changes.push(c) });
    await firstValueFrom(auth.baseUrl());
    now += 2 * 3600_000;
    await firstValueFrom(auth.baseUrl());
    expect(changes.map((c) => [c.refresh_token, c.access_token])).toEqual([['refresh-1', 'access-1'], ['refresh-1', 'access-2']]);
  });

  it('the refresh token is sent as rotated on the next refresh', async () => {
    tokenEndpoint().reply(200, tokenAnswer(1));
    tokenEndpoint('refresh-2').reply(200, tokenAnswer(2));
    let now = NOW;
    const auth = createAuth(oauthConfig(), { port: createAxiosPort(), now: () => now });
    await firstValueFrom(auth.baseUrl());
    now += 2 * 3600_000;
    await firstValueFrom(auth.baseUrl());
  });

  it.each([
    [400, { error: 'invalid_grant', error_description: 'Invalid refresh token' }],
    [401, { success: false, error: 'Invalid client credentials' }],
  ])('a refresh rejected with %i → ConfigError naming credentials.refresh_token, secret-free', async (status, body) => {
    tokenEndpoint().reply(status, body);
    const port = createAxiosPort();
    const auth = createAuth(oauthConfig(oauthCreds(), { api_url: API }), { port, now: () => NOW });
    const err = await firstValueFrom(auth.wrap(port)({ method: 'GET', url: `${API}/v1/users` })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(failureTypeOf(err)).toBe('config_error');
    const e = err as Error;
    expect(e.message).toMatch(/The OAuth refresh token was rejected/);
    expect(e.message).toMatch(/re-authenticate/);
    expect(e.message).toContain('credentials.refresh_token');
    const text = `${e.message} ${JSON.stringify(err)} ${String(e.stack)}`;
    for (const secret of ['refresh-1', 'csecret', BASIC.slice(6)]) expect(text).not.toContain(secret);
  });

  it('a 5xx from the token endpoint stays retryable', async () => {
    tokenEndpoint().reply(503, 'busy');
    const auth = createAuth(oauthConfig(), { port: createAxiosPort(), now: () => NOW });
    const err = await firstValueFrom(auth.baseUrl()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect(failureTypeOf(err)).toBe('transient_error');
  });

  it('an api_domain that is plain http on a public host is refused', async () => {
    tokenEndpoint().reply(200, tokenAnswer(1, { api_domain: 'http://acme.pipedrive.com' }));
    const auth = createAuth(oauthConfig(), { port: createAxiosPort(), now: () => NOW });
    const err = await firstValueFrom(auth.baseUrl()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain('api_url');
  });
});
