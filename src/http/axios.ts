/**
 * The production HTTP adapter: the only module that imports axios.
 *
 * Every request is a cold Observable that emits one `HttpResponse` and completes for 2xx, or errors with a typed
 * error: `RateLimitError` (429), `HttpError` (any other non-2xx), `NetworkError` (timeouts, resets, refused or
 * unresolvable hosts, truncated or non-JSON 2xx bodies), `TlsError` (an untrusted certificate), `SystemError` (a 2xx
 * that says `success: false`, an answer larger than `maxBodyBytes`). Unsubscribing aborts the request.
 *
 * Time limits of one attempt: `headersTimeoutMs` until the answer's headers (a server that accepts the connection and
 * never answers), `idleTimeoutMs` between two chunks of the body (an answer that stalls), `timeoutMs` for the whole.
 *
 * Errors are built from scratch: axios errors carry the request config (headers with tokens, URLs with query
 * strings) and are never wrapped, rethrown or attached as `cause`. Messages name the URL path only.
 */
import http from 'node:http';
import https from 'node:https';
import { createRequire } from 'node:module';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { AxiosResponse, AxiosStatic } from 'axios';
import { Observable } from 'rxjs';
import { HttpError, NetworkError, RateLimitError, SystemError, redact } from '../errors.js';
import { DEFAULT_TIMEOUT_MS, isDailyLimit, networkError, resetSecondsOf, secretsOfRequest, summariseBody, type Limit } from './answers.js';
import type { HttpPort, HttpRequest, HttpResponse } from './port.js';

export interface AxiosPortOptions {
  /** Total time allowed for one request (connect, headers and body), default 60000. */
  timeoutMs?: number;
  /** Time allowed until the answer's headers arrive (connect included), default 20000. */
  headersTimeoutMs?: number;
  /** Longest pause between two chunks of a body, default 20000. */
  idleTimeoutMs?: number;
  /** Largest body accepted, default 64 MiB: a larger (or endless) answer fails the request. */
  maxBodyBytes?: number;
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

export const DEFAULT_HEADERS_TIMEOUT_MS = 20_000;
const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;
const DEFAULT_USER_AGENT = 'source-pipedrive';
const DEFAULT_MAX_SOCKETS = 10;

/** Response headers that are dropped (nobody needs them; they may carry session identifiers). */
const DROPPED_RESPONSE_HEADERS = new Set(['set-cookie']);

export function createAxiosPort(options: AxiosPortOptions = {}): HttpPort {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const headersTimeoutMs = options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS;
  const idleTimeoutMs = options.idleTimeoutMs ?? headersTimeoutMs;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
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
      /** Which time limit ended the request, if one did. */
      let timedOut: Limit | undefined;
      const limit = request.timeoutMs ?? timeoutMs;
      const expire = (which: Limit) => () => {
        timedOut ??= which;
        controller.abort();
      };
      const timer = setTimeout(expire({ kind: 'total', ms: limit }), limit);
      // Until the headers: the server may accept the connection and never answer.
      const headersMs = Math.min(headersTimeoutMs, limit);
      const waiting: NodeJS.Timeout = setTimeout(expire({ kind: 'headers', ms: headersMs }), headersMs);
      // Between chunks of the body: one timer, restarted per chunk (no new timer per chunk on the hot path).
      let pause: NodeJS.Timeout | undefined;
      const idle = (): void => {
        if (pause) {
          pause.refresh();
          return;
        }
        clearTimeout(waiting);
        pause = setTimeout(expire({ kind: 'idle', ms: idleTimeoutMs }), idleTimeoutMs);
      };

      const headers: Record<string, string> = { 'user-agent': userAgent, accept: 'application/json' };
      for (const [name, value] of Object.entries(request.headers ?? {})) headers[name.toLowerCase()] = value;
      if (request.body !== undefined && headers['content-type'] === undefined) headers['content-type'] = 'application/json';

      const finish = (): boolean => {
        settled = true;
        clearTimeout(timer);
        clearTimeout(waiting);
        clearTimeout(pause);
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
            idle();
            readText(response.data, { maxBytes: maxBodyBytes, onChunk: idle }, (error, text) => {
              if (!finish()) return;
              if (error instanceof TooLargeError) {
                controller.abort();
                subscriber.error(new SystemError(
                  `Pipedrive's answer to ${method} ${path} is larger than ${Math.round(maxBodyBytes / 1048576)} MB (the limit of one answer), so it was cut off: the server or a proxy in between sent more than a page can hold`,
                ));
                return;
              }
              if (error !== undefined) {
                subscriber.error(networkError(error, method, path, target.hostname, timedOut));
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
            subscriber.error(networkError(error, method, path, target.hostname, timedOut));
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

/** A body that grew past the limit. */
class TooLargeError extends Error {}

/**
 * Reads a response body to its end as UTF-8 text (a leading byte order mark removed), decoding chunk by chunk;
 * `done` gets the error instead when the body fails or stops early (a reset connection, an abort), or grows past
 * `maxBytes` (then the body is destroyed: an endless answer never fills the memory).
 */
function readText(body: Readable, opts: { maxBytes: number; onChunk: () => void }, done: (error: unknown, text: string) => void): void {
  let text = '';
  let bytes = 0;
  let ended = false;
  const decoder = new StringDecoder('utf8');
  const once = (error: unknown): void => {
    if (ended) return;
    ended = true;
    if (error === undefined) text += decoder.end();
    done(error, error === undefined && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  };
  body.on('data', (chunk: Buffer) => {
    if (ended) return;
    bytes += chunk.length;
    if (bytes > opts.maxBytes) {
      text = '';
      once(new TooLargeError());
      body.destroy();
      return;
    }
    opts.onChunk();
    text += decoder.write(chunk);
  });
  body.once('end', () => once(undefined));
  body.once('error', (error: unknown) => once(error ?? new Error('the response body failed')));
  body.once('close', () => once(Object.assign(new Error('the response was cut off'), { code: 'ERR_BAD_RESPONSE' })));
}

function toResult(response: AxiosResponse<unknown>, text: string, request: HttpRequest, path: string): HttpResponse | Error {
  const headers = normaliseHeaders(response.headers);
  const status = response.status;
  if (status >= 200 && status < 300) {
    if (status === 204 || status === 205) return { status, headers, data: null };
    let data: unknown;
    try {
      data = JSON.parse(text) as unknown;
    } catch {
      return new NetworkError(
        `Pipedrive sent a truncated or non-JSON body (status ${status}, ${text.length} characters) for ${request.method} ${path}`,
        'EBADBODY',
      );
    }
    // Pipedrive's envelope can say it failed even with a 2xx: an empty success would be silent data loss.
    if (data !== null && typeof data === 'object' && (data as { success?: unknown }).success === false) {
      const said = redact(summariseBody(text, headers['content-type']), secretsOfRequest(request));
      return new SystemError(`Pipedrive answered ${status} with success: false to ${request.method} ${path}${said ? `: ${said}` : ''}`);
    }
    return { status, headers, data };
  }
  const body = redact(summariseBody(text, headers['content-type']), secretsOfRequest(request));
  const details = { status, method: request.method, path, headers, body };
  if (status === 429) {
    const daily = isDailyLimit(text, headers);
    const reset = resetSecondsOf(headers, daily);
    return new RateLimitError(details, reset, daily, reset !== undefined ? Date.now() + reset * 1000 : undefined);
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
