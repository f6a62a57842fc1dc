/**
 * Atomic file replacement, for the files a run writes back (`--state-file`, `--update-config`): a reader, a crash or
 * a power cut sees either the old content or the new, never a mix or an empty file.
 *
 * ```
 * write .<name>.<pid>.<random>.tmp in the same folder ─ fsync ─ rename over <name> ─ fsync the folder
 * ```
 *
 * The temporary file is in the target's folder (a rename is atomic only within one file system). An existing
 * target keeps its permission bits (a config file with secrets stays 0600) and, where allowed, its owner. A
 * symbolic link is followed: its target is replaced, the link stays.
 */
import { closeSync, fchmodSync, fchownSync, fsyncSync, openSync, realpathSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

export interface AtomicWriteOptions {
  /** Permission bits of a new file (default 0o644 less the umask; an existing file keeps its own). */
  readonly mode?: number;
}

/** Replaces `path` with `text` atomically and durably (see the module comment). Throws the file system's error. */
export function writeFileAtomic(path: string, text: string, options: AtomicWriteOptions = {}): void {
  const target = resolveLink(path);
  const dir = dirname(target);
  const existing = statOrUndefined(target);
  const temp = join(dir, `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(temp, 'wx', options.mode ?? 0o644);
  let renamed = false;
  try {
    try {
      if (existing) {
        fchmodSync(fd, existing.mode & 0o7777);
        try {
          fchownSync(fd, existing.uid, existing.gid);
        } catch {
          // Not allowed for an unprivileged user (the file is then owned by the writer, as any new file).
        }
      }
      const bytes = Buffer.from(text, 'utf8');
      let at = 0;
      while (at < bytes.length) at += writeSync(fd, bytes, at, bytes.length - at);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, target);
    renamed = true;
  } finally {
    if (!renamed) {
      try {
        unlinkSync(temp);
      } catch {
        // Already gone.
      }
    }
  }
  syncFolder(dir);
}

/** The file a path names, following symbolic links; the path itself when it does not exist yet. */
function resolveLink(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

function statOrUndefined(path: string): { mode: number; uid: number; gid: number } | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** Makes the rename durable: fsync of the folder (not possible on every platform and file system; then skipped). */
function syncFolder(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Windows cannot open a folder; some file systems refuse fsync on one. The rename has happened either way.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
