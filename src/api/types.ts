/** The public types of the Node API (src/api/index.ts). */
import type {
  AirbyteStream, ConfiguredCatalog, ControlMessage, LogMessage, StateMessage, TraceMessage,
} from '../protocol.js';
import type { StreamName, StreamRecords } from '../../streams/records.js';

/** A RECORD message of one of the streams `S`, its `data` typed by its stream (narrow on `record.stream`). */
export type RecordMessageOf<S extends StreamName> = {
  [K in S]: { type: 'RECORD'; record: { stream: K; data: StreamRecords[K]; emitted_at: number } };
}[S];

/** What a read yields: the Airbyte messages the CLI writes to stdout, RECORDs typed by stream. */
export type ReadMessage<S extends StreamName = StreamName> = RecordMessageOf<S> | StateMessage | TraceMessage | LogMessage | ControlMessage;

/** The input state: what `--state` takes (the `state` of STATE messages, whole STATE messages, or the legacy object). */
export type StateInput =
  | ReadonlyArray<StateMessage['state'] | StateMessage | { type: 'STREAM'; stream: { stream_descriptor: { name: string }; stream_state: Readonly<Record<string, unknown>> | null } }>
  | Readonly<Record<string, Readonly<Record<string, unknown>> | null>>
  | null;

export interface CommonOptions {
  /** The connector config, as a `--config` file holds it (validated as the CLI does: a ConfigError if invalid). */
  readonly config: Readonly<Record<string, unknown>>;
  /** Stops the call: a read ends after the last safe STATE of each stream; discover and check reject. */
  readonly signal?: AbortSignal;
  /**
   * Called with the connector's new config whenever it announces one (a rotated OAuth refresh token, a legacy config
   * converted to the current shape): store it, or the next call may not authenticate. A read also yields it as a
   * CONTROL message.
   */
  readonly onConfigChange?: (config: Record<string, unknown>) => void;
  /** Where human-readable log lines go (what the CLI prints on stderr); default nowhere. */
  readonly log?: { write(text: string): unknown };
  /** Debug lines too, in `log`. */
  readonly debug?: boolean;
}

export interface ReadOptions<S extends StreamName = StreamName> extends CommonOptions {
  /**
   * The streams to read, or `'all'`: the configured catalog is built as `read --streams` does (incremental where the
   * stream supports it, unless `fullRefresh`). Give `streams` or `catalog`.
   */
  readonly streams?: readonly S[] | 'all';
  /** A configured catalog (as `--catalog` takes it), instead of `streams`. */
  readonly catalog?: ConfiguredCatalog;
  /** With `streams`: every stream in full refresh. */
  readonly fullRefresh?: boolean;
  /** Where the streams start: the last STATE of each stream of the previous read (missing: from the beginning). */
  readonly state?: StateInput;
}

/** How a read went, once its iteration has ended. */
export interface ReadSummary {
  /** Some stream failed (its TRACE ERROR and INCOMPLETE status were in the iteration): the CLI's exit code 1. */
  readonly failed: boolean;
  /** The read was stopped early (the AbortSignal, or a spent daily API budget). */
  readonly stopped: boolean;
  /** HTTP requests answered. */
  readonly requests: number;
  /** API tokens spent per stream (and `check` for the credentials check). */
  readonly tokens: Readonly<Record<string, number>>;
}

/** The iteration of a read, with its summary at the end. */
export interface ReadIterator<S extends StreamName = StreamName> extends AsyncIterableIterator<ReadMessage<S>> {
  /** How the read went; undefined until the iteration has ended. */
  summary(): ReadSummary | undefined;
}

export type DiscoverOptions = CommonOptions;

/** The catalog `discover` prints: every stream, custom fields typed from the account's field definitions. */
export interface Catalog {
  readonly streams: AirbyteStream[];
}

export type CheckOptions = CommonOptions;

/** What `check` prints: whether the config and credentials work, and if not, why. */
export interface ConnectionStatus {
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly message?: string;
}
