/**
 * What a test file starts that must not outlive it: child processes and servers (emulators, fake APIs). Everything
 * started through these helpers is tracked; test/setup.ts (vitest `setupFiles`) kills the child processes a test
 * left running after each test, and after the file — also when a `beforeAll` threw or timed out, or the file ran
 * past its time limit — kills every child and closes every server still open. A worker that exits kills its
 * children too. Temporary directories of `tempFiles` are removed after the file.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * `call`: the caller waits for the child to end (a CLI run); one still running after its test is a leftover of a
 * timed-out or failed test and is killed after that test. `file`: the child serves the whole file (killed after it).
 */
export type Scope = 'call' | 'file';

interface TrackedChild {
  child: ChildProcess;
  scope: Scope;
  /** Spawned as its own process group (`detached`): killing it kills its own children too (shells, `script`, npm). */
  group: boolean;
}

const children = new Set<TrackedChild>();
const servers = new Map<string, () => Promise<void>>();
let serverIds = 0;

function alive(c: TrackedChild): boolean {
  return c.child.exitCode === null && c.child.signalCode === null && c.child.pid !== undefined;
}

function kill(c: TrackedChild): void {
  const pid = c.child.pid;
  if (pid === undefined) return;
  try {
    if (c.group) process.kill(-pid, 'SIGKILL');
    else c.child.kill('SIGKILL');
  } catch {
    // already gone
  }
}

/** SIGKILLs a child spawned with `group: true` and everything in its process group (no error when gone). */
export function killGroup(child: ChildProcess): void {
  kill({ child, scope: 'call', group: true });
}

/** Tracks a child process until it exits. */
export function trackChild<T extends ChildProcess>(child: T, opts: { scope?: Scope; group?: boolean } = {}): T {
  const entry: TrackedChild = { child, scope: opts.scope ?? 'call', group: opts.group ?? false };
  children.add(entry);
  child.once('exit', () => {
    // A process group may still hold grandchildren when its leader exits: kill the group before forgetting it.
    if (entry.group) kill(entry);
    children.delete(entry);
  });
  child.once('error', () => children.delete(entry));
  return child;
}

/**
 * `spawn`, tracked. With `group: true` the child leads its own process group, so a kill reaches whatever it
 * started (use it for shells and wrappers such as `script` or `npm`).
 */
export function spawnTracked(command: string, args: readonly string[], options: SpawnOptions & { scope?: Scope; group?: boolean } = {}): ChildProcess {
  const { scope, group, ...spawnOptions } = options;
  const child = spawn(command, args, { ...spawnOptions, ...(group ? { detached: true } : {}) });
  return trackChild(child, { ...(scope ? { scope } : {}), ...(group !== undefined ? { group } : {}) });
}

/** Kills the tracked children still running (of one scope, or all); returns how many there were. */
export function killChildren(scope?: Scope): number {
  let n = 0;
  for (const c of [...children]) {
    if (scope !== undefined && c.scope !== scope) continue;
    if (alive(c)) {
      kill(c);
      n++;
    }
    if (!c.group) children.delete(c);
  }
  return n;
}

/** Kills the tracked children still running (of one scope, or all) and waits up to `waitMs` until they are reaped. */
export async function killChildrenAndWait(scope?: Scope, waitMs = 2000): Promise<number> {
  const running = [...children].filter((c) => (scope === undefined || c.scope === scope) && alive(c)).map((c) => c.child);
  const exited = running.map((child) => new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  }));
  killChildren(scope);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(exited), new Promise<void>((resolve) => { timer = setTimeout(resolve, waitMs); })]);
  clearTimeout(timer);
  return running.length;
}

/** Tracks a server until it is closed: returns its `close`, made idempotent and untracking it. */
export function trackServer(close: () => Promise<void>): () => Promise<void> {
  const id = `server-${++serverIds}`;
  let closing: Promise<void> | undefined;
  const once = () => {
    closing ??= (async () => {
      servers.delete(id);
      await close();
    })();
    return closing;
  };
  servers.set(id, once);
  return once;
}

/** Closes every tracked server still open; returns how many there were. Errors are collected, not thrown early. */
export async function closeServers(): Promise<{ closed: number; errors: unknown[] }> {
  const open = [...servers.values()];
  const results = await Promise.allSettled(open.map((close) => close()));
  return { closed: open.length, errors: results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : [])) };
}

const tempDirs = new Set<string>();

/** Tracks a temporary directory, removed after the file. */
export function trackTempDir(dir: string): string {
  tempDirs.add(dir);
  return dir;
}

/** Removes the tracked temporary directories. */
export function removeTempDirs(): void {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

/** How many tracked children are still running and servers still open. */
export function openResources(): { children: number; servers: number } {
  return { children: [...children].filter(alive).length, servers: servers.size };
}

// A worker that ends (normally, or by a fatal error) takes its children with it: `exit` handlers run synchronously,
// and sending a signal is synchronous.
process.once('exit', () => {
  for (const c of children) if (alive(c)) kill(c);
});

/** A fresh temporary folder (`prefix` + random), removed after the file at the latest. */
export function tempDir(prefix = 'spd-'): string {
  return trackTempDir(mkdtempSync(join(tmpdir(), prefix)));
}
