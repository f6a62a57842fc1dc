/**
 * A lock file beside a file that one run at a time may read and write back (`--state-file state.json` →
 * `state.json.lock`). It is created with `wx` (fails if it exists) and holds the owner's pid on its first line, then
 * its host and start time:
 *
 * ```
 * 12345
 * host=build-7 started=2026-05-01T10:00:00.000Z
 * ```
 *
 * A lock whose owner is gone (no such pid on this host, or this very pid with another start time: a restarted
 * container whose process is pid 1 again) is stale and taken over. Any other lock is a ConfigError that says which
 * run holds it. Taking over renames the stale lock aside first, so of two runs that find the same stale lock only
 * one removes it; both then race for `wx` again and one wins.
 */
import { closeSync, openSync, readFileSync, renameSync, unlinkSync, writeSync, linkSync } from 'node:fs';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { ConfigError } from '../errors.js';

export interface FileLock {
  /** The lock file. */
  readonly path: string;
  /** The stale lock this one replaced (`pid 123 on host h, since …`), if there was one. */
  readonly tookOver?: string;
  /** Removes the lock file if this process still owns it. Idempotent. */
  release(): void;
}

interface Owner { readonly pid: number; readonly host: string; readonly started: string }

/** This process, as a lock file names it. */
function self(): Owner {
  // performance.timeOrigin: when this process started, the same value at every call.
  return { pid: process.pid, host: hostname(), started: new Date(Math.floor(performance.timeOrigin)).toISOString() };
}

const text = (o: Owner): string => `${o.pid}\nhost=${o.host} started=${o.started}\n`;

function parse(content: string): Owner | undefined {
  const [first = '', second = ''] = content.split('\n');
  const pid = Number(first.trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  const host = /host=(\S*)/.exec(second)?.[1] ?? '';
  const started = /started=(\S*)/.exec(second)?.[1] ?? '';
  return { pid, host, started };
}

/** Whether `pid` is a running process on this host. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, owned by another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Why the owner of a lock still holds it, or undefined when the lock is stale. `me` is this process: the same pid
 * with the same start time is this process (a second lock on the same file), with another start time a previous
 * process that had the same pid.
 */
function holder(owner: Owner, me: Owner): string | undefined {
  const since = owner.started ? `, since ${owner.started}` : '';
  if (owner.host !== '' && owner.host !== me.host) return `a run on host ${owner.host} (pid ${owner.pid}${since})`;
  if (owner.pid === me.pid) return owner.started === me.started ? `this process (pid ${owner.pid})` : undefined;
  return alive(owner.pid) ? `another run (pid ${owner.pid}${since})` : undefined;
}

function readOwner(path: string): { content: string; owner: Owner | undefined } | undefined {
  // A lock is written right after it is created: an empty one is read again for a moment before it counts as stale.
  for (let attempt = 0; ; attempt++) {
    let content: string;
    try {
      content = readFileSync(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    const owner = parse(content);
    if (owner || attempt >= 20) return { content, owner };
    // A few milliseconds (a synchronous sleep): the owner's write is one system call away.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
  }
}

function create(path: string, me: Owner): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    writeSync(fd, text(me));
  } finally {
    closeSync(fd);
  }
  return true;
}

/** Removes a stale lock whose content is `content`; leaves (restores) a lock that changed in between. */
function takeOver(path: string, content: string): void {
  const aside = `${path}.stale.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    renameSync(path, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  let moved = '';
  try {
    moved = readFileSync(aside, 'utf8');
  } catch {
    // Unreadable: treat as the stale one.
    moved = content;
  }
  if (moved !== content) {
    // Another run took the stale lock over and made its own in between: put that one back.
    try {
      linkSync(aside, path);
    } catch {
      // A third lock is there already: it holds.
    }
  }
  unlinkSync(aside);
}

/**
 * Takes the lock file `path` for this process. `what` names the setting the lock protects (e.g.
 * `--state-file 'state.json'`) in the ConfigError thrown when another live run holds it.
 */
export function acquireLock(path: string, what: string): FileLock {
  const me = self();
  let stale: string | undefined;
  for (let attempt = 0; attempt < 5; attempt++) {
    if (create(path, me)) return ownedLock(path, me, stale);
    const found = readOwner(path);
    if (!found) continue;
    const by = found.owner ? holder(found.owner, me) : undefined;
    if (by !== undefined) {
      throw new ConfigError(`${what}: ${by} holds the lock ${path}. Wait for it to end, or delete ${path} if no run is going on`);
    }
    stale = found.owner ? `pid ${found.owner.pid}${found.owner.started ? `, since ${found.owner.started}` : ''}` : 'an empty or unreadable lock';
    takeOver(path, found.content);
  }
  throw new ConfigError(`${what}: could not take the lock ${path} (other runs keep taking it); try again`);
}

function ownedLock(path: string, me: Owner, stale: string | undefined): FileLock {
  let released = false;
  return {
    path,
    ...(stale !== undefined ? { tookOver: stale } : {}),
    release: () => {
      if (released) return;
      released = true;
      const found = readOwner(path);
      if (found?.content === text(me)) unlinkSync(path);
    },
  };
}
