/** What every command shares: the stdout sink, the stderr logger, and the one place errors become messages. */
import { of } from 'rxjs';
import { createSink, type Sink } from '../sink.js';
import { createLogger, type Logger } from '../log.js';
import { errorTrace, type AirbyteMessage } from '../protocol.js';
import { failureTypeOf, messageOf, redact } from '../errors.js';

export interface Output {
  readonly sink: Sink;
  readonly log: Logger;
  /** Writes messages in order; resolves when they are handed to stdout. */
  emit(...messages: AirbyteMessage[]): Promise<void>;
  /** Emits a TRACE ERROR for `err` and sets exit code 1. */
  fail(err: unknown, secrets?: readonly string[]): Promise<void>;
  /** Whether stdout was closed by its reader (the command then ends quietly with 0). */
  closed(): boolean;
}

export interface OutputOptions {
  readonly quiet?: boolean;
  readonly debug?: boolean;
  /** Where log lines go (default stderr; the read command passes its progress display). */
  readonly stderr?: { write(text: string): unknown };
}

export function openOutput(options: OutputOptions = {}): Output {
  const sink = createSink(process.stdout);
  let closed = false;
  sink.closed$.subscribe(() => { closed = true; });
  const stderr = options.quiet ? { write: () => true } : options.stderr ?? process.stderr;
  const log = createLogger({ stderr, protocolLogs: true, debug: options.debug ?? false });
  const emit = (...messages: AirbyteMessage[]): Promise<void> => sink.writeAll(of(messages));
  return {
    sink,
    log,
    emit,
    closed: () => closed,
    fail: async (err: unknown, secrets: readonly string[] = []) => {
      const message = redact(messageOf(err), secrets);
      const internal = err instanceof Error && err.name ? `${err.name}: ${message}` : message;
      process.stderr.write(`ERROR ${internal}\n`);
      process.exitCode = 1;
      await emit(errorTrace(message, failureTypeOf(err), { internalMessage: internal }));
    },
  };
}
