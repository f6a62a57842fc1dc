/** `npm run bench -- --small`: the benchmark runs end to end and prints every figure with its target (no timing assertions). */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/protocol.js';
import { runGroup } from '../helpers/spawn.js';
import { allStreams } from '../../streams/index.js';

const bench = resolve(repoRoot, 'dist/bench/bench.js');
const dir = mkdtempSync(join(tmpdir(), 'bench-smoke-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the bench as its own process group (it spawns connectors and servers): a timeout kills all of them. */
const run = (args: string[], timeoutMs = 120_000) => runGroup(process.execPath, [bench, ...args], { cwd: repoRoot, timeoutMs, what: `bench ${args.join(' ')}` });

const N = '[\\d,]+';
const S = '[\\d.]+ s';

describe('npm run bench -- --small', () => {
  it('prints every scenario\'s figures with its targets and writes the results file', async () => {
    expect(existsSync(bench), 'dist/bench/bench.js (npm run build)').toBe(true);
    const out = join(dir, 'RESULTS.md');
    const r = await run(['--small', '--million', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    const has = (re: RegExp): void => { expect(lines.find((l) => re.test(l)), String(re)).toBeDefined(); };
    has(/^machine: .+, \d+ cores, .+ GiB RAM, Node v\d+/);
    // Throughput: A against the serial floor B and the pipelined floor B2, and the --million row.
    has(new RegExp(`^throughput deals=300 \\(\\d+ records, median of 1\\): A ${S} ${N} rec/s \\| B ${S} ${N} rec/s \\| B2 ${S} ${N} rec/s \\| A/B [\\d.]+ \\| A/B2 [\\d.]+ \\| A peak RSS \\d+ MB \\| B2 peak RSS \\d+ MB$`));
    has(new RegExp(`^ {2}start-up, spawn to the first request \\(median\\): A ${S}, B ${S}, B2 ${S}$`));
    has(new RegExp(`^throughput deals=3000 \\(\\d+ records, median of 1\\): A ${S} ${N} rec/s \\| B2 ${S} ${N} rec/s \\| A/B2 [\\d.]+ \\| A peak RSS \\d+ MB \\| B2 peak RSS \\d+ MB$`));
    has(/^peak RSS growth deals=3000 \/ deals=300: [\d.]+x$/);
    has(new RegExp(`^spec start-up: median ${S} \\(\\d+ runs\\)$`));
    has(new RegExp(`^rate limit 20/2s: \\d+ requests \\(\\d+ answered 429\\) in ${S}; floor \\(requests / 10 per s\\) ${S}; time/floor [\\d.]+ \\(the last request of a perfect client starts at ${S}\\)$`));
    has(new RegExp(`^rate limit 100/2s: \\d+ requests \\(\\d+ answered 429\\) in ${S}; a fixed 20/2s budget allows ${S}; [\\d.]+x faster$`));
    // Tokens against Airbyte: a row per stream (both, and ours only), the totals and the connector's own count.
    has(/^tokens vs Airbyte source-pipedrive 4\.0\.0 on .+ \(requests \/ tokens\):$/);
    has(new RegExp(`^ {2}deal_flow +\\d+ / ${N} +\\d+ / ${N} +\\d+ / ${N} +\\d+ / ${N}$`));
    has(new RegExp(`^ {2}mail_threads \\(Airbyte: mailThreads\\) +\\d+ / ${N} +\\d+ / ${N} +\\d+ / ${N} +\\d+ / ${N}$`));
    has(new RegExp(`^ {2}boards +\\d+ / ${N} +– +\\d+ / ${N} +–$`));
    for (const what of ['full read, the 35 streams both offer', 'incremental read, the 35 streams both offer', `full read, every stream \\(ours ${allStreams.length}, Airbyte 35\\)`, `incremental read, every stream \\(ours ${allStreams.length}, Airbyte 35\\)`]) {
      has(new RegExp(`^tokens ${what}: ours ${N} requests ${N} tokens \\| Airbyte ${N} requests ${N} tokens \\| ratio tokens [\\d.]+, requests [\\d.]+$`));
    }
    const checkLine = lines.find((l) => l.startsWith('tokens check: ')) ?? '';
    const counts = [...checkLine.matchAll(/emulator log ([\d,]+) requests ([\d,]+) tokens, the connector's own count ([\d,]+) requests ([\d,]+) tokens/g)];
    expect(counts, checkLine).toHaveLength(2);
    // The attribution starts from the emulator's log; the connector counts the same requests and tokens.
    for (const m of counts) expect([m[1], m[2]]).toEqual([m[3], m[4]]);
    // Fan-out and faults (items 1 and 2: the "before" figures today).
    has(new RegExp(`^fan-out deal_flow deals=20 \\(latency 50 ms, burst 80/2s\\): \\d+ requests \\(\\d+ answered 429\\) in ${S}; rate floor \\(requests / 40 per s\\) ${S}; time/floor [\\d.]+$`));
    has(new RegExp(`^fault case deals=10 \\(2% 5xx, 1% resets, 1% truncated bodies, latency 5 ms, every stream\\): ${S}, \\d+ requests \\(\\d+ 5xx/resets\\), exit \\d+; \\d+ retries waiting ${S} in total; first retries: \\d+, median ${S}, max ${S}; top streams: [a-z_]+ ${S} \\(\\d+\\)`));
    has(new RegExp(`^fault case deals=10 without faults: ${S}, \\d+ requests, exit 0; no retries$`));
    has(/^fault case deals=1234: skipped \(--small\)$/);
    const targets = lines.filter((l) => l.startsWith('target: '));
    for (const t of [
      /^target: A\/B ≤ 1\.15 at deals=300 /, /^target: peak RSS ≤ 150 MB at deals=300 /, /^target: A\/B2 \(pipelined floor\) ≤ 1\.05 at deals=300 /,
      /^target: A peak RSS ≤ 1\.2× B2 peak RSS at deals=300 /, /^target: A peak RSS at deals=3000 ≤ 1\.2× deals=300 /, /^target: spec start-up ≤ 0\.3 s /,
      /^target: rate-limited sync ≤ 1\.1× its floor /, /^target: 100\/2s ≥ 4× faster /, /^target: tokens ≤ 0\.5× Airbyte 4\.0\.0, full read, streams both offer /,
      /^target: tokens ≤ 0\.5× Airbyte 4\.0\.0, incremental read after the demo's changes, streams both offer /,
      /^target: deal_flow fan-out ≤ 1\.2× its rate floor /, /^target: first retry of a 5xx\/reset\/truncated body within about a second: max ≤ 1\.5 s /,
    ]) expect(targets.filter((l) => t.test(l) && /: (met|NOT met)$/.test(l)), String(t)).toHaveLength(1);
    expect(targets).toHaveLength(12);
    const md = readFileSync(out, 'utf8');
    for (const section of ['# Benchmark results', 'Machine: ', '## Throughput and memory', '| deals | records | rounds | A | B (serial) | B2 (pipelined) |',
      '## Start-up', '## Rate limits', '## Tokens against Airbyte 4.0.0', '| stream | full: ours | full: Airbyte | incremental: ours | incremental: Airbyte |',
      '**35 streams both offer**', '**every stream**', '## Fan-out: deal_flow', '## Faults', '| read | time | requests |', '## Targets', '## Output']) {
      expect(md, section).toContain(section);
    }
  }, 120_000);

  it('runs only the scenarios --only names, and refuses unknown ones', async () => {
    const r = await run(['--small', '--only', 'spec']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^spec start-up: median/m);
    expect(r.stdout).not.toMatch(/^(throughput|rate limit|tokens|fan-out|fault case) /m);
    expect(r.stdout.split('\n').filter((l) => l.startsWith('target: '))).toEqual([expect.stringMatching(/^target: spec start-up ≤ 0\.3 s/)]);
    const bad = await run(['--only', 'nope']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--only takes throughput, spec, rate, tokens, fanout, faults (got nope)');
  }, 30_000);
});
