/** `npm run bench -- --small`: the benchmark runs end to end and prints every figure (no timing assertions). */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/protocol.js';
import { killGroup, spawnTracked } from '../helpers/resources.js';

const bench = resolve(repoRoot, 'dist/bench/bench.js');
const dir = mkdtempSync(join(tmpdir(), 'bench-smoke-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the bench as its own process group (it spawns connectors and servers): a timeout kills all of them. */
function run(args: string[], timeoutMs = 100_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawnTracked(process.execPath, [bench, ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], group: true });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (c: string) => { stdout += c; });
    child.stderr?.setEncoding('utf8').on('data', (c: string) => { stderr += c; });
    const timer = setTimeout(() => {
      killGroup(child);
      fail(new Error(`bench ${args.join(' ')} timed out after ${timeoutMs} ms and was killed\n${stderr.slice(-2000)}`));
    }, timeoutMs);
    child.on('error', (err) => { clearTimeout(timer); fail(err); });
    child.on('close', (code) => { clearTimeout(timer); done({ code, stdout, stderr }); });
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
