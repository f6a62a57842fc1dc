/** What every command shares: the stdout sink, the stderr logger, and the one place errors become messages. */
import { lastValueFrom, of } from 'rxjs';
import { createSink, type Sink } from '../sink.js';
import { createLogger, type Logger } from '../log.js';
import { controlConfigMessage, errorTrace, type AirbyteMessage } from '../protocol.js';
import type { OAuthCredentials } from '../config/types.js';
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
  const emit = (...messages: AirbyteMessage[]): Promise<void> =>
    lastValueFrom(of(messages).pipe(sink.write()), { defaultValue: undefined });
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

/**
 * Persists rotated OAuth credentials for `check` and `discover`: each rotation emits the raw config with the new
 * credentials as one CONTROL message, and the new tokens join the secrets redacted from every message.
 * `flush()` resolves when those messages are written.
 */
export function credentialPersister(out: Output, raw: Record<string, unknown>, secrets: string[]): {
  onCredentials: (credentials: OAuthCredentials) => void;
  flush: () => Promise<void>;
} {
  let current = raw;
  const pending: Promise<void>[] = [];
  return {
    onCredentials: (credentials) => {
      current = { ...current, credentials: { ...credentials } };
      const tokens = [credentials.refresh_token, credentials.access_token ?? ''];
      secrets.push(...tokens);
      out.log.addSecrets(tokens);
      pending.push(out.emit(controlConfigMessage(current)));
    },
    flush: async () => { await Promise.all(pending); },
  };
}
