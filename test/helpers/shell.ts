/**
 * Runs a bash script (a pipeline such as `node bin/source-pipedrive.js … | head -1`) as its own process group,
 * tracked (test/helpers/resources.ts). The promise always settles: on exit, or after `timeoutMs` (default 30 s)
 * with an error once the whole group is killed — the shell and everything in its pipeline.
 */
import { runGroup, type GroupResult } from './spawn.js';

export type ShellResult = GroupResult;

export function runShell(script: string, opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; bashArgs?: readonly string[] } = {}): Promise<ShellResult> {
  return runGroup('bash', [...(opts.bashArgs ?? []), '-c', script], {
    ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}),
    ...(opts.env !== undefined ? { env: opts.env } : {}),
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    what: `bash (${script.slice(0, 200)})`,
  });
}
