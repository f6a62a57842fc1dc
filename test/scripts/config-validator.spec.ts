/** The build's standalone config validator (dist) must judge every config exactly as ajv compiling the spec does. */
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { repoRoot } from '../helpers/protocol.js';
import { connectionSpecification, newAjv, GENERATED_VALIDATOR } from '../../src/config/index.js';

const generatedPath = resolve(repoRoot, 'dist/src/config', GENERATED_VALIDATOR);

const configs: unknown[] = [
  { credentials: { auth_type: 'api_token', api_token: 't' } },
  { credentials: { auth_type: 'api_token', api_token: '' } },
  { credentials: { auth_type: 'api_token' } },
  { credentials: { auth_type: 'oauth2.0', client_id: 'a', client_secret: 'b', refresh_token: 'c', token_expiry_date: '2026-01-01T00:00:00Z' } },
  { credentials: { auth_type: 'oauth2.0', client_id: 'a', client_secret: 'b', refresh_token: 'c', token_expiry_date: 'tomorrow' } },
  { credentials: { auth_type: 'basic' } },
  { credentials: { auth_type: 'api_token', api_token: 't' }, num_workers: 11, replication_start_date: '2021-13-01' },
  { credentials: { auth_type: 'api_token', api_token: 't' }, num_workers: '3', api_url: 5 },
  { credentials: { auth_type: 'api_token', api_token: 't' }, custom_field_names: 'label', resolve_option_labels: 'yes' },
  {},
  [],
];

describe('generated config validator', () => {
  it('exists after the build', () => { expect(existsSync(generatedPath)).toBe(true); });
  it.each(configs.map((c) => [JSON.stringify(c), c]))('agrees with the compiled validator on %s', (_n, config) => {
    const generated = createRequire(import.meta.url)(generatedPath) as ValidateFunction;
    const compiled = newAjv().compile(connectionSpecification());
    expect(generated(config)).toBe(compiled(config));
    expect(generated.errors ?? null).toEqual(compiled.errors ?? null);
  });
});
