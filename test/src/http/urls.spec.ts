import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { apiRoot, checkedBaseUrl, isLoopback } from '../../../src/http/urls.js';

describe('apiRoot', () => {
  it.each([
    ['https://api.pipedrive.com', 'v2', 'https://api.pipedrive.com/api/v2'],
    ['https://api.pipedrive.com', 'v1', 'https://api.pipedrive.com/v1'],
    ['https://api.pipedrive.com/', 'v1', 'https://api.pipedrive.com/v1'],
    ['https://API.Pipedrive.com', 'v1', 'https://API.Pipedrive.com/v1'],
    ['https://acme.pipedrive.com', 'v1', 'https://acme.pipedrive.com/api/v1'],
    ['https://acme.pipedrive.com', 'v2', 'https://acme.pipedrive.com/api/v2'],
    ['http://127.0.0.1:8080', 'v1', 'http://127.0.0.1:8080/api/v1'],
    ['http://127.0.0.1:8080', 'v2', 'http://127.0.0.1:8080/api/v2'],
  ] as const)('%s %s → %s', (base, api, expected) => {
    expect(apiRoot(base, api)).toBe(expected);
  });
});

describe('checkedBaseUrl', () => {
  it.each([
    ['https://api.pipedrive.com', 'https://api.pipedrive.com'],
    ['https://api.pipedrive.com/', 'https://api.pipedrive.com'],
    ['https://acme.pipedrive.com//', 'https://acme.pipedrive.com'],
    ['https://proxy.example.com/pipedrive/', 'https://proxy.example.com/pipedrive'],
    ['http://127.0.0.1:3000', 'http://127.0.0.1:3000'],
    ['http://127.0.0.1:3000/', 'http://127.0.0.1:3000'],
    ['http://127.5.6.7', 'http://127.5.6.7'],
    ['http://localhost:9999/', 'http://localhost:9999'],
    ['http://[::1]:8080', 'http://[::1]:8080'],
    ['  https://api.pipedrive.com  ', 'https://api.pipedrive.com'],
  ])('accepts %s', (input, expected) => {
    expect(checkedBaseUrl(input, 'api_url')).toBe(expected);
  });

  it.each([
    ['http://example.com', 'api_url'],
    ['http://10.0.0.1', 'api_url'],
    ['http://128.0.0.1', 'oauth_url'],
    ['http://localhost.example.com', 'api_url'],
    ['ftp://api.pipedrive.com', 'oauth_url'],
    ['file:///etc/passwd', 'api_url'],
    ['not a url', 'api_url'],
    ['', 'oauth_url'],
    ['https://api.pipedrive.com/?api_token=x', 'api_url'],
  ] as const)('rejects %s with a ConfigError naming %s', (input, setting) => {
    let caught: unknown;
    try {
      checkedBaseUrl(input, setting);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).failureType).toBe('config_error');
    expect((caught as Error).message).toContain(setting);
  });

  it('never repeats credentials embedded in the URL', () => {
    let caught: unknown;
    try {
      checkedBaseUrl('https://user:s3cretpass@api.pipedrive.com', 'api_url');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as Error).message).not.toContain('s3cretpass');
    expect((caught as Error).message).toContain('api_url');
  });

  it('isLoopback', () => {
    expect(isLoopback('127.255.255.255')).toBe(true);
    expect(isLoopback('[::1]')).toBe(true);
    expect(isLoopback('127.0.0.256')).toBe(false);
    expect(isLoopback('10.0.0.1')).toBe(false);
  });
});
