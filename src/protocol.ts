/**
 * Airbyte protocol message types (the subset this source emits) and their constructors.
 * Every constructor returns a plain object that serialises with one `JSON.stringify`.
 */

export type FailureType = 'config_error' | 'transient_error' | 'system_error';
export type StreamStatus = 'STARTED' | 'RUNNING' | 'COMPLETE' | 'INCOMPLETE';
export type LogLevel = 'FATAL' | 'ERROR' | 'WARN' | 'INFO' | 'DEBUG' | 'TRACE';
export type SyncMode = 'full_refresh' | 'incremental';
export type JsonObject = Record<string, unknown>;

export interface StreamDescriptor { name: string; namespace?: string }

export interface RecordMessage { type: 'RECORD'; record: { stream: string; data: JsonObject; emitted_at: number } }
export interface StateMessage {
  type: 'STATE';
  state: {
    type: 'STREAM';
    stream: { stream_descriptor: StreamDescriptor; stream_state: JsonObject };
    sourceStats: { recordCount: number };
  };
}
export interface LogMessage { type: 'LOG'; log: { level: LogLevel; message: string; stack_trace?: string } }
export interface StreamStatusReason { type: 'RATE_LIMITED'; rate_limited?: { quota_reset?: number } }
export interface TraceMessage {
  type: 'TRACE';
  trace:
    | { type: 'ERROR'; emitted_at: number; error: { message: string; internal_message?: string; stack_trace?: string; failure_type: FailureType; stream_descriptor?: StreamDescriptor } }
    | { type: 'STREAM_STATUS'; emitted_at: number; stream_status: { stream_descriptor: StreamDescriptor; status: StreamStatus; reasons?: StreamStatusReason[] } }
    | { type: 'ESTIMATE'; emitted_at: number; estimate: { name: string; type: 'STREAM'; row_estimate?: number; byte_estimate?: number } };
}
export interface ControlMessage { type: 'CONTROL'; control: { type: 'CONNECTOR_CONFIG'; emitted_at: number; connectorConfig: { config: JsonObject } } }
export interface SpecMessage { type: 'SPEC'; spec: JsonObject }
export interface ConnectionStatusMessage { type: 'CONNECTION_STATUS'; connectionStatus: { status: 'SUCCEEDED' | 'FAILED'; message?: string } }
export interface AirbyteStream {
  name: string;
  json_schema: JsonObject;
  supported_sync_modes: SyncMode[];
  source_defined_cursor?: boolean;
  default_cursor_field?: string[];
  source_defined_primary_key: string[][];
  is_resumable?: boolean;
}
export interface CatalogMessage { type: 'CATALOG'; catalog: { streams: AirbyteStream[] } }

export type AirbyteMessage =
  | RecordMessage | StateMessage | LogMessage | TraceMessage | ControlMessage
  | SpecMessage | ConnectionStatusMessage | CatalogMessage;

export interface ConfiguredStream {
  stream: { name: string; json_schema?: JsonObject; supported_sync_modes?: SyncMode[]; namespace?: string };
  sync_mode: SyncMode;
  destination_sync_mode?: string;
  cursor_field?: string[];
  primary_key?: string[][];
}
export interface ConfiguredCatalog { streams: ConfiguredStream[] }

export const recordMessage = (stream: string, data: JsonObject, emittedAt: number): RecordMessage =>
  ({ type: 'RECORD', record: { stream, data, emitted_at: emittedAt } });

export const stateMessage = (stream: string, streamState: JsonObject, recordCount: number): StateMessage => ({
  type: 'STATE',
  state: { type: 'STREAM', stream: { stream_descriptor: { name: stream }, stream_state: streamState }, sourceStats: { recordCount } },
});

export const logMessage = (level: LogLevel, message: string): LogMessage => ({ type: 'LOG', log: { level, message } });

export const errorTrace = (
  message: string,
  failureType: FailureType,
  opts: { stream?: string; internalMessage?: string; now?: number } = {},
): TraceMessage => ({
  type: 'TRACE',
  trace: {
    type: 'ERROR',
    emitted_at: opts.now ?? Date.now(),
    error: {
      message,
      failure_type: failureType,
      ...(opts.internalMessage !== undefined ? { internal_message: opts.internalMessage } : {}),
      ...(opts.stream !== undefined ? { stream_descriptor: { name: opts.stream } } : {}),
    },
  },
});

export const streamStatusTrace = (stream: string, status: StreamStatus, now: number = Date.now(), reasons?: StreamStatusReason[]): TraceMessage => ({
  type: 'TRACE',
  trace: {
    type: 'STREAM_STATUS',
    emitted_at: now,
    stream_status: { stream_descriptor: { name: stream }, status, ...(reasons ? { reasons } : {}) },
  },
});

export const estimateTrace = (stream: string, rowEstimate: number, now: number = Date.now()): TraceMessage => ({
  type: 'TRACE',
  trace: { type: 'ESTIMATE', emitted_at: now, estimate: { name: stream, type: 'STREAM', row_estimate: rowEstimate } },
});

export const controlConfigMessage = (config: JsonObject, now: number = Date.now()): ControlMessage => ({
  type: 'CONTROL',
  control: { type: 'CONNECTOR_CONFIG', emitted_at: now, connectorConfig: { config } },
});

export const specMessage = (spec: JsonObject): SpecMessage => ({ type: 'SPEC', spec });

export const connectionStatusMessage = (ok: boolean, message?: string): ConnectionStatusMessage => ({
  type: 'CONNECTION_STATUS',
  connectionStatus: { status: ok ? 'SUCCEEDED' : 'FAILED', ...(message !== undefined ? { message } : {}) },
});

export const catalogMessage = (streams: AirbyteStream[]): CatalogMessage => ({ type: 'CATALOG', catalog: { streams } });
