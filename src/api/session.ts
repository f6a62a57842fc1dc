/**
 * What the Node API's calls share: the session (src/session.ts, the same as the CLI's) with a logger that writes only
 * where the caller says, the caller's config-change callback, the AbortSignal as an Observable, and the errors a
 * call throws.
 */
import { Observable, type SchedulerLike } from 'rxjs';
import { loadConfig, type LoadedConfig } from '../config/index.js';
import { ConfigError, ConnectorError, SystemError } from '../errors.js';
import { createLogger } from '../log.js';
import type { AirbyteMessage } from '../protocol.js';
import { openSession, type Session } from '../session.js';
import type { CommonOptions } from './types.js';

export interface SessionSettings {
  readonly ready?: () => Observable<void>;
  readonly requests?: { readonly timeoutMs?: number; readonly maxRetries?: number; readonly maxDelayMs?: number };
  readonly scheduler?: SchedulerLike;
}

/** The config of a call: a ConfigError (thrown) when it is invalid. */
export function configOf(options: CommonOptions): LoadedConfig {
  if (typeof options !== 'object' || options === null) throw new ConfigError('expected an options object with a config');
  return loadConfig(options.config);
}

export function apiSession(loaded: LoadedConfig, options: CommonOptions, settings: SessionSettings = {}): Session {
  const log = createLogger({ stderr: options.log ?? { write: () => true }, protocolLogs: true, debug: options.debug ?? false });
  const requests = settings.requests ?? {};
  return openSession(loaded, {
    ...(requests.timeoutMs !== undefined ? { timeoutMs: requests.timeoutMs } : {}),
    log,
    ...(settings.ready ? { ready: settings.ready } : {}),
    ...(settings.scheduler ? { scheduler: settings.scheduler } : {}),
    ...(requests.maxRetries !== undefined ? { maxRetries: requests.maxRetries } : {}),
    ...(requests.maxDelayMs !== undefined ? { maxDelayMs: requests.maxDelayMs } : {}),
  });
}

/** Calls `onConfigChange` with the config of every CONNECTOR_CONFIG CONTROL message of a batch. */
export function configChanges(options: CommonOptions): (batch: readonly AirbyteMessage[]) => void {
  const callback = options.onConfigChange;
  return (batch) => {
    if (!callback) return;
    for (const m of batch) if (m.type === 'CONTROL' && m.control.type === 'CONNECTOR_CONFIG') callback(structuredClone(m.control.connectorConfig.config));
  };
}

/** Emits once when `signal` aborts (at once if it has), with `make(reason)`. */
export function aborted$<E>(signal: AbortSignal | undefined, make: (reason: unknown) => E): Observable<E> {
  return new Observable<E>((subscriber) => {
    if (!signal) return undefined;
    const onAbort = (): void => subscriber.next(make(signal.reason));
    if (signal.aborted) {
      onAbort();
      return undefined;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    return () => signal.removeEventListener('abort', onAbort);
  });
}

/**
 * The error a call throws for `err`: a ConfigError when the user must fix something (invalid input, rejected
 * credentials, no permission; the connector's error as its `cause`), else the connector's own error (its
 * `failureType` says whether a retry may help). A message that held a secret the session knows is redacted, and the
 * original error is then left out.
 */
export function publicError(session: Session | undefined, err: unknown): Error {
  const described = session?.describe(err);
  const message = described?.message ?? (err instanceof Error ? err.message : String(err));
  const changed = !(err instanceof Error) || err.message !== message;
  if (err instanceof ConfigError && !changed) return err;
  if (described?.failureType === 'config_error') return new ConfigError(message, changed ? undefined : { cause: err });
  if ((err instanceof ConnectorError || (err instanceof Error && err.name === 'AbortError')) && !changed) return err;
  return new SystemError(message, changed ? undefined : { cause: err });
}
