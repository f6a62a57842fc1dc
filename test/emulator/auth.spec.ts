/** Authentication: API token (header or query), OAuth bearer tokens and refresh-token rotation. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEmulator, type Emulator } from '../helpers/emulator.js';
import { get } from './helpers.js';

let emu: Emulator;

beforeAll(async () => {
  emu = await startTestEmulator({ seed: 4, apiToken: 'tok-123' });
});
afterAll(async () => {
  await emu?.close();
});

async function refresh(e: Emulator, refreshToken: string, client = 'emulator-client:emulator-secret'): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await fetch(`${e.url}/oauth/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(client).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }).toString(),
  });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

describe('API token', () => {
  it('accepts the x-api-token header and logs auth=token', async () => {
    emu.resetLog();
    const r = await get(emu, '/api/v2/deals', { limit: 1 }, { 'x-api-token': 'tok-123' });
    expect(r.status).toBe(200);
    expect(emu.requests.at(-1)).toMatchObject({ method: 'GET', path: '/api/v2/deals', query: { limit: '1' }, status: 200, tokenCost: 10, auth: 'token' });
  });

  it('accepts the api_token query parameter like Pipedrive, and logs that it was used (value masked)', async () => {
    emu.resetLog();
    const r = await get(emu, '/v1/users', { api_token: 'tok-123' }, {});
    expect(r.status).toBe(200);
    expect(emu.requests.at(-1)?.query).toEqual({ api_token: '***' });
  });

  it('401 with Pipedrive\'s envelope without or with a wrong token', async () => {
    for (const h of [{}, { 'x-api-token': 'wrong' }, { authorization: 'Bearer nope' }]) {
      const r = await get(emu, '/api/v2/deals', {}, h);
      expect(r.status).toBe(401);
      expect(r.body).toMatchObject({ success: false, error: 'unauthorized access', errorCode: 401 });
    }
    expect(emu.requests.at(-1)).toMatchObject({ status: 401, auth: 'none', tokenCost: 0 });
  });

  it('config() points the connector at the emulator', () => {
    expect(emu.config({ num_workers: 2 })).toEqual({ credentials: { auth_type: 'api_token', api_token: 'tok-123' }, api_url: emu.url, num_workers: 2 });
  });
});

describe('OAuth', () => {
  it('refreshes with HTTP Basic + form body, rotates the refresh token and invalidates the used one', async () => {
    const e = await startTestEmulator({ seed: 4 });
    try {
      const cfg = e.oauthConfig() as { credentials: { client_id: string; client_secret: string; refresh_token: string }; api_url: string; oauth_url: string };
      expect(cfg).toMatchObject({ credentials: { auth_type: 'oauth2.0', client_id: 'emulator-client', client_secret: 'emulator-secret', refresh_token: 'emulator-refresh-0' }, api_url: e.url, oauth_url: e.url });
      const first = await refresh(e, cfg.credentials.refresh_token);
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ token_type: 'Bearer', scope: expect.any(String), expires_in: expect.any(Number), api_domain: e.url });
      const access = first.body['access_token'] as string;
      const rotated = first.body['refresh_token'] as string;
      expect(rotated).not.toBe('emulator-refresh-0');
      // The used refresh token is no longer valid; the new one is, once.
      expect((await refresh(e, 'emulator-refresh-0')).status).toBe(400);
      // oauthConfig() always hands out a refresh token valid now: once the configured one is used, a new grant.
      const fresh = (e.oauthConfig() as typeof cfg).credentials.refresh_token;
      expect(fresh).not.toBe('emulator-refresh-0');
      expect(fresh).not.toBe(rotated);
      const second = await refresh(e, rotated);
      expect(second.status).toBe(200);
      expect(second.body['refresh_token']).not.toBe(rotated);
      expect((await refresh(e, rotated)).body['error']).toBe('invalid_grant');
      expect((await refresh(e, fresh)).status).toBe(200);
      // Bearer tokens work and are logged as such.
      const r = await get(e, '/api/v2/deals', { limit: 2 }, { authorization: `Bearer ${access}` });
      expect(r.status).toBe(200);
      const me = await get(e, '/api/v1/users/me', {}, { authorization: `Bearer ${access}` });
      expect(me.body.data).toMatchObject({ id: 1, is_you: true, company_domain: expect.any(String) });
      expect(e.requests.at(-1)?.auth).toBe('bearer');
      expect(e.requests.some((x) => x.path === '/oauth/token' && x.status === 200 && x.auth === 'none')).toBe(true);
    } finally {
      await e.close();
    }
  });

  it('rejects wrong client credentials and other grant types', async () => {
    expect((await refresh(emu, 'emulator-refresh-0', 'emulator-client:wrong')).status).toBe(401);
    const r = await fetch(`${emu.url}/oauth/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from('emulator-client:emulator-secret').toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=authorization_code&code=x',
    });
    expect(r.status).toBe(400);
  });

  it('access tokens expire after accessTokenTtlRequests requests (401), a refresh gives a working one', async () => {
    const e = await startTestEmulator({ seed: 4, oauth: { clientId: 'c', clientSecret: 's', refreshToken: 'r0', accessTokenTtlRequests: 3 } });
    try {
      const t1 = await refresh(e, 'r0', 'c:s');
      const access = t1.body['access_token'] as string;
      const h = { authorization: `Bearer ${access}` };
      for (let k = 0; k < 3; k++) expect((await get(e, '/v1/users', {}, h)).status).toBe(200);
      expect((await get(e, '/v1/users', {}, h)).status).toBe(401);
      const t2 = await refresh(e, t1.body['refresh_token'] as string, 'c:s');
      expect((await get(e, '/v1/users', {}, { authorization: `Bearer ${t2.body['access_token'] as string}` })).status).toBe(200);
      // The knob shortens the life of existing tokens too.
      e.set({ oauth: { accessTokenTtlRequests: 0 } });
      expect((await get(e, '/v1/users', {}, { authorization: `Bearer ${t2.body['access_token'] as string}` })).status).toBe(401);
    } finally {
      await e.close();
    }
  });
});
