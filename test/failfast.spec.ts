/**
 * The suite fails fast and never hangs (test/setup.ts, test/helpers/resources.ts): vitest run on the deliberately
 * broken fixtures of test/fixtures/broken/ ends within 30 s with a failure, and leaves no emulator port open and no
 * child process running.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/protocol.js';
import { killGroup, spawnTracked } from './helpers/resources.js';

const dir = mkdtempSync(join(tmpdir(), 'spd-failfast-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const LIMIT_MS = 30_000;

/** Runs vitest on one fixture as a child process group; kills it all (and fails) past LIMIT_MS. */
function vitestOn(fixture: string, env: Record<string, string>): Promise<{ code: number | null; output: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const child = spawnTracked(process.execPath, [
      join(repoRoot, 'node_modules/vitest/vitest.mjs'), 'run', '--config', 'test/fixtures/broken/vitest.config.ts', `test/fixtures/broken/${fixture}`,
    ], { cwd: repoRoot, env: { ...process.env, ...env, CI: '1', NO_COLOR: '1', FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'], group: true });
    let output = '';
    child.stdout?.setEncoding('utf8').on('data', (c: string) => { output += c; });
    child.stderr?.setEncoding('utf8').on('data', (c: string) => { output += c; });
    const timer = setTimeout(() => {
      killGroup(child);
      reject(new Error(`vitest on ${fixture} still running after ${LIMIT_MS / 1000} s: the suite can hang\n${output.slice(-3000)}`));
    }, LIMIT_MS);
    child.on('error', (err) => { clearTimeout(timer); reject(err); });
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, output, ms: Date.now() - t0 }); });
  });
}

/** Whether something accepts connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

/** Whether a process is running (a zombie, dead but not yet reaped, counts as gone). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('a broken test file', () => {
  it('a beforeAll that throws after starting the emulator and a child: the run fails within 30 s, and both are gone', async () => {
    const report = join(dir, 'broken.json');
    const r = await vitestOn('broken.spec.ts', { SPD_FIXTURE_REPORT: report });
    expect(r.code, r.output).toBe(1);
    expect(r.ms).toBeLessThan(LIMIT_MS);
    expect(r.output).toContain('deliberately broken beforeAll');
    expect(r.output).toMatch(/Tests\s+1 skipped/);
    const { port, pid } = JSON.parse(readFileSync(report, 'utf8')) as { port: number; pid: number };
    expect(port).toBeGreaterThan(0);
    expect(pid).toBeGreaterThan(0);
    expect(await listening(port), `the emulator still listens on ${port}`).toBe(false);
    expect(running(pid), `the child ${pid} still runs`).toBe(false);
  }, LIMIT_MS + 5_000);

  it('a test waiting on a child that never ends, under a ten-minute timeout: the file limit ends it with a clear error', async () => {
    const r = await vitestOn('stuck.spec.ts', { SPD_TEST_FILE_LIMIT_MS: '3000' });
    expect(r.code, r.output).toBe(1);
    expect(r.ms).toBeLessThan(LIMIT_MS);
    expect(r.output).toContain('ran past its limit of 3 s');
    expect(r.output).toMatch(/Tests\s+2 failed/);
  }, LIMIT_MS + 5_000);
});
