/**
 * Helpers shared by the parsers of user input (`--config`, `--state`, `--catalog`): JSON text and files,
 * and strict timestamps. Messages name the option and never repeat file contents (they may hold secrets).
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';
import { toIsoCursor } from '../cursor.js';

/**
 * Parses JSON text. On failure throws ConfigError `${what} is not valid JSON (at position N)`: the position
 * only, because V8's own message quotes the text around the error, which may be a secret.
 */
export function parseJsonText(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const pos = /position (\d+)/.exec(err instanceof Error ? err.message : '');
    throw new ConfigError(`${what} is not valid JSON${pos ? ` (error at character ${pos[1]})` : ''}`);
  }
}

/**
 * Reads and parses a JSON file given on the command line as `option` (e.g. `--config`).
 * Missing, unreadable or non-JSON files throw ConfigError naming the option and the path.
 * With `emptyAs`, a file holding only white space yields that value.
 */
export function readJsonFile(path: string, option: string, emptyAs?: { value: unknown }): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ConfigError(`${option}: file '${path}' does not exist`);
    if (code === 'EISDIR') throw new ConfigError(`${option}: '${path}' is a directory, not a JSON file`);
    if (code === 'EACCES' || code === 'EPERM') throw new ConfigError(`${option}: file '${path}' is not readable (permission denied)`);
    throw new ConfigError(`${option}: cannot read file '${path}'${code ? ` (${code})` : ''}`);
  }
  if (emptyAs && text.trim() === '') return emptyAs.value;
  return parseJsonText(text.replace(/^\uFEFF/, ''), `${option}: file '${path}'`);
}

const STRICT_TS =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-](\d{2}):?(\d{2}))?)?$/;

/**
 * Like `toIsoCursor` (→ `YYYY-MM-DDTHH:MM:SSZ`, UTC, fractions truncated), but also rejects impossible calendar
 * values that `Date.parse` would roll over (`2021-02-30`, `24:00:00`, offset `+25:00`). A date and time without a
 * zone is read as UTC. Accepts `YYYY-MM-DD`, `YYYY-MM-DD HH:MM:SS`, `YYYY-MM-DDTHH:MM:SSZ` and RFC 3339 with
 * fractions and offsets. Returns `undefined` for anything else.
 */
export function strictIsoCursor(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const v = value.trim().toUpperCase();
  const m = STRICT_TS.exec(v);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, , zone, oh, om] = m;
  const year = Number(y), month = Number(mo), day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (h !== undefined && (Number(h) > 23 || Number(mi) > 59 || (s !== undefined && Number(s) > 59))) return undefined;
  if (oh !== undefined && (Number(oh) > 23 || Number(om) > 59)) return undefined;
  // A time without seconds or zone is outside toIsoCursor's forms: complete it (UTC, :00) first.
  let text = v;
  if (h !== undefined && s === undefined) text = text.replace(/(\d{2}:\d{2})(?=$|[Z+-])/, '$1:00');
  if (h !== undefined && zone === undefined) text = `${text}Z`;
  return toIsoCursor(text);
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** A short, single-line rendering of a non-secret value for error messages. */
export function show(value: unknown, max = 40): string {
  let text: string;
  try {
    text = typeof value === 'string' ? `'${value}'` : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
