import { describe, it, expect } from 'vitest';
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { Ajv } from 'ajv';
import ajvFormats from 'ajv-formats';
import { loadSpec } from '../../../src/config/index.js';
import { protocolValidator, repoRoot } from '../../helpers/protocol.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests walk arbitrary JSON

/** Every object in a JSON tree, with its path. */
function* walk(node: unknown, at: string[] = []): Generator<[string[], Obj]> {
  if (Array.isArray(node)) for (const [i, n] of node.entries()) yield* walk(n, [...at, String(i)]);
  else if (node && typeof node === 'object') {
    yield [at, node as Obj];
    for (const [k, v] of Object.entries(node)) yield* walk(v, [...at, k]);
  }
}

describe('spec.json', () => {
  const spec = loadSpec();
  const cs = spec['connectionSpecification'] as Obj;

  it('is a valid ConnectorSpecification (the Airbyte protocol schema, test/reference/)', () => {
    const validate = protocolValidator('ConnectorSpecification');
    expect(validate(spec), JSON.stringify(validate.errors)).toBe(true);
    // The validator does check: a wrong destination sync mode or auth flow type is refused.
    expect(validate({ ...spec, supported_destination_sync_modes: ['bogus'] })).toBe(false);
    expect(validate({ ...spec, advanced_auth: { ...(spec['advanced_auth'] as Obj), auth_flow_type: 'basic' } })).toBe(false);
  });

  it('makes a valid SPEC AirbyteMessage', () => {
    const validate = protocolValidator('AirbyteMessage');
    expect(validate({ type: 'SPEC', spec }), JSON.stringify(validate.errors)).toBe(true);
  });

  it('has a draft-07 connectionSpecification that ajv compiles in strict mode (apart from Airbyte keywords)', () => {
    expect(cs['$schema']).toBe('http://json-schema.org/draft-07/schema#');
    expect(cs['title']).toBe('Pipedrive Spec');
    expect(cs['additionalProperties']).toBe(true);
    expect(cs['required']).toEqual(['credentials']);
    const ajv = new Ajv({ strict: true, keywords: ['airbyte_secret', 'order'] });
    ajvFormats.default(ajv);
    expect(() => ajv.compile(cs)).not.toThrow();
  });

  it('lists the OAuth option first, then the API token option, each with title, required and order', () => {
    const oneOf = cs['properties'].credentials.oneOf as Obj[];
    expect(oneOf.map((o) => o['properties'].auth_type.const)).toEqual(['oauth2.0', 'api_token']);
    expect(oneOf[0]!['required']).toEqual(['auth_type', 'client_id', 'client_secret', 'refresh_token']);
    expect(oneOf[1]!['required']).toEqual(['auth_type', 'api_token']);
    for (const o of oneOf) {
      expect(typeof o['title']).toBe('string');
      expect(typeof o['order']).toBe('number');
      for (const p of Object.values(o['properties'] as Obj)) expect(typeof p.order).toBe('number');
    }
    expect(oneOf[0]!['properties'].token_expiry_date).toMatchObject({ type: 'string', format: 'date-time' });
  });

  it('marks every secret airbyte_secret: true', () => {
    const secrets = new Set(['client_secret', 'refresh_token', 'access_token', 'api_token']);
    const found: string[] = [];
    for (const [at, node] of walk(cs)) {
      const key = at[at.length - 1];
      if (key && secrets.has(key) && at[at.length - 2] === 'properties') {
        found.push(key);
        expect(node['airbyte_secret'], at.join('.')).toBe(true);
      }
    }
    expect(found.sort()).toEqual(['access_token', 'api_token', 'client_secret', 'refresh_token']);
  });

  it('declares the optional settings with their defaults', () => {
    const p = cs['properties'] as Obj;
    expect(p['num_workers']).toMatchObject({ type: 'integer', minimum: 1, maximum: 10, default: 3 });
    expect(p['api_url']).toMatchObject({ type: 'string', default: 'https://api.pipedrive.com' });
    expect(p['oauth_url']).toMatchObject({ type: 'string', default: 'https://oauth.pipedrive.com' });
    expect(p['custom_field_names']).toMatchObject({ enum: ['key', 'name'], default: 'key' });
    expect(p['resolve_option_labels']).toMatchObject({ type: 'boolean', default: false });
    // Free: include_fields does not change an endpoint's x-token-cost, so the fields v1 sent are asked for by default.
    expect(p['include_v1_fields']).toMatchObject({ type: 'boolean', default: true });
    expect(String((p['include_v1_fields'] as Obj)['description'])).toMatch(/no extra API tokens/);
    expect(p['detect_deletes']).toMatchObject({ type: 'string', enum: ['off', 'on'], default: 'off' });
    for (const [name, prop] of Object.entries(p)) expect(typeof (prop as Obj)['description'], name).toBe('string');
  });

  it('has a replication_start_date pattern for every documented form', () => {
    const re = new RegExp(cs['properties'].replication_start_date.pattern as string);
    for (const ok of ['2021-06-01', '2021-06-01T00:00:00Z', '2021-06-01T00:00:00.123Z', '2021-06-01T10:00:00+02:00', '2021-06-01T10:00:00.5-05:30', '2021-06-01 10:00:00']) {
      expect(re.test(ok), ok).toBe(true);
    }
    for (const bad of ['2021-6-1', '01/06/2021', 'yesterday', '2021-06-01T10:00Z', '']) expect(re.test(bad), bad).toBe(false);
    for (const ex of cs['properties'].replication_start_date.examples as string[]) expect(re.test(ex)).toBe(true);
  });

  it('declares incremental support, destination sync modes and advanced_auth for OAuth', () => {
    expect(spec['supportsIncremental']).toBe(true);
    expect(spec['supported_destination_sync_modes']).toEqual(expect.arrayContaining(['append', 'overwrite', 'append_dedup']));
    const aa = spec['advanced_auth'] as Obj;
    expect(aa).toMatchObject({ auth_flow_type: 'oauth2.0', predicate_key: ['credentials', 'auth_type'], predicate_value: 'oauth2.0' });
    const oc = aa['oauth_config_specification'] as Obj;
    expect(Object.keys(oc['complete_oauth_output_specification'].properties).sort()).toEqual(['access_token', 'refresh_token', 'token_expiry_date']);
    for (const [k, v] of Object.entries(oc['complete_oauth_output_specification'].properties as Obj)) {
      expect(v.path_in_connector_config).toEqual(['credentials', k]);
    }
    expect(Object.keys(oc['complete_oauth_server_input_specification'].properties).sort()).toEqual(['client_id', 'client_secret']);
    for (const [k, v] of Object.entries(oc['complete_oauth_server_output_specification'].properties as Obj)) {
      expect(v.path_in_connector_config).toEqual(['credentials', k]);
    }
  });

  const compiled = path.join(repoRoot, 'dist/src/config/index.js');
  it.skipIf(!existsSync(compiled))('is found by the compiled module too (dist/src/config/index.js), whatever the working directory', () => {
    const script = `const { loadSpec } = await import(${JSON.stringify(compiled)}); process.stdout.write(JSON.stringify(loadSpec()));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: path.parse(repoRoot).root, encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual(spec);
  });

  it('returns a fresh copy each time', () => {
    const a = loadSpec();
    (a['connectionSpecification'] as Obj)['title'] = 'changed';
    expect((loadSpec()['connectionSpecification'] as Obj)['title']).toBe('Pipedrive Spec');
  });
});
