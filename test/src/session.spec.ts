import { describe, expect, it } from 'vitest';
import { concatMap, lastValueFrom, map, of, toArray, defer } from 'rxjs';
import { openSession } from '../../src/session.js';
import { loadConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/log.js';
import { recordMessage, type AirbyteMessage } from '../../src/protocol.js';
import type { HttpPort, HttpRequest } from '../../src/http/port.js';

const quiet = () => createLogger({ stderr: { write: () => true }, protocolLogs: true });
const oauth = { credentials: { auth_type: 'oauth2.0', client_id: 'cid', client_secret: 'csecret-xyz', refresh_token: 'refresh-old' }, api_url: 'https://acme.pipedrive.com' };

/** A port that answers the token endpoint with a rotated refresh token and every other request with `{data: []}`. */
function port(seen: HttpRequest[]): HttpPort {
  return (req) => defer(() => {
    seen.push(req);
    if (req.url.endsWith('/oauth/token')) return of({ status: 200, headers: {}, data: { access_token: 'access-new', refresh_token: 'refresh-new', expires_in: 3600 } });
    return of({ status: 200, headers: {}, data: { success: true, data: [] } });
  });
}

describe('session', () => {
  it('puts the migration CONTROL first, then LOG lines and the use case messages, in order', async () => {
    const loaded = loadConfig({ api_token: 'legacy-token-1' });
    const log = quiet();
    const session = openSession(loaded, { port: port([]), log });
    const main$ = defer(() => { log.info('working'); return of([recordMessage('x', { id: 1 }, 0)]); });
    const out = (await lastValueFrom(session.output(main$).pipe(toArray()))).flat();
    expect(out.map((m) => m.type)).toEqual(['CONTROL', 'LOG', 'RECORD']);
    expect(out[0]).toMatchObject({ control: { connectorConfig: { config: { credentials: { auth_type: 'api_token', api_token: 'legacy-token-1' } } } } });
  });

  it('persists rotated OAuth credentials with one CONTROL the moment they arrive, before the request that uses them answers', async () => {
    const seen: HttpRequest[] = [];
    const session = openSession(loadConfig(oauth), { port: port(seen), log: quiet() });
    const main$ = session.roots().pipe(
      concatMap((root) => session.requester.request({ name: 'users', tokenCost: 1 }, { method: 'GET', url: `${root('v1')}/users` })),
      map((): AirbyteMessage[] => [recordMessage('users', { id: 1 }, 0)]),
    );
    const out = (await lastValueFrom(session.output(main$).pipe(toArray()))).flat();
    expect(out.map((m) => m.type)).toEqual(['CONTROL', 'RECORD']);
    expect(out[0]).toMatchObject({ control: { connectorConfig: { config: { credentials: { refresh_token: 'refresh-new', access_token: 'access-new' }, api_url: 'https://acme.pipedrive.com' } } } });
    expect(seen.map((r) => r.url)).toEqual(['https://oauth.pipedrive.com/oauth/token', 'https://acme.pipedrive.com/api/v1/users']);
    // The new tokens are secrets from now on: redacted from every message the session describes.
    expect(session.describe(new Error('echo refresh-new and access-new')).message).toBe('echo *** and ***');
    expect(session.secrets()).toEqual(expect.arrayContaining(['csecret-xyz', 'refresh-old', 'refresh-new', 'access-new']));
  });

  it('completes with the use case', async () => {
    const session = openSession(loadConfig({ credentials: { auth_type: 'api_token', api_token: 'tok-1234' } }), { port: port([]), log: quiet() });
    await expect(lastValueFrom(session.output(of([])).pipe(toArray()))).resolves.toEqual([[]]);
  });
});
