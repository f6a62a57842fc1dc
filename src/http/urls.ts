/**
 * Base URLs: which root an API version lives under, and which configured URLs are acceptable.
 */
import { ConfigError } from '../errors.js';

/** The host whose API v1 lives at `/v1` (company domains and the emulator use `/api/v1`). */
const PUBLIC_API_HOST = 'api.pipedrive.com';

/**
 * Base URL of an API version: v2 → `${base}/api/v2`; v1 → `${base}/v1` when the host is api.pipedrive.com,
 * else `${base}/api/v1` (company domains, the emulator).
 */
export function apiRoot(base: string, api: 'v1' | 'v2'): string {
  const root = base.replace(/\/+$/, '');
  if (api === 'v2') return `${root}/api/v2`;
  return hostnameOf(root) === PUBLIC_API_HOST ? `${root}/v1` : `${root}/api/v1`;
}

/**
 * Validates a configured URL: https always; http only for loopback hosts (127.0.0.0/8, localhost, [::1]);
 * else throws ConfigError naming the setting (`label`, default the setting itself, e.g. `config.api_url`).
 * Also rejects user info (`https://user:pass@host`), query strings and fragments, which a base URL cannot carry.
 * Strips trailing slashes. Messages never repeat the URL (it could carry credentials).
 */
export function checkedBaseUrl(value: string, setting: 'api_url' | 'oauth_url', label: string = setting): string {
  let url: URL;
  try {
    url = new URL(typeof value === 'string' ? value.trim() : '');
  } catch {
    throw new ConfigError(`${label} is not a valid URL: use e.g. https://api.pipedrive.com`);
  }
  if (url.username || url.password) throw new ConfigError(`${label} must not contain a user name or password`);
  if (!(url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url.hostname)))) {
    throw new ConfigError(`${label} must use https (http is allowed only for loopback hosts)`);
  }
  if (url.search || url.hash) throw new ConfigError(`${label} must not have a query string or fragment`);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** Loopback hosts as the WHATWG URL parser normalises them (`127.1` → `127.0.0.1`, `[::1]` keeps brackets). */
export function isLoopback(hostname: string): boolean {
  const h = hostname.toLowerCase();
  if (h === 'localhost' || h === '[::1]' || h === '::1') return true;
  const m = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h);
  return m !== null && m.slice(1).every((octet) => Number(octet) <= 255);
}

function hostnameOf(url: string): string {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return '';
  }
}
