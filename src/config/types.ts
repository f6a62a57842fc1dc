/** The connector configuration after validation, migration and normalisation. */

export interface OAuthCredentials {
  readonly auth_type: 'oauth2.0';
  readonly client_id: string;
  readonly client_secret: string;
  readonly refresh_token: string;
  readonly access_token?: string;
  /** RFC 3339 UTC. */
  readonly token_expiry_date?: string;
  /** The company API domain the token endpoint returned with the access token (persisted with it). */
  readonly api_domain?: string;
}

export interface ApiTokenCredentials {
  readonly auth_type: 'api_token';
  readonly api_token: string;
}

export type Credentials = OAuthCredentials | ApiTokenCredentials;

export interface ConnectorConfig {
  readonly credentials: Credentials;
  /** Normalised to `YYYY-MM-DDTHH:MM:SSZ`; absent means the whole history. */
  readonly replication_start_date?: string;
  /** 1..10, default 3. */
  readonly num_workers: number;
  /** 1..300 (default 20, `DEFAULT_REQUEST_TIMEOUT_SECONDS`): the headers and idle time limit of one request. */
  readonly request_timeout_seconds?: number;
  /** 1..20 (default `DEFAULT_FANOUT_CONCURRENCY`): child requests of one fan-out stream in flight at once. */
  readonly fanout_concurrency?: number;
  /** The most API tokens one read may spend; absent: no cap. */
  readonly max_tokens_per_read?: number;
  /** Set only when the user set it (OAuth then ignores `api_domain`). No trailing slash. */
  readonly api_url?: string;
  /** Default `https://oauth.pipedrive.com`. No trailing slash. */
  readonly oauth_url: string;
  /** Options of later issues (custom field naming, …) pass through untouched. */
  readonly [extra: string]: unknown;
}

export const DEFAULT_API_URL = 'https://api.pipedrive.com';
export const DEFAULT_REQUEST_TIMEOUT_SECONDS = 20;
export const DEFAULT_FANOUT_CONCURRENCY = 8;
export const DEFAULT_OAUTH_URL = 'https://oauth.pipedrive.com';

/** All secret values of a config, for redaction of any output. */
export function secretsOf(config: ConnectorConfig): string[] {
  const c = config.credentials;
  return c.auth_type === 'api_token'
    ? [c.api_token]
    : [c.client_secret, c.refresh_token, ...(c.access_token ? [c.access_token] : [])];
}
