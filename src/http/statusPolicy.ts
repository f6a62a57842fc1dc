/**
 * What an answer status means: the one table that maps a Pipedrive HTTP status to an outcome, with the per-stream
 * overrides the stream definitions declare (streams are data, like Airbyte's declarative error handlers).
 *
 * | status | default outcome | failure type | concerns |
 * |---|---|---|---|
 * | 429 | retry (after the reset) | transient_error | the rate budget |
 * | 5xx | retry (backoff) | transient_error | the server |
 * | 401 | fail | config_error | the credentials (every endpoint) |
 * | 402, 403 | fail | config_error | this endpoint (plan, permission) |
 * | 400, 404, 405, 410 | fail | system_error | this endpoint |
 * | other | fail | system_error | the request |
 *
 * Overrides (StreamDefinition): `fanOut.skipParentOn` (a child request's status that skips its parent: it is gone or
 * forbidden) and `unavailableOn` (a status that ends the stream as not available on this plan).
 */
import type { FailureType } from '../protocol.js';

export interface StatusRule {
  /** Retry the request (with backoff, or after the announced reset), or fail. */
  readonly action: 'retry' | 'fail';
  readonly failureType: FailureType;
  /**
   * `credentials`: no endpoint can work (401); `endpoint`: only this endpoint is affected (the plan lacks it, the
   * user may not read it, it is gone), others may go on; `request`: anything else.
   */
  readonly scope: 'credentials' | 'endpoint' | 'request';
}

const rule = (action: StatusRule['action'], failureType: FailureType, scope: StatusRule['scope']): StatusRule => ({ action, failureType, scope });

const TABLE: ReadonlyMap<number, StatusRule> = new Map([
  [400, rule('fail', 'system_error', 'endpoint')],
  [401, rule('fail', 'config_error', 'credentials')],
  [402, rule('fail', 'config_error', 'endpoint')],
  [403, rule('fail', 'config_error', 'endpoint')],
  [404, rule('fail', 'system_error', 'endpoint')],
  [405, rule('fail', 'system_error', 'endpoint')],
  [410, rule('fail', 'system_error', 'endpoint')],
  [429, rule('retry', 'transient_error', 'request')],
]);

const SERVER = rule('retry', 'transient_error', 'request');
const OTHER = rule('fail', 'system_error', 'request');

/** The default rule of an answer status. */
export function statusRule(status: number): StatusRule {
  return TABLE.get(status) ?? (status >= 500 ? SERVER : OTHER);
}

/** What a failed request of a stream means for the stream, after its retries. */
export type StreamOutcome =
  | { readonly kind: 'fail' }
  /** A fan-out child: skip this parent (WARN) and go on. */
  | { readonly kind: 'skipParent' }
  /** The stream is not available on this plan: end it with a WARN and no more records. */
  | { readonly kind: 'unavailable' };

export interface StreamStatusPolicy {
  readonly unavailableOn?: readonly number[];
  readonly fanOut?: { readonly skipParentOn?: readonly number[] };
}

/**
 * The outcome of an answer `status` (undefined: not an HTTP answer) for a request of `def`; `child` when it is a
 * fan-out child request (`skipParentOn` applies only there).
 */
export function streamOutcome(def: StreamStatusPolicy, status: number | undefined, child: boolean): StreamOutcome {
  if (status === undefined) return { kind: 'fail' };
  if (child && def.fanOut?.skipParentOn?.includes(status)) return { kind: 'skipParent' };
  if (def.unavailableOn?.includes(status)) return { kind: 'unavailable' };
  return { kind: 'fail' };
}
