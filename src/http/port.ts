/**
 * The HTTP port: the only way streams and operators talk to Pipedrive.
 * An adapter (axios in production, a marble function in tests) turns a request into a cold
 * Observable that emits one response and completes, or errors with a typed error
 * (`HttpError`, `RateLimitError`, `NetworkError`). Unsubscribing cancels the request.
 */
import type { Observable } from 'rxjs';

export type QueryValue = string | number | boolean;

export interface HttpRequest {
  readonly method: 'GET' | 'POST';
  /** Absolute URL without query string, e.g. `https://api.pipedrive.com/api/v2/deals`. */
  readonly url: string;
  readonly params?: Readonly<Record<string, QueryValue>>;
  readonly headers?: Readonly<Record<string, string>>;
  /** Form-encoded or JSON body text. */
  readonly body?: string;
  /** Per-request timeout; the adapter has a default. */
  readonly timeoutMs?: number;
}

export interface HttpResponse<T = unknown> {
  readonly status: number;
  /** Lower-cased header names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly data: T;
}

export type HttpPort = (request: HttpRequest) => Observable<HttpResponse>;
