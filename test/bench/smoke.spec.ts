/** `npm run bench -- --small`: the benchmark runs end to end and prints every figure (no timing assertions). */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/protocol.js';

const bench = resolve(repoRoot, 'dist/bench/bench.js');
const dir = mkdtempSync(join(tmpdir(), 'bench-smoke-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [bench, ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => { stdout += c; });
    child.stderr.setEncoding('utf8').on('data', (c: string) => { stderr += c; });
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

describe('npm run bench -- --small', () => {
  it('prints the throughput, memory, start-up and rate-limit figures and writes the results file', async () => {
    expect(existsSync(bench), 'dist/bench/bench.js (npm run build)').toBe(true);
    const out = join(dir, 'RESULTS.md');
    const r = await run(['--small', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    const line = (re: RegExp) => lines.find((l) => re.test(l));
    expect(line(/^machine: .+, \d+ cores, .+ GiB RAM, Node v\d+/)).toBeDefined();
    expect(line(/^throughput deals=\d+ \(\d+ records, median of \d+\): A [\d.]+ s [\d,]+ rec\/s \| B [\d.]+ s [\d,]+ rec\/s \| A\/B [\d.]+ \| A peak RSS \d+ MB$/)).toBeDefined();
    expect(line(/^ {2}start-up, spawn to the first request \(median\): A [\d.]+ s, B [\d.]+ s$/)).toBeDefined();
    expect(line(/^spec start-up: median [\d.]+ s \(\d+ runs\)$/)).toBeDefined();
    expect(line(/^rate limit 20\/2s: \d+ requests \(\d+ answered 429\) in [\d.]+ s; floor \(requests \/ 10 per s\) [\d.]+ s; time\/floor [\d.]+ \(the last request of a perfect client starts at [\d.]+ s\)$/)).toBeDefined();
    expect(line(/^rate limit 100\/2s: \d+ requests \(\d+ answered 429\) in [\d.]+ s; a fixed 20\/2s budget allows [\d.]+ s; [\d.]+x faster$/)).toBeDefined();
    expect(lines.filter((l) => l.startsWith('target: '))).toHaveLength(5);
    const md = readFileSync(out, 'utf8');
    expect(md).toContain('# Benchmark results');
    expect(md).toContain('Machine: ');
    expect(md).toContain('| deals | records | A median |');
  }, 120_000);
});
