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
  override readonly name: string = 'SystemError';
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

/** A rate-limit reset longer than this ends the read instead of being waited for (like a spent daily budget). */
export const LONG_RESET_SECONDS = 300;

/** `2026-12-02T09:00:00Z`. */
const instant = (ms: number): string => new Date(Math.ceil(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** "about 24 hours", "about 7 minutes". */
function about(seconds: number): string {
  if (seconds >= 5400) return `about ${Math.round(seconds / 3600)} hours`;
  return `about ${Math.max(1, Math.ceil(seconds / 60))} minutes`;
}

/**
 * 429 or an exhausted budget. `resetSeconds` comes from `x-ratelimit-reset` (or the daily headers) when present;
 * `resetAt` is the same moment as epoch ms, when the adapter knew the time of the answer.
 */
export class RateLimitError extends HttpError {
  override readonly name = 'RateLimitError';
  readonly resetSeconds: number | undefined;
  /** True when the daily token budget is spent (retrying today does not help). */
  readonly daily: boolean;
  readonly resetAt: number | undefined;
  constructor(details: HttpErrorDetails, resetSeconds: number | undefined, daily = false, resetAt?: number) {
    const long = resetSeconds !== undefined && resetSeconds > LONG_RESET_SECONDS;
    const when = resetSeconds === undefined ? '' : resetAt !== undefined ? ` at ${instant(resetAt)} (in ${about(resetSeconds)})` : ` in ${about(resetSeconds)}`;
    super(details, daily
      ? `The Pipedrive daily API token budget is spent${resetSeconds !== undefined ? `; it resets${when}` : ''}. Run the sync again after the reset: it resumes from the last state`
      : long
        ? `Pipedrive's rate limit on ${details.method} ${details.path} resets${when}, too far off to wait for. Run the sync again after the reset: it resumes from the last state`
        : `Pipedrive rate limit reached on ${details.method} ${details.path}`);
    this.resetSeconds = resetSeconds;
    this.daily = daily;
    this.resetAt = resetAt;
  }
  /** Whether the read must end now (a spent daily budget, or a reset too far off): no stream can go on. */
  get endsRead(): boolean {
    return this.daily || (this.resetSeconds !== undefined && this.resetSeconds > LONG_RESET_SECONDS);
  }
  override get retryable(): boolean {
    return !this.endsRead;
  }
}

/** A failure of the transport, with the system's code (`ECONNRESET`, `DEPTH_ZERO_SELF_SIGNED_CERT`, …). */
abstract class TransportError extends ConnectorError {
  constructor(message: string, readonly code: string) {
    super(message);
  }
}

/** Timeouts, connection resets, truncated or non-JSON bodies. */
export class NetworkError extends TransportError {
  readonly failureType = 'transient_error' as const;
  override readonly name = 'NetworkError';
  override get retryable(): boolean {
    return true;
  }
}

/**
 * The TLS certificate of the server is not trusted (self-signed, an intercepting proxy, an expired certificate, a
 * wrong host name). Not retried: it fails the same way until the environment changes.
 */
export class TlsError extends TransportError {
  readonly failureType = 'config_error' as const;
  override readonly name = 'TlsError';
}

/** The requests keep failing with network errors or timeouts: the whole read stops (a circuit breaker). */
export class UnreachableError extends ConnectorError {
  readonly failureType = 'transient_error' as const;
  override readonly name = 'UnreachableError';
}

/** The read would spend more API tokens than `max_tokens_per_read` allows: it stops before the request that would. */
export class TokenCapError extends ConnectorError {
  readonly failureType = 'transient_error' as const;
  override readonly name = 'TokenCapError';
}

/**
 * The read of every stream ended because of another's (a stop signal, a spent budget, the token cap, an unreachable
 * API): the stream reports INCOMPLETE after its last safe STATE; the reason is reported once, by whoever met it.
 */
export class ReadStoppedError extends ConnectorError {
  override readonly name = 'ReadStoppedError';
  constructor(readonly reason: Error) {
    super(reason.message);
  }
  get failureType(): FailureType {
    return failureTypeOf(this.reason);
  }
}

/** Whether an error ends the whole read, not only its stream: no other stream could go on. */
export function endsRead(err: unknown): boolean {
  return (err instanceof RateLimitError && err.endsRead) || err instanceof TokenCapError || err instanceof UnreachableError;
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
