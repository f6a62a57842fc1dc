/**
 * `discover(options)` and `check(options)` of the Node API: the CLI's use cases (src/discover.ts, src/check.ts) in
 * the CLI's session, resolved to what the CLI prints: the catalog, the connection status.
 */
import { lastValueFrom, race, tap, throwError, mergeMap, type Observable } from 'rxjs';
import { check as checkUseCase, CHECK_REQUESTS } from '../check.js';
import { discover as discoverUseCase, DISCOVER_REQUESTS } from '../discover.js';
import { messageOf } from '../errors.js';
import type { AirbyteMessage } from '../protocol.js';
import type { Session } from '../session.js';
import { aborted$, apiSession, configChanges, configOf, publicError } from './session.js';
import type { Catalog, CheckOptions, CommonOptions, ConnectionStatus, DiscoverOptions } from './types.js';

/** Every message of a use case, the config changes handed to the caller; rejects on abort. */
async function collect(options: CommonOptions, session: Session, main$: Observable<AirbyteMessage[]>): Promise<AirbyteMessage[]> {
  const all: AirbyteMessage[] = [];
  const onConfig = configChanges(options);
  const abort$ = aborted$(options.signal, (reason) => reason).pipe(mergeMap((reason) => throwError(() => reason)));
  await lastValueFrom(race(session.output(main$), abort$).pipe(tap((batch) => { onConfig(batch); all.push(...batch); })), { defaultValue: [] });
  return all;
}

/**
 * The catalog of every stream (`discover`): custom fields typed from the account's field definitions. Rejects with a
 * ConfigError for an invalid config or rejected credentials, with the connector's error when Pipedrive cannot be
 * reached.
 */
export async function discover(options: DiscoverOptions): Promise<Catalog> {
  const loaded = configOf(options);
  const session = apiSession(loaded, options, { requests: DISCOVER_REQUESTS });
  let messages: AirbyteMessage[];
  try {
    messages = await collect(options, session, discoverUseCase(session));
  } catch (err) {
    throw publicError(session, err);
  }
  const catalog = messages.find((m) => m.type === 'CATALOG');
  if (!catalog) throw publicError(session, new Error('discover ended without a catalog'));
  return { streams: catalog.catalog.streams };
}

/**
 * Whether the config and its credentials work (`check`): never rejects for a wrong config or credentials (the
 * status says FAILED and why), only when aborted.
 */
export async function check(options: CheckOptions): Promise<ConnectionStatus> {
  let session: Session;
  try {
    session = apiSession(configOf(options), options, { requests: CHECK_REQUESTS });
  } catch (err) {
    return { status: 'FAILED', message: messageOf(err) };
  }
  const messages = await collect(options, session, checkUseCase(session));
  const status = messages.find((m) => m.type === 'CONNECTION_STATUS');
  return status ? { ...status.connectionStatus } : { status: 'FAILED', message: 'check ended without a status' };
}
