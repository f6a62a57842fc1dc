/** The shell snippets of docs/recipes.md marked `<!-- recipe: NAME -->`, run exactly as printed. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './protocol.js';

/** The marked snippets of a doc (default docs/recipes.md) by name; a name marked twice is an error. */
export function recipes(doc = 'docs/recipes.md'): Map<string, string> {
  const text = readFileSync(join(repoRoot, doc), 'utf8');
  const out = new Map<string, string>();
  for (const m of text.matchAll(/<!-- recipe: ([\w-]+) -->\n```sh\n([\s\S]*?)\n```/g)) {
    if (out.has(m[1] ?? '')) throw new Error(`recipe ${m[1]} is marked twice`);
    out.set(m[1] ?? '', m[2] ?? '');
  }
  return out;
}

/** Runs a snippet with bash (-e, pipefail) in `dir`; returns stdout, throws with stderr and the script on failure. */
export function runSnippet(name: string, script: string, dir: string, env: NodeJS.ProcessEnv = process.env): string {
  const r = spawnSync('bash', ['-e', '-o', 'pipefail', '-c', script], { cwd: dir, env, encoding: 'utf8', timeout: 60_000, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`recipe ${name} failed (${String(r.status ?? r.signal)}): ${r.stderr}\n--- script ---\n${script}`);
  return r.stdout;
}
