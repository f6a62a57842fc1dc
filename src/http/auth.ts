/**
 * Authentication: the API token header, or the OAuth refresh-token flow.
 *
 * OAuth state (access token, expiry, refresh token, api_domain) lives in the closure of one `createAuth` call.
 * One refresh is in flight at a time: every caller that needs a token while a refresh runs shares it
 * (`shareReplay` of the refresh request). A rotated refresh token or a new access token is handed to
 * `onConfigChange` synchronously, before the new access token is given to any request.
 */
import { EMPTY, Observable, catchError, defer, ignoreElements, map, of, shareReplay, switchMap, throwError } from 'rxjs';
import type { SchedulerLike } from 'rxjs';
import type { ConnectorConfig, OAuthCredentials } from '../config/types.js';
import { DEFAULT_API_URL } from '../config/types.js';
import { ConfigError, HttpError, SystemError } from '../errors.js';
import type { HttpPort, HttpRequest, HttpResponse } from './port.js';
import { checkedBaseUrl } from './urls.js';

export interface AuthDeps {
  /** Used for the token endpoint only (requests go through the port given to `wrap`). */
  port: HttpPort;
  /** Epoch milliseconds; default `scheduler.now()` or `Date.now()`. */
  now?: () => number;
  /** Called with the full new credentials whenever the token endpoint hands out a new access or refresh token. */
  onConfigChange?: (credentials: OAuthCredentials) => void;
  /** Only its `now()` is used (when `now` is not given). */
  scheduler?: SchedulerLike;
}

export interface Auth {
  /**
   * Wraps a port: adds `x-api-token` (API token; never a query param) or `Authorization: Bearer` (OAuth).
   * With OAuth: refreshes before first use if no access_token or token_expiry_date is past (with a 60 s margin);
   * on a 401 refreshes once and retries the request once; if it still fails, the HttpError 401 goes through
   * as a config_error.
   */
  wrap(port: HttpPort): HttpPort;
  /**
   * The base URL to use: config.api_url if set; else, with OAuth, the api_domain returned by the token endpoint
   * (after the first refresh); else https://api.pipedrive.com. An Observable because OAuth may need a refresh first.
   */
  baseUrl(): Observable<string>;
  /**
   * Completes once no refresh is in flight (at once when none is), with or without success: a command that ends
   * waits for it, so that rotated credentials handed out by the token endpoint are always persisted.
   */
  settled(): Observable<void>;
}

/** A token expiring within this margin is refreshed before use. */
const EXPIRY_MARGIN_MS = 60_000;

export function createAuth(config: ConnectorConfig, deps: AuthDeps): Auth {
  const credentials = config.credentials;
  if (credentials.auth_type === 'api_token') {
    const token = credentials.api_token;
    return {
      wrap: (port) => (request) => port(withHeader(request, 'x-api-token', token)),
      baseUrl: () => defer(() => of(config.api_url !== undefined ? checkedBaseUrl(config.api_url, 'api_url') : DEFAULT_API_URL)),
      settled: () => EMPTY,
    };
  }
  return createOAuth(config, credentials, deps);
}

interface TokenState {
  readonly accessToken: string;
  /** Epoch ms; undefined when unknown (the token is then used until a 401). */
  readonly expiresAt: number | undefined;
}

function createOAuth(config: ConnectorConfig, initial: OAuthCredentials, deps: AuthDeps): Auth {
  const scheduler = deps.scheduler;
  const now = deps.now ?? (scheduler ? () => scheduler.now() : Date.now);
  let creds: OAuthCredentials = initial;
  let current: TokenState | undefined = initial.access_token
    ? { accessToken: initial.access_token, expiresAt: parseExpiry(initial.token_expiry_date) }
    : undefined;
  // A stored access token is used with the domain it came with (persisted beside it).
  let apiDomain: string | undefined = initial.api_domain !== undefined && initial.api_domain !== '' ? initial.api_domain : undefined;
  let inflight: Observable<string> | undefined;

  const usable = (state: TokenState | undefined): state is TokenState =>
    state !== undefined && (state.expiresAt === undefined || now() < state.expiresAt - EXPIRY_MARGIN_MS);

  /** The one refresh in flight, or a new one. */
  const refresh = (): Observable<string> => {
    if (inflight) return inflight;
    const refresh$ = defer(() => deps.port(tokenRequest(config, creds))).pipe(
      catchError((err: unknown) => throwError(() => refreshError(err))),
      map((response) => {
        const token = apply(response);
        if (inflight === refresh$) inflight = undefined;
        return token;
      }),
      catchError((err: unknown) => {
        if (inflight === refresh$) inflight = undefined;
        return throwError(() => err);
      }),
      // refCount false: a refresh that has started runs to its end, so a rotated refresh token is never lost.
      shareReplay({ bufferSize: 1, refCount: false }),
    );
    inflight = refresh$;
    return refresh$;
  };

  /** Stores the token endpoint's answer, tells `onConfigChange`, and returns the new access token. */
  const apply = (response: HttpResponse): string => {
    const body = response.data;
    const o = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
    const accessToken = o['access_token'];
    if (typeof accessToken !== 'string' || accessToken.length === 0) {
      throw new SystemError('The OAuth token endpoint answered without an access_token (check oauth_url)');
    }
    const refreshToken = typeof o['refresh_token'] === 'string' && o['refresh_token'] ? o['refresh_token'] : creds.refresh_token;
    const expiresIn = typeof o['expires_in'] === 'number' ? o['expires_in'] : Number(o['expires_in']);
    const expiresAt = Number.isFinite(expiresIn) && expiresIn > 0 ? now() + expiresIn * 1000 : undefined;
    if (typeof o['api_domain'] === 'string' && o['api_domain']) apiDomain = o['api_domain'];
    const changed = accessToken !== creds.access_token || refreshToken !== creds.refresh_token;
    creds = {
      auth_type: 'oauth2.0',
      client_id: creds.client_id,
      client_secret: creds.client_secret,
      refresh_token: refreshToken,
      access_token: accessToken,
      ...(expiresAt !== undefined ? { token_expiry_date: rfc3339(expiresAt) } : {}),
      ...(apiDomain !== undefined ? { api_domain: apiDomain } : {}),
    };
    // Persist first: the new token is handed to requests only after this returns.
    if (changed) deps.onConfigChange?.({ ...creds });
    current = { accessToken, expiresAt };
    return accessToken;
  };

  /** A usable access token, refreshing first if there is none or it is (about to be) expired. */
  const token = (): Observable<string> => defer(() => (usable(current) ? of(current.accessToken) : refresh()));

  /** After a 401 with `stale`: a newer token if one arrived meanwhile, else the (shared) refresh. */
  const tokenAfter401 = (stale: string): Observable<string> =>
    defer(() => (usable(current) && current.accessToken !== stale ? of(current.accessToken) : refresh()));

  const wrap = (port: HttpPort): HttpPort => (request) => {
    const send = (accessToken: string): Observable<HttpResponse> =>
      port(withHeader(request, 'authorization', `Bearer ${accessToken}`));
    return token().pipe(
      switchMap((accessToken) =>
        send(accessToken).pipe(
          catchError((err: unknown) =>
            is401(err) ? tokenAfter401(accessToken).pipe(switchMap((fresh) => send(fresh))) : throwError(() => err),
          ),
        ),
      ),
    );
  };

  const baseUrl = (): Observable<string> =>
    defer(() => {
      if (config.api_url !== undefined) return of(checkedBaseUrl(config.api_url, 'api_url'));
      return token().pipe(map(() => (apiDomain !== undefined ? domainUrl(apiDomain) : DEFAULT_API_URL)));
    });

  const settled = (): Observable<void> =>
    defer(() => (inflight ? inflight.pipe(ignoreElements(), catchError(() => EMPTY)) : EMPTY));

  return { wrap, baseUrl, settled };
}

function tokenRequest(config: ConnectorConfig, creds: OAuthCredentials): HttpRequest {
  const oauthUrl = checkedBaseUrl(config.oauth_url, 'oauth_url');
  const basic = Buffer.from(`${creds.client_id}:${creds.client_secret}`, 'utf8').toString('base64');
  return {
    method: 'POST',
    url: `${oauthUrl}/oauth/token`,
    headers: {
      authorization: `Basic ${basic}`,
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: creds.refresh_token }).toString(),
  };
}

/** 400/401 from the token endpoint: the refresh token (or the client) was rejected; retrying will not help. */
function refreshError(err: unknown): unknown {
  if (err instanceof HttpError && (err.status === 400 || err.status === 401)) {
    const detail = err.body ? ` (Pipedrive said: ${err.body})` : '';
    return new ConfigError(
      `The OAuth refresh token was rejected by Pipedrive with ${err.status}${detail}: re-authenticate the source to get a new refresh token (credentials.refresh_token), and check credentials.client_id and credentials.client_secret`,
    );
  }
  return err;
}

/** The api_domain from the token endpoint, under the same scheme rule as api_url. */
function domainUrl(apiDomain: string): string {
  try {
    return checkedBaseUrl(apiDomain, 'api_url');
  } catch {
    throw new ConfigError(
      'The OAuth token endpoint returned an api_domain that is not an https:// URL: set api_url to your company domain (e.g. https://acme.pipedrive.com)',
    );
  }
}

function is401(err: unknown): boolean {
  return err instanceof HttpError && err.status === 401;
}

/** Sets one header (replacing any spelling of the same name). */
function withHeader(request: HttpRequest, name: string, value: string): HttpRequest {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(request.headers ?? {})) {
    if (k.toLowerCase() !== name && k.toLowerCase() !== 'authorization' && k.toLowerCase() !== 'x-api-token') headers[k] = v;
  }
  headers[name] = value;
  return { ...request, headers };
}

function parseExpiry(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const ms = Date.parse(value);
  // An unreadable expiry counts as expired: the token is refreshed before first use.
  return Number.isNaN(ms) ? 0 : ms;
}

/** `YYYY-MM-DDTHH:MM:SSZ`. */
function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
