/**
 * The Node API of source-pipedrive, the package's main export (`read`, `discover`, `check`): the connector's engine
 * in a program, without the CLI. Same session, same use cases, same messages as the CLI writes to stdout.
 *
 * ```ts
 * const titles: string[] = [];
 * for await (const msg of read({ config, streams: ['deals'], state })) {
 *   if (msg.type === 'RECORD') titles.push(msg.record.data.title);   // typed: Deal
 * }
 * ```
 */
export { read } from './read.js';
export { discover, check } from './commands.js';
export {
  ConnectorError, ConfigError, SystemError, HttpError, RateLimitError, NetworkError, InterruptedError,
} from '../errors.js';
export type {
  ReadOptions, ReadMessage, RecordMessageOf, ReadIterator, ReadSummary, StateInput, CommonOptions, DiscoverOptions,
  CheckOptions, Catalog, ConnectionStatus,
} from './types.js';
export type {
  AirbyteMessage, AirbyteStream, ConfiguredCatalog, ConfiguredStream, ControlMessage, FailureType, LogMessage,
  StateMessage, StreamStatus, SyncMode, TraceMessage,
} from '../protocol.js';
export * from '../../streams/records.js';
