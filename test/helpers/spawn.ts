/**
 * Runs a command as its own process group, tracked (test/helpers/resources.ts), collecting its output. The promise
 * always settles: on exit, or after `timeoutMs` (default 30 s) with an error once the whole group is killed.
 */
import { killGroup, spawnTracked } from './resources.js';

export interface GroupResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function runGroup(cmd: string, args: readonly string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; what?: string } = {}): Promise<GroupResult> {
  return new Promise((resolve, reject) => {
    const timeoutMs = opts.timeoutMs ?? 30_000;
    const child = spawnTracked(cmd, [...args], {
      ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}),
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      group: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (c: string) => { stdout += c; });
    child.stderr?.setEncoding('utf8').on('data', (c: string) => { stderr += c; });
    const timer = setTimeout(() => {
      killGroup(child);
      reject(new Error(`${opts.what ?? `${cmd} ${args.join(' ')}`.slice(0, 200)} timed out after ${timeoutMs} ms and was killed with its process group\n${stderr.slice(-2000)}`));
    }, timeoutMs);
    child.on('error', (err) => { clearTimeout(timer); reject(err); });
    child.on('close', (code, signal) => { clearTimeout(timer); resolve({ code, signal, stdout, stderr }); });
  });
}
