/**
 * Helpers shared by the parsers of user input (`--config`, `--state`, `--catalog`): JSON text and files,
 * and strict timestamps. Messages name the option and never repeat file contents (they may hold secrets).
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';

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
