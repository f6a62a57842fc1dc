/** Spawns the built CLI (bin/source-pipedrive.js → dist) and collects its output. */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { repoRoot, assertValidMessage } from './protocol.js';

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

export function runCli(args: string[], opts: RunOptions = {}): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [binPath, ...args], { env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    opts.onSpawn?.(child);
    let stdout = '';
    let stderr = '';
    let pending = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
      if (opts.onLine) {
        pending += chunk;
        let i;
        while ((i = pending.indexOf('\n')) >= 0) {
          const line = pending.slice(0, i);
          pending = pending.slice(i + 1);
          opts.onLine(line, child);
        }
      }
    });
    child.stderr.on('data', (chunk: string) => { stderr += chunk; });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`CLI timed out: ${args.join(' ')}\n${stderr.slice(-2000)}`)); }, opts.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const messages = opts.validate === false ? [] : stdout.split('\n').filter((l) => l.length > 0).map((l) => {
        try {
          return JSON.parse(l) as Record<string, unknown> & { type: string };
        } catch {
          throw new Error(`stdout line is not JSON: ${l.slice(0, 200)}`);
        }
      });
      if (opts.validate !== false) for (const m of messages) assertValidMessage(m);
      const leaked = findSecret(stdout, stderr);
      if (leaked !== undefined) {
        reject(new Error(`a secret (${leaked.slice(0, 4)}…) appeared in the output of: source-pipedrive ${args[0] ?? ''}`));
        return;
      }
      resolvePromise({ code, signal, stdout, stderr, messages });
    });
  });
}

/** Writes JSON files into a fresh temp dir and returns their paths. */
export function tempFiles(files: Record<string, unknown>): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'spd-'));
  const out: Record<string, string> = {};
  for (const [name, content] of Object.entries(files)) {
    const p = join(dir, name);
    writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
    out[name] = p;
  }
  return out;
}

export const ofType = <T extends string>(messages: CliResult['messages'], type: T) => messages.filter((m) => m.type === type);
