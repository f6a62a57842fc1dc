/**
 * `npm run bench`: the connector against its floors, its rate-limit efficiency, its fan-out and fault behaviour,
 * and its API token spend against Airbyte's connector (issues 6 and 13). Every figure is printed with its target
 * and met / NOT met. Scenarios (`--only a,b`):
 *
 * - `throughput` (bench/throughput.ts): deals full refresh, A against the serial floor B and the pipelined floor B2
 *   at 20,000 and 200,000 deals; with `--million` also 1,000,000 deals (A's peak RSS against its 200,000 figure).
 * - `spec` (bench/rate.ts): `spec` start-up.
 * - `rate` (bench/rate.ts): a rate-limited multi-stream sync against its floor.
 * - `tokens` (bench/tokens.ts, bench/airbyte.ts): requests and tokens per stream against Airbyte 4.0.0.
 * - `fanout` (bench/fanout.ts): `deal_flow` of 5,000 deals at 50 ms latency against the rate floor.
 * - `faults` (bench/fanout.ts): a full read of every stream under injected faults, retry waits per stream.
 *
 * Options: `--small` (tiny sizes for a smoke test; the targets mean nothing there), `--out FILE` (write the
 * results as Markdown, e.g. `bench/RESULTS.md`), `--million`, `--connector-config JSON` (merged into every
 * connector config the bench writes, e.g. `'{"fanout_concurrency": 8}'`).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { machine, mark, root, type BenchContext, type Report } from './child.js';
import { dealFlowFanout, faultCase } from './fanout.js';
import { rateLimits, specStartup } from './rate.js';
import { throughput } from './throughput.js';
import { tokensAgainstAirbyte } from './tokens.js';

const SCENARIOS = ['throughput', 'spec', 'rate', 'tokens', 'fanout', 'faults'] as const;
type Scenario = (typeof SCENARIOS)[number];

interface Options { small: boolean; million: boolean; out?: string; only?: Set<Scenario>; connectorConfig: Record<string, unknown> }

const USAGE = `options: --small, --million, --out FILE, --only ${SCENARIOS.join('|')}[,…], --connector-config JSON`;

function parseOptions(argv: readonly string[]): Options {
  const opts: Options = { small: false, million: false, connectorConfig: {} };
  const value = (i: number, name: string): string => {
    const v = argv[i];
    if (v === undefined) throw new Error(`${name} needs a value (${USAGE})`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    if (flag === '--small') opts.small = true;
    else if (flag === '--million') opts.million = true;
    else if (flag === '--out') opts.out = inline ?? value(++i, '--out');
    else if (flag === '--only') {
      const parts = (inline ?? value(++i, '--only')).split(',').map((s) => s.trim()).filter(Boolean);
      for (const p of parts) if (!(SCENARIOS as readonly string[]).includes(p)) throw new Error(`--only takes ${SCENARIOS.join(', ')} (got ${p})`);
      opts.only = new Set([...(opts.only ?? []), ...(parts as Scenario[])]);
    } else if (flag === '--connector-config') {
      const parsed: unknown = JSON.parse(inline ?? value(++i, '--connector-config'));
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('--connector-config takes a JSON object');
      opts.connectorConfig = parsed as Record<string, unknown>;
    } else throw new Error(`unknown option ${a} (${USAGE})`);
  }
  if (opts.million && opts.only && !opts.only.has('throughput')) throw new Error('--million extends the throughput scenario: add it to --only');
  return opts;
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  for (const f of ['dist/bench/floor.js', 'dist/bench/floor-pipelined.js']) {
    if (!existsSync(join(root, f))) throw new Error(`${f} is missing: run npm run build first`);
  }
  const scratch = mkdtempSync(join(tmpdir(), 'source-pipedrive-bench-'));
  const date = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const lines: string[] = [];
  const targets: Array<[string, boolean]> = [];
  const md: string[] = [];
  const report: Report = {
    say: (line) => { lines.push(line); process.stdout.write(`${line}\n`); },
    note: (line) => { process.stderr.write(`${line}\n`); },
    target: (what, ok) => { targets.push([what, ok]); },
    md: (...l) => { md.push(...l); },
  };
  const ctx: BenchContext = { small: opts.small, scratch, connectorConfig: opts.connectorConfig, report };
  const selected = (s: Scenario): boolean => opts.only === undefined || opts.only.has(s);
  try {
    report.say(`machine: ${machine()}`);
    report.say(`date: ${date}`);
    if (Object.keys(opts.connectorConfig).length) report.say(`connector config: ${JSON.stringify(opts.connectorConfig)}`);
    const run: Record<Scenario, () => Promise<void>> = {
      throughput: () => throughput(ctx, opts.million),
      spec: () => specStartup(ctx),
      rate: () => rateLimits(ctx),
      tokens: () => tokensAgainstAirbyte(ctx),
      fanout: () => dealFlowFanout(ctx),
      faults: () => faultCase(ctx),
    };
    for (const s of SCENARIOS) {
      if (!selected(s)) continue;
      const started = performance.now();
      await run[s]();
      report.note(`(${s}: ${((performance.now() - started) / 1000).toFixed(1)} s)`);
    }

    for (const [what, ok] of targets) report.say(`target: ${what}: ${mark(ok)}`);
    if (opts.small) report.say('(--small: sizes too small for the targets to mean anything)');

    if (opts.out) {
      const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
      const text = [
        '# Benchmark results',
        '',
        `\`${command}\`, ${date}. Machine: ${machine()}.`,
        '',
        ...(opts.only ? [`This run has ${SCENARIOS.filter(selected).join(', ')} only; \`npm run bench\` runs every scenario (${SCENARIOS.join(', ')}).`, ''] : []),
        ...md,
        '## Targets',
        '',
        ...targets.map(([what, ok]) => `- ${what}: **${mark(ok)}**`),
        '',
        '## Output',
        '',
        '```',
        ...lines,
        '```',
        '',
      ].join('\n');
      writeFileSync(resolve(opts.out), text);
      report.note(`results written to ${opts.out}`);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
