/**
 * Typed errors and their one mapping to Airbyte failure types.
 * Messages name the setting a user must fix and never contain a secret or a URL with credentials.
 */
import type { FailureType } from './protocol.js';
import { statusRule } from './http/statusPolicy.js';

export abstract class ConnectorError extends Error {
  abstract readonly failureType: FailureType;
  /** Whether retrying the same request may succeed. */
  get retryable(): boolean {
    return false;
  }
}

/** The user's configuration, catalog or state is wrong: retrying will not help. */
export class ConfigError extends ConnectorError {
  readonly failureType = 'config_error' as const;
  override readonly name = 'ConfigError';
}

/** A bug or an unexpected answer that the user cannot fix. */
export class SystemError extends ConnectorError {
  readonly failureType = 'system_error' as const;
  override readonly name = 'SystemError';
}

export interface HttpErrorDetails {
  readonly status: number;
  readonly method: string;
  /** The request path without query string, host or credentials. */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** A short, secret-free summary of the response body. */
  readonly body?: string;
}

/** A non-2xx answer from Pipedrive. */
export class HttpError extends ConnectorError {
  override readonly name: string = 'HttpError';
  readonly status: number;
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  constructor(details: HttpErrorDetails, message?: string) {
    super(message ?? HttpError.describe(details));
    this.status = details.status;
    this.method = details.method;
    this.path = details.path;
    this.headers = details.headers ?? {};
    this.body = details.body ?? '';
  }
  /** From the status table (src/http/statusPolicy.ts): 429 and 5xx. */
  override get retryable(): boolean {
    return statusRule(this.status).action === 'retry';
  }
  /** From the status table (src/http/statusPolicy.ts). */
  get failureType(): FailureType {
    return statusRule(this.status).failureType;
  }
  static describe(d: HttpErrorDetails): string {
    const hint = HTTP_HINTS[d.status];
    const body = d.body ? `: ${d.body}` : '';
    return `Pipedrive answered ${d.status} to ${d.method} ${d.path}${body}${hint ? `. ${hint}` : ''}`;
  }
}

const HTTP_HINTS: Record<number, string> = {
  401: 'Check credentials.api_token (or the OAuth client_id, client_secret and refresh_token) in the config',
  402: 'The Pipedrive company has no active subscription or the plan lacks this feature: check billing in Pipedrive',
  403: 'The user behind the credentials lacks permission for this data or the plan lacks the feature',
  404: 'The endpoint or item does not exist for this company',
  410: 'The endpoint is no longer supported by Pipedrive',
};

/** 429 or an exhausted budget. `resetSeconds` comes from `x-ratelimit-reset` when present. */
export class RateLimitError extends HttpError {
  override readonly name = 'RateLimitError';
  readonly resetSeconds: number | undefined;
  /** True when the daily token budget is spent (retrying today does not help). */
  readonly daily: boolean;
  constructor(details: HttpErrorDetails, resetSeconds: number | undefined, daily = false) {
    super(details, daily
      ? `The Pipedrive daily API token budget is spent${resetSeconds !== undefined ? `; it resets in about ${Math.ceil(resetSeconds / 60)} minutes` : ''}. Run the sync again after the reset: it resumes from the last state`
      : `Pipedrive rate limit reached on ${details.method} ${details.path}`);
    this.resetSeconds = resetSeconds;
    this.daily = daily;
  }
  override get retryable(): boolean {
    return !this.daily;
  }
}

/** Timeouts, connection resets, truncated or non-JSON bodies. */
export class NetworkError extends ConnectorError {
  readonly failureType = 'transient_error' as const;
  override readonly name = 'NetworkError';
  override get retryable(): boolean {
    return true;
  }
  readonly code: string;
  constructor(message: string, code: string) {
    super(message);
    this.code = code;
  }
}

/** The read was interrupted by a signal. */
export class InterruptedError extends ConnectorError {
  readonly failureType = 'transient_error' as const;
  override readonly name = 'InterruptedError';
}

/** Maps any thrown value to its Airbyte failure type: the one place that does so. */
export function failureTypeOf(err: unknown): FailureType {
  if (err instanceof ConnectorError) return err.failureType;
  return 'system_error';
}

export function isRetryable(err: unknown): boolean {
  return err instanceof ConnectorError && err.retryable;
}

export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** Removes every known secret from a text (belt and braces: messages are built secret-free). */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('***');
  return out;
}
