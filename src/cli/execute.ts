/**
 * Running a use case from a command module: read the command's input files, open the session, write the use case's
 * messages (with the session's LOG and CONTROL messages) to stdout through the sink, and report a failure the one
 * way the protocol wants it (a TRACE ERROR and exit 1, or what the command says instead).
 */
import { tap, type Observable } from 'rxjs';
import type { LoadedConfig } from '../config/index.js';
import type { AirbyteMessage } from '../protocol.js';
import { openSession, type Session } from '../session.js';
import { checkConfigWritable, configFileUpdater } from '../config/persist.js';
import type { Output } from './output.js';

export interface Invocation<I extends { readonly loaded: LoadedConfig }> {
  readonly out: Output;
  /** The command's inputs, read from its files; a ConfigError here is reported by `onInputError`. */
  inputs(): I;
  /** How an input error is reported (default: a TRACE ERROR and exit 1). */
  onInputError?(err: unknown): AirbyteMessage[];
  /** Request settings of the command (interactive commands retry less). */
  readonly requests?: { readonly timeoutMs?: number; readonly maxRetries?: number; readonly maxDelayMs?: number };
  /** Sees every batch on its way to stdout (the progress display, the state file). */
  observe?(batch: readonly AirbyteMessage[]): void;
  /** `--update-config`: the config file to replace with every CONTROL config (checked writable with the inputs). */
  readonly updateConfig?: string | undefined;
  run(session: Session, inputs: I): Observable<AirbyteMessage[]>;
}

/** Runs the invocation to its end; resolves with the session once everything written is handed to stdout. */
export async function execute<I extends { readonly loaded: LoadedConfig }>(inv: Invocation<I>): Promise<Session | undefined> {
  const { out } = inv;
  let inputs: I;
  try {
    inputs = inv.inputs();
    if (inv.updateConfig !== undefined) checkConfigWritable(inv.updateConfig);
  } catch (err) {
    if (inv.onInputError) await out.emit(...inv.onInputError(err));
    else await out.fail(err);
    return undefined;
  }
  const requests = inv.requests ?? {};
  const session = openSession(inputs.loaded, {
    ...(requests.timeoutMs !== undefined ? { timeoutMs: requests.timeoutMs } : {}),
    log: out.log,
    ready: () => out.sink.ready(),
    ...(requests.maxRetries !== undefined ? { maxRetries: requests.maxRetries } : {}),
    ...(requests.maxDelayMs !== undefined ? { maxDelayMs: requests.maxDelayMs } : {}),
  });
  const updater = inv.updateConfig !== undefined ? configFileUpdater(inv.updateConfig, out.log) : undefined;
  const observers = [inv.observe?.bind(inv), updater?.observe].filter((o) => o !== undefined);
  try {
    const messages$ = session.output(inv.run(session, inputs));
    await out.sink.writeAll(observers.length > 0 ? messages$.pipe(tap((b) => { for (const o of observers) o(b); })) : messages$);
  } catch (err) {
    if (!out.closed()) await out.fail(err, session.secrets());
  }
  // A config that could not be written back is a failure of the run, reported after its messages.
  const unsaved = updater?.failure();
  if (unsaved && !out.closed()) await out.fail(unsaved, session.secrets());
  // A reader that closed stdout (`| head -1`) ends the command quietly.
  if (out.closed()) process.exitCode = 0;
  return session;
}
