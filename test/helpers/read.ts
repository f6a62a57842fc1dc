/** Runs the read pipeline in-process against a port, collecting the messages it writes. */
import { Writable } from 'node:stream';
import { Subject } from 'rxjs';
import { read, type ReadOutcome } from '../../src/read/run.js';
import { openSession } from '../../src/session.js';
import { createSink } from '../../src/sink.js';
import { createLogger } from '../../src/log.js';
import { loadConfig } from '../../src/config/index.js';
import { streamByName } from '../../streams/index.js';
import { createAxiosPort } from '../../src/http/axios.js';
import type { HttpPort } from '../../src/http/port.js';
import type { JsonObject, SyncMode } from '../../src/protocol.js';
import { assertValidMessage } from './protocol.js';

export type Msg = Record<string, unknown> & { type: string };

export interface InProcessRead extends ReadOutcome {
  messages: Msg[];
  stderr: string;
}

export async function readInProcess(opts: {
  config: Record<string, unknown>;
  streams: Array<{ name: string; syncMode?: SyncMode; state?: JsonObject; catalogSchema?: JsonObject }>;
  port?: HttpPort;
  stop$?: Subject<Error>;
}): Promise<InProcessRead> {
  const loaded = loadConfig(opts.config);
  let text = '';
  const out = new Writable({ write(chunk: Buffer, _e, cb) { text += chunk.toString(); cb(); } });
  let stderr = '';
  const log = createLogger({ stderr: { write: (t: string) => { stderr += t; } }, protocolLogs: true });
  const plans = opts.streams.map((s) => {
    const def = streamByName(s.name);
    if (!def) throw new Error(`no stream ${s.name}`);
    return { def, syncMode: s.syncMode ?? 'full_refresh', state: s.state, catalogSchema: s.catalogSchema };
  });
  const sink = createSink(out);
  const session = openSession(loaded, { port: opts.port ?? createAxiosPort({ timeoutMs: 5000 }), log, ready: () => sink.ready() });
  const run = read(session, plans, opts.stop$ ? { stop$: opts.stop$ } : {});
  await sink.writeAll(session.output(run.messages$));
  const outcome = run.outcome();
  const messages = text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Msg);
  for (const m of messages) assertValidMessage(m);
  return { ...outcome, messages, stderr };
}

export const records = (messages: Msg[], stream?: string) =>
  messages.filter((m) => m.type === 'RECORD' && (stream === undefined || (m['record'] as { stream: string }).stream === stream))
    .map((m) => (m['record'] as { data: JsonObject }).data);

export const states = (messages: Msg[], stream?: string) =>
  messages.filter((m) => m.type === 'STATE' && (stream === undefined || (m['state'] as { stream: { stream_descriptor: { name: string } } }).stream.stream_descriptor.name === stream))
    .map((m) => m['state'] as { stream: { stream_descriptor: { name: string }; stream_state: JsonObject }; sourceStats: { recordCount: number } });

export const statuses = (messages: Msg[], stream: string) =>
  messages.filter((m) => m.type === 'TRACE' && (m['trace'] as { type: string }).type === 'STREAM_STATUS'
    && (m['trace'] as { stream_status: { stream_descriptor: { name: string } } }).stream_status.stream_descriptor.name === stream)
    .map((m) => (m['trace'] as { stream_status: { status: string } }).stream_status.status);
