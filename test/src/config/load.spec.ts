import { runUnprivileged } from '../../helpers/unprivileged.js';
import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync, mkdirSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../../helpers/protocol.js';
import { loadConfig, readConfigFile } from '../../../src/config/index.js';
import { ConfigError } from '../../../src/errors.js';

const TOKEN = 'tok_5ecret_abcdef0123456789';
const CLIENT_SECRET = 'cl1ent-5ecret-xyz';
const REFRESH = 'refr3sh-5ecret-xyz';
const ACCESS = 'acce55-5ecret-xyz';
const SECRETS = [TOKEN, CLIENT_SECRET, REFRESH, ACCESS];

const token = { auth_type: 'api_token', api_token: TOKEN };
const oauth = { auth_type: 'oauth2.0', client_id: 'client-id', client_secret: CLIENT_SECRET, refresh_token: REFRESH };

/** The ConfigError message for a config; fails the test when it does not throw or leaks a secret. */
function errorOf(raw: unknown): string {
  let caught: unknown;
  try {
    loadConfig(raw);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(ConfigError);
  const message = (caught as Error).message;
  for (const s of SECRETS) expect(message).not.toContain(s);
  return message;
}

describe('loadConfig: current configs', () => {
  it('loads an API token config with defaults', () => {
    const { config, migrated, raw } = loadConfig({ credentials: token });
    expect(config).toEqual({ credentials: token, num_workers: 3, oauth_url: 'https://oauth.pipedrive.com' });
    expect(config.api_url).toBeUndefined();
    expect(migrated).toBeNull();
    expect(raw).toEqual({ credentials: token });
  });

  it('loads an OAuth config with every field', () => {
    const { config, migrated } = loadConfig({
      credentials: { ...oauth, access_token: ACCESS, token_expiry_date: '2025-01-01T12:00:00.000000+02:00' },
      num_workers: 10,
      api_url: 'https://acme.pipedrive.com/',
      oauth_url: 'https://oauth.pipedrive.com//',
    });
    expect(config).toEqual({
      credentials: { ...oauth, access_token: ACCESS, token_expiry_date: '2025-01-01T10:00:00Z' },
      num_workers: 10,
      api_url: 'https://acme.pipedrive.com',
      oauth_url: 'https://oauth.pipedrive.com',
    });
    expect(migrated).toBeNull();
  });

  it('parses JSON text', () => {
    expect(loadConfig(JSON.stringify({ credentials: token, num_workers: 1 })).config.num_workers).toBe(1);
  });

  it.each([
    ['2021-06-01', '2021-06-01T00:00:00Z'],
    ['2021-06-01T10:20:30Z', '2021-06-01T10:20:30Z'],
    ['2021-06-01T10:20:30.999Z', '2021-06-01T10:20:30Z'],
    ['2021-06-01T10:20:30.123456+00:00', '2021-06-01T10:20:30Z'],
    ['2021-06-01T01:20:30+02:00', '2021-05-31T23:20:30Z'],
    ['2021-06-01T20:20:30-05:30', '2021-06-02T01:50:30Z'],
    ['2021-06-01T10:20:30+0200', '2021-06-01T08:20:30Z'],
    ['2021-06-01 10:20:30', '2021-06-01T10:20:30Z'],
    ['2021-06-01T10:20:30', '2021-06-01T10:20:30Z'],
    ['2020-02-29', '2020-02-29T00:00:00Z'],
  ])('normalises replication_start_date %s to %s', (given, expected) => {
    expect(loadConfig({ credentials: token, replication_start_date: given }).config.replication_start_date).toBe(expected);
  });

  it('treats null or blank optional settings as not set', () => {
    const { config } = loadConfig({
      credentials: { ...oauth, access_token: '', token_expiry_date: null },
      replication_start_date: '',
      num_workers: null,
      api_url: null,
      oauth_url: ' ',
    });
    expect(config).toEqual({ credentials: oauth, num_workers: 3, oauth_url: 'https://oauth.pipedrive.com' });
  });

  it('passes unknown and later-issue settings through', () => {
    const { config } = loadConfig({ credentials: { ...token, extra: 1 }, custom_field_names: 'name', resolve_option_labels: true, something_new: { a: 1 } });
    expect(config).toMatchObject({ custom_field_names: 'name', resolve_option_labels: true, something_new: { a: 1 } });
    expect(config.credentials).toEqual({ ...token, extra: 1 });
  });

  it.each([
    ['http://localhost:8080/', 'http://localhost:8080'],
    ['http://127.0.0.1:3000', 'http://127.0.0.1:3000'],
    ['http://127.10.20.30', 'http://127.10.20.30'],
    ['http://[::1]:9000/', 'http://[::1]:9000'],
    ['https://acme.pipedrive.com', 'https://acme.pipedrive.com'],
    ['https://example.com/prefix/', 'https://example.com/prefix'],
  ])('accepts api_url and oauth_url %s', (url, expected) => {
    const { config } = loadConfig({ credentials: token, api_url: url, oauth_url: url });
    expect(config.api_url).toBe(expected);
    expect(config.oauth_url).toBe(expected);
  });
});

describe('loadConfig: legacy configs', () => {
  it('migrates the flat api_token config of 2.x–4.x', () => {
    const legacy = { api_token: TOKEN, replication_start_date: '2017-01-25T00:00:00Z', num_workers: 2 };
    const { config, migrated, raw } = loadConfig(legacy);
    expect(migrated).toEqual({ credentials: token, replication_start_date: '2017-01-25T00:00:00Z', num_workers: 2 });
    expect(Object.keys(migrated!)[0]).toBe('credentials');
    expect(config).toMatchObject({ credentials: token, replication_start_date: '2017-01-25T00:00:00Z', num_workers: 2 });
    expect(raw).toBe(legacy);
  });

  it('migrates the pre-2.0 Token authorization', () => {
    const { config, migrated } = loadConfig({ authorization: { auth_type: 'Token', api_token: TOKEN }, replication_start_date: '2017-01-25 00:00:00' });
    expect(migrated).toEqual({ credentials: token, replication_start_date: '2017-01-25 00:00:00' });
    expect(config.replication_start_date).toBe('2017-01-25T00:00:00Z');
  });

  it('migrates the pre-2.0 Client authorization, keeping access_token and token_expiry_date', () => {
    const { config, migrated } = loadConfig({
      authorization: { auth_type: 'Client', client_id: 'client-id', client_secret: CLIENT_SECRET, refresh_token: REFRESH, access_token: ACCESS, token_expiry_date: '2030-01-01T00:00:00Z' },
      replication_start_date: '2017-01-25T00:00:00Z',
      other: 'kept',
    });
    const credentials = { ...oauth, access_token: ACCESS, token_expiry_date: '2030-01-01T00:00:00Z' };
    expect(migrated).toEqual({ credentials, replication_start_date: '2017-01-25T00:00:00Z', other: 'kept' });
    expect(config).toMatchObject({ credentials, other: 'kept' });
  });

  it('migrates the pre-2.0 Client authorization without the optional token fields', () => {
    const { migrated } = loadConfig({ authorization: { auth_type: 'Client', client_id: 'client-id', client_secret: CLIENT_SECRET, refresh_token: REFRESH, access_token: null } });
    expect(migrated).toEqual({ credentials: oauth });
  });

  it('reports what is missing in a legacy config, naming the legacy form', () => {
    const m = errorOf({ authorization: { auth_type: 'Client', client_id: 'x', client_secret: CLIENT_SECRET } });
    expect(m).toContain('config.credentials is missing refresh_token');
    expect(m).toContain("pre-2.0 'authorization' form");
    expect(errorOf({ authorization: { auth_type: 'Password', password: TOKEN } })).toMatch(/config\.authorization\.auth_type must be 'Token' or 'Client'/);
    expect(errorOf({ api_token: 12345 })).toMatch(/config\.credentials\.api_token must be a string .*legacy flat 'api_token' form/);
  });

  it('does not migrate a config that has credentials', () => {
    expect(loadConfig({ credentials: token, api_token: 'ignored-extra' }).migrated).toBeNull();
  });
});

describe('loadConfig: invalid configs', () => {
  it.each<[string, unknown, RegExp]>([
    ['missing credentials', { num_workers: 3 }, /^config\.credentials is required: an object with auth_type 'oauth2\.0' or 'api_token'/],
    ['credentials not an object', { credentials: TOKEN }, /^config\.credentials must be an object with auth_type 'oauth2\.0' or 'api_token'$/],
    ['unknown auth_type', { credentials: { auth_type: 'basic', api_token: TOKEN } }, /^config\.credentials\.auth_type must be 'oauth2\.0' or 'api_token' \(got 'basic'\)$/],
    ['missing auth_type', { credentials: { api_token: TOKEN } }, /config\.credentials\.auth_type must be 'oauth2\.0' or 'api_token' \(it is missing\)/],
    ['a secret pasted as auth_type', { credentials: { auth_type: TOKEN } }, /auth_type must be .* \(got another value\)/],
    ['missing api_token', { credentials: { auth_type: 'api_token' } }, /^config\.credentials is missing api_token \(required with auth_type 'api_token'; auth_type may be 'oauth2\.0' or 'api_token'\)$/],
    ['missing OAuth fields', { credentials: { auth_type: 'oauth2.0', client_id: 'x' } }, /^config\.credentials is missing client_secret, refresh_token \(required with auth_type 'oauth2\.0'/],
    ['empty api_token', { credentials: { auth_type: 'api_token', api_token: '' } }, /^config\.credentials\.api_token must not be empty$/],
    ['api_token not a string', { credentials: { auth_type: 'api_token', api_token: 42 } }, /^config\.credentials\.api_token must be a string$/],
    ['client_secret not a string', { credentials: { ...oauth, client_secret: [CLIENT_SECRET] } }, /^config\.credentials\.client_secret must be a string$/],
    ['bad token_expiry_date', { credentials: { ...oauth, token_expiry_date: 'tomorrow' } }, /^config\.credentials\.token_expiry_date must be an RFC 3339 date-time/],
    ['num_workers 0', { credentials: token, num_workers: 0 }, /^config\.num_workers must be >= 1$/],
    ['num_workers 11', { credentials: token, num_workers: 11 }, /^config\.num_workers must be <= 10$/],
    ['num_workers "3"', { credentials: token, num_workers: '3' }, /^config\.num_workers must be an integer$/],
    ['num_workers 2.5', { credentials: token, num_workers: 2.5 }, /^config\.num_workers must be an integer$/],
    ['malformed date', { credentials: token, replication_start_date: '2021-13-45' }, /^config\.replication_start_date '2021-13-45' is not a valid date: use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ$/],
    ['impossible date', { credentials: token, replication_start_date: '2021-02-30' }, /^config\.replication_start_date '2021-02-30' is not a valid date/],
    ['impossible date with offset', { credentials: token, replication_start_date: '2021-02-29T10:00:00+02:00' }, /'2021-02-29T10:00:00\+02:00' is not a valid date/],
    ['hour 24', { credentials: token, replication_start_date: '2021-01-01T24:00:00Z' }, /is not a valid date/],
    ['free-text date', { credentials: token, replication_start_date: 'last year' }, /^config\.replication_start_date 'last year' is not a valid date/],
    ['date not a string', { credentials: token, replication_start_date: 20210101 }, /^config\.replication_start_date must be a string$/],
    ['http api_url', { credentials: token, api_url: 'http://acme.pipedrive.com' }, /^config\.api_url must use https \(http is allowed only for loopback hosts\)$/],
    ['http oauth_url', { credentials: token, oauth_url: 'http://oauth.pipedrive.com' }, /^config\.oauth_url must use https \(http is allowed only for loopback hosts\)$/],
    ['http on a look-alike host', { credentials: token, api_url: 'http://127.0.0.1.evil.com' }, /config\.api_url must use https/],
    ['ftp api_url', { credentials: token, api_url: 'ftp://localhost' }, /config\.api_url must use https/],
    ['api_url not a URL', { credentials: token, api_url: 'acme.pipedrive.com' }, /^config\.api_url is not a valid URL/],
    ['api_url with credentials', { credentials: token, api_url: `https://user:${TOKEN}@acme.pipedrive.com` }, /^config\.api_url must not contain a user name or password$/],
    ['api_url with a query', { credentials: token, api_url: `https://acme.pipedrive.com/?api_token=${TOKEN}` }, /^config\.api_url must not have a query string or fragment$/],
    ['custom_field_names not in enum', { credentials: token, custom_field_names: 'label' }, /^config\.custom_field_names must be one of 'key', 'name'$/],
    ['detect_deletes not in enum', { credentials: token, detect_deletes: 'yes' }, /^config\.detect_deletes must be one of 'off', 'on'$/],
    ['detect_deletes a boolean', { credentials: token, detect_deletes: true }, /^config\.detect_deletes must be a string; config\.detect_deletes must be one of 'off', 'on'$/],
    ['resolve_option_labels not a boolean', { credentials: token, resolve_option_labels: 'yes' }, /^config\.resolve_option_labels must be a boolean$/],
    ['include_v1_fields not a boolean', { credentials: token, include_v1_fields: 'no' }, /^config\.include_v1_fields must be a boolean$/],
    ['config an array', [token], /^config must be a JSON object \(got an array\)$/],
    ['config null', null, /^config must be a JSON object \(got null\)$/],
    ['config not JSON', `{"api_token": ${TOKEN}}`, /^config is not valid JSON/],
  ])('rejects %s with a readable message', (_name, raw, expected) => {
    expect(errorOf(raw)).toMatch(expected);
  });

  it('reports every problem at once, schema and semantic ones together', () => {
    const m = errorOf({ credentials: { auth_type: 'api_token', api_token: 5 }, num_workers: 11, replication_start_date: '2021-02-30', api_url: 'http://x.example' });
    expect(m).toContain('config.num_workers must be <= 10');
    expect(m).toContain('config.credentials.api_token must be a string');
    expect(m).toContain("config.replication_start_date '2021-02-30' is not a valid date");
    expect(m).toContain('config.api_url must use https');
  });
});

describe('readConfigFile', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'config-'));

  it('reads and loads a config file', () => {
    const file = path.join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ api_token: TOKEN }));
    expect(readConfigFile(file)).toMatchObject({ config: { credentials: token }, migrated: { credentials: token } });
  });

  it('names --config for a missing file, a directory and non-JSON', () => {
    expect(() => readConfigFile(path.join(dir, 'nope.json'))).toThrow(/^--config: file '.*nope\.json' does not exist$/);
    const sub = path.join(dir, 'sub');
    mkdirSync(sub);
    expect(() => readConfigFile(sub)).toThrow(/^--config: '.*sub' is a directory/);
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, `{"api_token": "${TOKEN}",}`);
    let message = '';
    try {
      readConfigFile(bad);
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      message = (err as Error).message;
    }
    expect(message).toMatch(/^--config: file '.*bad\.json' is not valid JSON/);
    expect(message).not.toContain(TOKEN);
  });

  it('names --config for an unreadable file (as root: in a child without CAP_DAC_OVERRIDE, which root needs to read it)', () => {
    const file = path.join(dir, 'locked.json');
    writeFileSync(file, '{}');
    chmodSync(file, 0o000);
    // The compiled module in a child process: root reads any file, so as root the child runs without the
    // capabilities that bypass file permissions (setpriv, util-linux); as anyone else the mode alone denies.
    const compiled = pathToFileURL(path.join(repoRoot, 'dist/src/config/index.js')).href;
    const script = `import { readConfigFile } from ${JSON.stringify(compiled)};
      try { readConfigFile(${JSON.stringify(file)}); console.log('read'); } catch (e) { console.log(e.name + ': ' + e.message); }`;
    const r = runUnprivileged(script);
    expect(r.error, `${r.argv0} could not run (setpriv is in util-linux)`).toBeUndefined();
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toMatch(/^ConfigError: --config: file '.*locked\.json' is not readable \(permission denied\)$/);
  });
});
