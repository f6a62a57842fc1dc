import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireLock } from '../../../src/files/lock.js';
import { ConfigError } from '../../../src/errors.js';
import { spawnTracked } from '../../helpers/resources.js';

const temps: string[] = [];
const lockPath = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'spd-lock-'));
  temps.push(d);
  return join(d, 'state.json.lock');
};
afterAll(() => { for (const d of temps) rmSync(d, { recursive: true, force: true }); });

/** The pid of a process that has ended. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

describe('acquireLock', () => {
  it('creates the lock file with this pid, host and start time; release removes it (once)', () => {
    const path = lockPath();
    const lock = acquireLock(path, "--state-file 'state.json'");
    expect(lock.tookOver).toBeUndefined();
    const [pid, meta] = readFileSync(path, 'utf8').split('\n');
    expect(Number(pid)).toBe(process.pid);
    expect(meta).toMatch(new RegExp(`^host=${hostname().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} started=\\d{4}-\\d\\d-\\d\\dT`));
    lock.release();
    expect(existsSync(path)).toBe(false);
    lock.release();
    // Free again.
    acquireLock(path, 'x').release();
  });

  it('a second lock on the same file is a ConfigError naming the setting and the holder', () => {
    const path = lockPath();
    const lock = acquireLock(path, "--state-file 'state.json'");
    expect(() => acquireLock(path, "--state-file 'state.json'")).toThrow(ConfigError);
    expect(() => acquireLock(path, "--state-file 'state.json'")).toThrow(`--state-file 'state.json': this process (pid ${process.pid}) holds the lock ${path}`);
    lock.release();
  });

  it('a live process of another run holds it: ConfigError with its pid, the lock is left alone', async () => {
    const path = lockPath();
    const child = spawnTracked(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    try {
      const content = `${child.pid}\nhost=${hostname()} started=2026-01-01T00:00:00.000Z\n`;
      writeFileSync(path, content);
      const err = (() => { try { acquireLock(path, '--state-file s'); } catch (e) { return e as Error; } return undefined; })();
      expect(err).toBeInstanceOf(ConfigError);
      expect(err?.message).toBe(`--state-file s: another run (pid ${child.pid}, since 2026-01-01T00:00:00.000Z) holds the lock ${path}. Wait for it to end, or delete ${path} if no run is going on`);
      expect(readFileSync(path, 'utf8')).toBe(content);
    } finally {
      child.kill();
    }
  });

  it('a lock of a pid that is gone is stale: taken over, and nothing is left beside it', () => {
    const path = lockPath();
    const pid = deadPid();
    writeFileSync(path, `${pid}\nhost=${hostname()} started=2026-01-01T00:00:00.000Z\n`);
    const lock = acquireLock(path, 'x');
    expect(lock.tookOver).toBe(`pid ${pid}, since 2026-01-01T00:00:00.000Z`);
    expect(Number(readFileSync(path, 'utf8').split('\n')[0])).toBe(process.pid);
    lock.release();
    expect(readdirSync(join(path, '..'))).toEqual([]);
  });

  it('this pid with another start time is a previous process (a restarted container): stale', () => {
    const path = lockPath();
    writeFileSync(path, `${process.pid}\nhost=${hostname()} started=2000-01-01T00:00:00.000Z\n`);
    acquireLock(path, 'x').release();
  });

  it('an empty or garbled lock is stale (its writer died before writing)', () => {
    const path = lockPath();
    writeFileSync(path, '');
    acquireLock(path, 'x').release();
    writeFileSync(path, 'not a pid');
    acquireLock(path, 'x').release();
  });

  it('a lock of another host cannot be checked: it holds', () => {
    const path = lockPath();
    writeFileSync(path, `${deadPid()}\nhost=elsewhere-7 started=2026-01-01T00:00:00.000Z\n`);
    expect(() => acquireLock(path, 'x')).toThrow(/x: a run on host elsewhere-7 \(pid \d+, since 2026-01-01T00:00:00.000Z\) holds the lock/);
  });

  it('release leaves a lock that another run has taken over', () => {
    const path = lockPath();
    const lock = acquireLock(path, 'x');
    writeFileSync(path, `${deadPid()}\nhost=${hostname()} started=2026-01-01T00:00:00.000Z\n`);
    lock.release();
    expect(existsSync(path)).toBe(true);
  });
});
