/** Spawns the built CLI (bin/source-pipedrive.js → dist) and collects its output. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { repoRoot, assertValidMessage } from './protocol.js';
import { spawnTracked, trackTempDir } from './resources.js';

export const binPath = resolve(repoRoot, 'bin/source-pipedrive.js');

/**
 * Secrets of the emulator and of the tests' configs. Every CLI run of the test suite is scanned for
 * them: they may appear only inside CONTROL messages (which persist rotated credentials).
 */
export const KNOWN_SECRETS = ['emulator-token', 'emulator-secret', 'emulator-refresh', 'emulator-access', 'cli-secret-token', 'wrong-token-1234'];

export function findSecret(stdout: string, stderr: string, secrets: readonly string[] = KNOWN_SECRETS): string | undefined {
  const out = stdout.split('\n').filter((l) => !l.startsWith('{"type":"CONTROL"')).join('\n');
  return secrets.find((s) => out.includes(s) || stderr.includes(s));
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout parsed line by line (every line must be JSON). */
  messages: Array<Record<string, unknown> & { type: string }>;
}

export interface RunOptions {
  /** Called with the child once spawned (to send signals). */
  onSpawn?: (child: import('node:child_process').ChildProcess) => void;
  /** Called for every stdout line as it arrives. */
  onLine?: (line: string, child: import('node:child_process').ChildProcess) => void;
  timeoutMs?: number;
  env?: Record<string, string>;
  /** Validate each message against AirbyteMessage (default true). */
  validate?: boolean;
}

/**
 * Runs the built CLI. The promise always settles: with the result when the child ends, or with an error when the
 * child cannot start, its output is not valid, a secret leaks, or it outlives `timeoutMs` (default 60 s; it is
 * then killed). The child is tracked (test/helpers/resources.ts): one still running after its test is killed.
 */
export function runCli(args: string[], opts: RunOptions = {}): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const timeoutMs = opts.timeoutMs ?? 60_000;
    const child = spawnTracked(process.execPath, [binPath, ...args], { env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let pending = '';
    let settled = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      reject(err instanceof Error ? err : new Error(String(err)));
    };
    const timer = setTimeout(() => fail(new Error(`CLI timed out after ${timeoutMs} ms and was killed: ${args.join(' ')}\n${stderr.slice(-2000)}`)), timeoutMs);
    child.stdout?.setEncoding('utf8');
    child.stderr?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      stdout += chunk;
      if (opts.onLine) {
        pending += chunk;
        let i;
        while ((i = pending.indexOf('\n')) >= 0) {
          const line = pending.slice(0, i);
          pending = pending.slice(i + 1);
          try {
            opts.onLine(line, child);
          } catch (err) {
            fail(err);
          }
        }
      }
    });
    child.stderr?.on('data', (chunk: string) => { stderr += chunk; });
    child.on('error', fail);
    child.on('close', (code, signal) => {
      if (settled) return;
      try {
        const messages = opts.validate === false ? [] : stdout.split('\n').filter((l) => l.length > 0).map((l) => {
          try {
            return JSON.parse(l) as Record<string, unknown> & { type: string };
          } catch {
            throw new Error(`stdout line is not JSON: ${l.slice(0, 200)}`);
          }
        });
        if (opts.validate !== false) for (const m of messages) assertValidMessage(m);
        const leaked = findSecret(stdout, stderr);
        if (leaked !== undefined) throw new Error(`a secret (${leaked.slice(0, 4)}…) appeared in the output of: source-pipedrive ${args[0] ?? ''}`);
        settled = true;
        clearTimeout(timer);
        resolvePromise({ code, signal, stdout, stderr, messages });
      } catch (err) {
        fail(err);
      }
    });
    try {
      opts.onSpawn?.(child);
    } catch (err) {
      fail(err);
    }
  });
}

/** Writes JSON files into a fresh temp dir (removed after the test file) and returns their paths. */
export function tempFiles(files: Record<string, unknown>): Record<string, string> {
  const dir = trackTempDir(mkdtempSync(join(tmpdir(), 'spd-')));
  const out: Record<string, string> = {};
  for (const [name, content] of Object.entries(files)) {
    const p = join(dir, name);
    writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
    out[name] = p;
  }
  return out;
}

export const ofType = <T extends string>(messages: CliResult['messages'], type: T) => messages.filter((m) => m.type === type);
