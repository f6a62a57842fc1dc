/**
 * Runs a bash script (a pipeline such as `node bin/source-pipedrive.js … | head -1`) as its own process group,
 * tracked (test/helpers/resources.ts). The promise always settles: on exit, or after `timeoutMs` (default 30 s)
 * with an error once the whole group is killed — the shell and everything in its pipeline.
 */
import { killGroup, spawnTracked } from './resources.js';

export interface ShellResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function runShell(script: string, opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; bashArgs?: readonly string[] } = {}): Promise<ShellResult> {
  return new Promise((resolve, reject) => {
    const timeoutMs = opts.timeoutMs ?? 30_000;
    const child = spawnTracked('bash', [...(opts.bashArgs ?? []), '-c', script], {
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
      reject(new Error(`bash timed out after ${timeoutMs} ms and was killed with its pipeline: ${script.slice(0, 200)}\n${stderr.slice(-2000)}`));
    }, timeoutMs);
    child.on('error', (err) => { clearTimeout(timer); reject(err); });
    child.on('close', (code, signal) => { clearTimeout(timer); resolve({ code, signal, stdout, stderr }); });
  });
}
