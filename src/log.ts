/**
 * Human-readable logs go to stderr; the lines the platform should keep are also emitted as
 * LOG messages through the sink (via `messages$`). Every line is redacted of known secrets.
 */
import { Subject } from 'rxjs';
import { logMessage, type AirbyteMessage, type LogLevel } from './protocol.js';
import { redact } from './errors.js';

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** Adds secrets to redact from every later line. */
  addSecrets(secrets: readonly string[]): void;
  /** LOG (and other side) messages to merge into the sink. */
  readonly messages$: Subject<AirbyteMessage[]>;
}

export interface LoggerOptions {
  stderr: { write(text: string): unknown };
  /** Also emit INFO and above as LOG messages on stdout. */
  protocolLogs: boolean;
  /** Print debug lines on stderr. */
  debug?: boolean;
  secrets?: readonly string[];
}

export function createLogger(options: LoggerOptions): Logger {
  const secrets: string[] = [...(options.secrets ?? [])];
  const messages$ = new Subject<AirbyteMessage[]>();
  const emit = (level: LogLevel, message: string, toProtocol: boolean): void => {
    const text = redact(message, secrets);
    if (level !== 'DEBUG' || options.debug) options.stderr.write(`${new Date().toISOString()} ${level} ${text}\n`);
    if (toProtocol && options.protocolLogs) messages$.next([logMessage(level, text)]);
  };
  return {
    debug: (m) => emit('DEBUG', m, false),
    info: (m) => emit('INFO', m, true),
    warn: (m) => emit('WARN', m, true),
    error: (m) => emit('ERROR', m, true),
    addSecrets: (s) => { for (const x of s) if (x) secrets.push(x); },
    messages$,
  };
}
