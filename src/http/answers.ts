/**
 * Pipedrive's answers as the connector reports them: short, secret-free summaries of error bodies (Pipedrive's JSON
 * envelope, an HTML error page), the rate-limit reset a 429 announces and whether it is the daily budget, the
 * credentials a request carries (to redact from whatever the server echoes), and network failures rebuilt from their
 * codes alone (the library's error, which holds the request config and headers, goes nowhere). Pure functions; the
 * adapter (src/http/axios.ts) uses them.
 */
import { NetworkError, TlsError } from '../errors.js';
import type { HttpRequest } from './port.js';

/** Longest body summary put into an error. */
const MAX_SUMMARY = 300;
/** Headers whose values are credentials: never echoed anywhere. */
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'x-api-token', 'cookie']);
const SECRET_PARAM = /token|secret|password|key/i;
/** Default of the whole-request time limit, named when a timeout gives no other. */
export const DEFAULT_TIMEOUT_MS = 60_000;

/** Which time limit ended a request, and how long it was. */
export interface Limit { readonly kind: 'headers' | 'idle' | 'total'; readonly ms: number }

/**
 * A short, readable, secret-free summary of an error body: Pipedrive's JSON envelope (`error`, `error_info`,
 * OAuth's `error_description`), the title of an HTML page (Cloudflare), or the text itself, collapsed and truncated.
 */
export function summariseBody(text: string, contentType?: string): string {
  const trimmed = text.trim();
  if (trimmed.length === 0) return '';
  if (/^[[{]/.test(trimmed)) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      const fromJson = summariseJson(parsed);
      if (fromJson !== undefined) return truncate(fromJson);
    } catch {
      // not JSON after all: summarised as text below
    }
  }
  if ((contentType !== undefined && /html/i.test(contentType)) || /^<(!doctype|html|head|body|\?xml)/i.test(trimmed) || /<\/?(html|body|title|div|h1)\b/i.test(trimmed)) {
    const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(trimmed)?.[1];
    const heading = /<h1[^>]*>([\s\S]*?)<\/h1>/i.exec(trimmed)?.[1];
    const label = cleanText(decodeEntities(stripTags(title ?? heading ?? '')));
    return truncate(label ? `an HTML error page (title: ${label})` : 'an HTML error page');
  }
  return truncate(cleanText(trimmed));
}

function summariseJson(parsed: unknown): string | undefined {
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const o = parsed as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of ['error', 'message', 'error_description', 'error_info']) {
    const v = o[key];
    if (typeof v === 'string' && v.trim() && !parts.includes(v.trim())) parts.push(v.trim());
  }
  if (parts.length === 0) return undefined;
  const [first, ...rest] = parts;
  return cleanText(rest.length ? `${first} (${rest.join('; ')})` : (first ?? ''));
}

function stripTags(s: string): string {
  return s.replace(/<[^>]*>/g, ' ');
}

function decodeEntities(s: string): string {
  return s
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)))
    .replace(/&amp;/g, '&');
}

function cleanText(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

function truncate(s: string): string {
  return s.length <= MAX_SUMMARY ? s : `${s.slice(0, MAX_SUMMARY - 1)}…`;
}

/** Pipedrive: a 429 whose error text mentions the daily limit, or a daily-budget header at 0. */
export function isDailyLimit(text: string, headers: Readonly<Record<string, string>>): boolean {
  for (const name of ['x-daily-ratelimit-remaining', 'x-daily-requests-left', 'x-daily-ratelimit-left']) {
    const v = headers[name];
    if (v !== undefined && v.trim() !== '' && Number(v) <= 0) return true;
  }
  return /daily/i.test(text);
}

/**
 * Seconds until the budget resets. Burst limit: `x-ratelimit-reset`, else `retry-after`. Daily budget:
 * `x-daily-ratelimit-reset` first (when Pipedrive sends it), then `retry-after`, then `x-ratelimit-reset`.
 */
export function resetSecondsOf(headers: Readonly<Record<string, string>>, daily: boolean): number | undefined {
  const order = daily
    ? ['x-daily-ratelimit-reset', 'retry-after', 'x-ratelimit-reset']
    : ['x-ratelimit-reset', 'retry-after'];
  for (const name of order) {
    const v = headers[name];
    if (v === undefined) continue;
    const seconds = parseSeconds(v);
    if (seconds !== undefined) return seconds;
  }
  return undefined;
}

function parseSeconds(value: string): number | undefined {
  const t = value.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t);
  const date = Date.parse(t);
  if (!Number.isNaN(date)) return Math.max(0, Math.ceil((date - Date.now()) / 1000));
  return undefined;
}

/** Values the request carries as credentials, to be removed from anything the server echoes back. */
export function secretsOfRequest(request: HttpRequest): string[] {
  const secrets: string[] = [];
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    if (!SECRET_HEADERS.has(name.toLowerCase())) continue;
    secrets.push(value);
    const space = value.indexOf(' ');
    if (space > 0) {
      const credential = value.slice(space + 1).trim();
      secrets.push(credential);
      // Basic: the decoded user:password and each half.
      if (/^basic$/i.test(value.slice(0, space))) {
        const decoded = Buffer.from(credential, 'base64').toString('utf8');
        secrets.push(decoded, ...decoded.split(':'));
      }
    }
  }
  for (const [name, value] of Object.entries(request.params ?? {})) {
    if (SECRET_PARAM.test(name)) secrets.push(String(value));
  }
  if (request.body !== undefined && !/^\s*[[{]/.test(request.body)) {
    for (const [name, value] of new URLSearchParams(request.body)) if (SECRET_PARAM.test(name)) secrets.push(value);
  }
  return secrets;
}

const NETWORK_DESCRIPTIONS: Record<string, string> = {
  ECONNRESET: 'the connection was reset',
  EPIPE: 'the connection was closed while sending',
  ECONNREFUSED: 'the connection was refused',
  ENOTFOUND: 'the host name could not be resolved',
  EAI_AGAIN: 'the host name could not be resolved (temporary DNS failure)',
  ETIMEDOUT: 'the request timed out',
  ECONNABORTED: 'the request timed out',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  ERR_BAD_RESPONSE: 'the response was cut off',
};

/** Node's codes of certificate problems (an untrusted, expired or mismatched certificate). */
const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'CERT_UNTRUSTED', 'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE', 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_REVOKED', 'INVALID_CA',
]);

const seconds = (ms: number): string => `${Math.round(ms / 100) / 10} s`;

/**
 * A `NetworkError` (or `TlsError`) built only from the error's code: the axios error (which holds the request config
 * and headers) is dropped here and goes nowhere.
 */
export function networkError(error: unknown, method: string, path: string, host: string, timedOut: Limit | undefined): NetworkError | TlsError {
  const raw = error !== null && typeof error === 'object' ? (error as { code?: unknown; message?: unknown }) : {};
  let code = typeof raw.code === 'string' && /^[A-Z0-9_]+$/.test(raw.code) ? raw.code : undefined;
  if (code !== undefined && TLS_CODES.has(code)) {
    return new TlsError(
      `The TLS certificate of ${host} is not trusted on ${method} ${path} (${code}). This is a certificate problem, not ` +
        'a Pipedrive outage: a proxy or firewall that intercepts HTTPS, or a wrong api_url, is the usual cause. Check api_url; ' +
        "if your network uses its own certificate authority, give it to Node with NODE_EXTRA_CA_CERTS=/path/to/ca.pem",
      code,
    );
  }
  const message = typeof raw.message === 'string' ? raw.message : '';
  if (timedOut || code === 'ECONNABORTED' || /timeout/i.test(message)) code = 'ETIMEDOUT';
  if (code === undefined && /socket hang up/i.test(message)) code = 'ECONNRESET';
  if (code === undefined || code === 'ERR_NETWORK' || code === 'ERR_CANCELED') code = code === 'ERR_CANCELED' ? 'ECONNRESET' : 'ENETWORK';
  let description = NETWORK_DESCRIPTIONS[code] ?? 'the connection failed';
  if (code === 'ETIMEDOUT') {
    description = timedOut?.kind === 'headers'
      ? `no answer within ${seconds(timedOut.ms)}`
      : timedOut?.kind === 'idle'
        ? `the answer stalled (no data for ${seconds(timedOut.ms)})`
        : `no complete answer within ${seconds(timedOut?.ms ?? DEFAULT_TIMEOUT_MS)}`;
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'ECONNREFUSED') {
    // The host is named (it is not a secret: configured URLs never carry credentials) so a wrong api_url can be spotted.
    description = `${description} (host ${host}; check api_url / oauth_url)`;
  }
  return new NetworkError(`Network error on ${method} ${path}: ${description} (${code})`, code);
}
