/**
 * The production HTTP adapter: the only module that imports axios.
 *
 * Every request is a cold Observable that emits one `HttpResponse` and completes for 2xx, or errors with a typed
 * error: `RateLimitError` (429), `HttpError` (any other non-2xx), `NetworkError` (timeouts, resets, refused or
 * unresolvable hosts, truncated or non-JSON 2xx bodies). Unsubscribing aborts the request.
 *
 * Errors are built from scratch: axios errors carry the request config (headers with tokens, URLs with query
 * strings) and are never wrapped, rethrown or attached as `cause`. Messages name the URL path only.
 */
import http from 'node:http';
import https from 'node:https';
import { createRequire } from 'node:module';
import type { Readable } from 'node:stream';
import type { AxiosResponse, AxiosStatic } from 'axios';
import { Observable } from 'rxjs';
import { HttpError, NetworkError, RateLimitError, SystemError, redact } from '../errors.js';
import type { HttpPort, HttpRequest, HttpResponse } from './port.js';

export interface AxiosPortOptions {
  /** Total time allowed for one request (connect, headers and body), default 60000. */
  timeoutMs?: number;
  /** Default `source-pipedrive`. */
  userAgent?: string;
  /** Per agent (http and https), default 10. */
  maxSockets?: number;
}

/**
 * axios' CommonJS bundle: an ESM `import` of axios resolves to its ESM sources (some eighty modules, ~25 ms more
 * start-up than the one bundled file).
 */
const axios = createRequire(import.meta.url)('axios') as AxiosStatic;

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_USER_AGENT = 'source-pipedrive';
const DEFAULT_MAX_SOCKETS = 10;
/** Longest body summary put into an error. */
const MAX_SUMMARY = 300;

/** Headers whose values are credentials: never echoed anywhere. */
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'x-api-token', 'cookie']);
/** Response headers that are dropped (nobody needs them; they may carry session identifiers). */
const DROPPED_RESPONSE_HEADERS = new Set(['set-cookie']);
const SECRET_PARAM = /token|secret|password|key/i;

export function createAxiosPort(options: AxiosPortOptions = {}): HttpPort {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxSockets = options.maxSockets ?? DEFAULT_MAX_SOCKETS;
  const userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
  const agentOptions = { keepAlive: true, maxSockets };
  const client = axios.create({
    adapter: 'http',
    httpAgent: new http.Agent(agentOptions),
    httpsAgent: new https.Agent(agentOptions),
    // Redirects are not followed: a redirect to another host would carry the x-api-token header along.
    maxRedirects: 0,
    // The body is read here as it arrives, decoded to text chunk by chunk (no buffering of the raw bytes
    // and no concatenated copy), and parsed once.
    responseType: 'stream',
    // Bodies pass through untouched: requests are pre-serialised text, responses are parsed below.
    transformRequest: [(data: unknown) => data],
    transformResponse: [(data: unknown) => data],
    validateStatus: () => true,
    maxContentLength: -1,
    maxBodyLength: -1,
  });

  return (request: HttpRequest): Observable<HttpResponse> =>
    new Observable<HttpResponse>((subscriber) => {
      const method = request.method;
      let target: URL;
      try {
        target = buildUrl(request);
      } catch {
        subscriber.error(new SystemError(`Invalid request URL for ${method} (a bug: the URL could not be parsed)`));
        return undefined;
      }
      const path = target.pathname;
      const controller = new AbortController();
      let settled = false;
      let timedOut = false;
      const limit = request.timeoutMs ?? timeoutMs;
      const timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, limit);

      const headers: Record<string, string> = { 'user-agent': userAgent, accept: 'application/json' };
      for (const [name, value] of Object.entries(request.headers ?? {})) headers[name.toLowerCase()] = value;
      if (request.body !== undefined && headers['content-type'] === undefined) headers['content-type'] = 'application/json';

      const finish = (): boolean => {
        settled = true;
        clearTimeout(timer);
        return !subscriber.closed;
      };

      client
        .request<Readable>({
          method,
          url: target.toString(),
          headers,
          ...(request.body !== undefined ? { data: request.body } : {}),
          // axios' own timeout is a socket idle timeout; the timer above bounds the whole request.
          timeout: limit,
          signal: controller.signal,
        })
        .then(
          (response) => {
            if (subscriber.closed) {
              response.data.destroy();
              return;
            }
            readText(response.data, (error, text) => {
              if (!finish()) return;
              if (error !== undefined) {
                subscriber.error(networkError(error, method, path, target.hostname, timedOut, limit));
                return;
              }
              const result = toResult(response, text, request, path);
              if (result instanceof Error) subscriber.error(result);
              else {
                subscriber.next(result);
                subscriber.complete();
              }
            });
          },
          (error: unknown) => {
            if (!finish()) return;
            subscriber.error(networkError(error, method, path, target.hostname, timedOut, limit));
          },
        );

      return () => {
        clearTimeout(timer);
        if (!settled) controller.abort();
      };
    });
}

function buildUrl(request: HttpRequest): URL {
  const url = new URL(request.url);
  for (const [name, value] of Object.entries(request.params ?? {})) url.searchParams.append(name, String(value));
  return url;
}

/**
 * Reads a response body to its end as UTF-8 text (a leading byte order mark removed); `done` gets the error instead
 * when the body fails or stops early (a reset connection, an abort).
 */
function readText(body: Readable, done: (error: unknown, text: string) => void): void {
  let text = '';
  let ended = false;
  const once = (error: unknown): void => {
    if (ended) return;
    ended = true;
    done(error, error === undefined && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  };
  body.setEncoding('utf8');
  body.on('data', (chunk: string) => { text += chunk; });
  body.once('end', () => once(undefined));
  body.once('error', (error: unknown) => once(error ?? new Error('the response body failed')));
  body.once('close', () => once(Object.assign(new Error('the response was cut off'), { code: 'ERR_BAD_RESPONSE' })));
}

function toResult(response: AxiosResponse<unknown>, text: string, request: HttpRequest, path: string): HttpResponse | Error {
  const headers = normaliseHeaders(response.headers);
  const status = response.status;
  if (status >= 200 && status < 300) {
    if (status === 204 || status === 205) return { status, headers, data: null };
    try {
      return { status, headers, data: JSON.parse(text) as unknown };
    } catch {
      return new NetworkError(
        `Pipedrive sent a truncated or non-JSON body (status ${status}, ${text.length} characters) for ${request.method} ${path}`,
        'EBADBODY',
      );
    }
  }
  const body = redact(summariseBody(text, headers['content-type']), secretsOfRequest(request));
  const details = { status, method: request.method, path, headers, body };
  if (status === 429) {
    const daily = isDailyLimit(text, headers);
    return new RateLimitError(details, resetSecondsOf(headers, daily), daily);
  }
  return new HttpError(details);
}

/** Lower-cased names, string values (multi-valued headers joined with `, `), without `set-cookie`. */
function normaliseHeaders(raw: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const source: Record<string, unknown> =
    raw !== null && typeof raw === 'object'
      ? // AxiosHeaders has toJSON(); a plain object is used as is.
        typeof (raw as { toJSON?: unknown }).toJSON === 'function'
        ? ((raw as { toJSON: () => Record<string, unknown> }).toJSON())
        : (raw as Record<string, unknown>)
      : {};
  for (const [name, value] of Object.entries(source)) {
    const key = name.toLowerCase();
    if (DROPPED_RESPONSE_HEADERS.has(key) || value === undefined || value === null) continue;
    out[key] = Array.isArray(value) ? value.map(String).join(', ') : String(value);
  }
  return out;
}

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
function isDailyLimit(text: string, headers: Readonly<Record<string, string>>): boolean {
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
function resetSecondsOf(headers: Readonly<Record<string, string>>, daily: boolean): number | undefined {
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
function secretsOfRequest(request: HttpRequest): string[] {
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

/**
 * A `NetworkError` built only from the error's code: the axios error (which holds the request config and
 * headers) is dropped here and goes nowhere.
 */
function networkError(error: unknown, method: string, path: string, host: string, timedOut: boolean, limit: number): NetworkError {
  const raw = error !== null && typeof error === 'object' ? (error as { code?: unknown; message?: unknown }) : {};
  let code = typeof raw.code === 'string' && /^[A-Z0-9_]+$/.test(raw.code) ? raw.code : undefined;
  const message = typeof raw.message === 'string' ? raw.message : '';
  if (timedOut || code === 'ECONNABORTED' || /timeout/i.test(message)) code = 'ETIMEDOUT';
  if (code === undefined && /socket hang up/i.test(message)) code = 'ECONNRESET';
  if (code === undefined || code === 'ERR_NETWORK' || code === 'ERR_CANCELED') code = code === 'ERR_CANCELED' ? 'ECONNRESET' : 'ENETWORK';
  let description = NETWORK_DESCRIPTIONS[code] ?? 'the connection failed';
  if (code === 'ETIMEDOUT') description = `no complete answer within ${Math.round(limit / 1000)} s`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'ECONNREFUSED') {
    // The host is named (it is not a secret: configured URLs never carry credentials) so a wrong api_url can be spotted.
    description = `${description} (host ${host}; check api_url / oauth_url)`;
  }
  return new NetworkError(`Network error on ${method} ${path}: ${description} (${code})`, code);
}
