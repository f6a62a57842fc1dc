/** The progress display: drawn on a terminal (a pty from util-linux `script`), absent in pipes and with --quiet. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { binPath, runCli, tempFiles } from '../helpers/cli.js';
import { startTestEmulator, type Emulator } from '../helpers/emulator.js';
import { killGroup, spawnTracked } from '../helpers/resources.js';

let emu: Emulator;
let files: Record<string, string>;
const hasScript = spawnSync('script', ['--version']).status === 0;

/** Runs a shell command under a pseudo-terminal (the emulator lives in this process: never block it). */
function underPty(cmd: string, timeoutMs = 30_000): Promise<{ status: number | null; stdout: string }> {
  return new Promise((done, fail) => {
    // Its own process group (tracked): a timeout kills `script`, its shell and the connector alike.
    const child = spawnTracked('script', ['-qec', cmd, '/dev/null'], { stdio: ['ignore', 'pipe', 'pipe'], group: true });
    let stdout = '';
    child.stdout?.setEncoding('utf8').on('data', (c: string) => { stdout += c; });
    const timer = setTimeout(() => {
      killGroup(child);
      fail(new Error(`script -qec ${cmd} timed out after ${timeoutMs} ms and was killed`));
    }, timeoutMs);
    child.on('error', (err) => { clearTimeout(timer); fail(err); });
    child.on('close', (status) => { clearTimeout(timer); done({ status, stdout }); });
  });
}

beforeAll(async () => {
  emu = await startTestEmulator({ seed: 5, sizes: { deals: 3000 }, latencyMs: 150 });
  files = tempFiles({
    'c.json': emu.config(),
    'cat.json': { streams: [{ stream: { name: 'deals', json_schema: {}, supported_sync_modes: ['full_refresh'] }, sync_mode: 'full_refresh', destination_sync_mode: 'overwrite' }] },
  });
});
afterAll(async () => { await emu?.close(); });

describe('progress display', () => {
  it.runIf(hasScript)('shows records, pages and rate per stream on a terminal, and stdout stays pure', async () => {
    const cmd = `${process.execPath} ${binPath} read --config ${files['c.json']} --catalog ${files['cat.json']} > ${files['c.json']}.out`;
    const r = await underPty(cmd);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/deals\s+\S+\s+[\d,]+ of [\d,]+ records, \d+ pages, [\d,]+\/s/);
    // The log line at the end is printed above the display, which is drawn again below it.
    expect(r.stdout).toMatch(/Read finished[^\n]*\n(\x1b\[0J)?deals\s+COMPLETE/);
    const out = readFileSync(`${files['c.json']}.out`, 'utf8');
    expect(out).not.toContain('records,');
    for (const line of out.trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
  });

  it('draws nothing when stderr is a pipe', async () => {
    const r = await runCli(['read', '--config', files['c.json'] as string, '--catalog', files['cat.json'] as string]);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/records, \d+ pages/);
    expect(r.stderr).not.toContain('\x1b[');
  });

  it.runIf(hasScript)('--quiet keeps a terminal silent', async () => {
    const cmd = `${process.execPath} ${binPath} read --quiet --config ${files['c.json']} --catalog ${files['cat.json']} > /dev/null`;
    const r = await underPty(cmd);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('');
  });
});
