/**
 * Throughput and memory (issues 6 and 13 item 6): the emulator in this process (no latency, no limits) with
 * 20,000 and 200,000 deals; rounds of A B B2 (alternating, three rounds), where
 * - A  = `node bin/source-pipedrive.js read` of `deals` (full refresh, `--quiet`, stdout to /dev/null),
 * - B  = `node dist/bench/floor.js`: the serial floor (request, parse, write, then the next request),
 * - B2 = `node dist/bench/floor-pipelined.js`: the pipelined floor (the request for page n + 1 leaves before
 *        page n is written, as the connector does).
 * Median wall time, records/s, A/B, A/B2, and peak RSS (VmHWM) of A and B2. With `--million`, one more round of
 * A and B2 at 1,000,000 deals: A's peak RSS there against its 200,000-deal figure.
 * The children are separate processes, so the in-process emulator's work is the same for A, B and B2.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulator } from '../emulator/server.js';
import {
  bin, check, configuredCatalog, getJson, int, mb, median, root, runNode, secs, useTime,
  type BenchContext, type ChildRun,
} from './child.js';

const floor = join(root, 'dist/bench/floor.js');
const floorPipelined = join(root, 'dist/bench/floor-pipelined.js');

type Runner = 'A' | 'B' | 'B2';

interface RunnerResult { ms: number; peakKb: number; start: number }

export interface ThroughputResult {
  deals: number;
  records: number;
  rounds: number;
  runs: Partial<Record<Runner, RunnerResult>>;
}

async function measure(ctx: BenchContext, deals: number, rounds: number, runners: readonly Runner[]): Promise<ThroughputResult> {
  const emu = await startEmulator({ seed: 1, sizes: { deals } });
  try {
    const config = join(ctx.scratch, `config-${deals}.json`);
    const catalog = join(ctx.scratch, 'catalog-deals.json');
    writeFileSync(config, JSON.stringify(emu.config({ num_workers: 1, ...ctx.connectorConfig })));
    writeFileSync(catalog, JSON.stringify(configuredCatalog(['deals'])));
    // Builds the emulator's update_time index before anything is timed.
    await getJson(emu, '/api/v2/deals?limit=1&status=open,won,lost,deleted&sort_by=update_time&sort_direction=asc');
    const args: Record<Runner, string[]> = {
      A: [bin, 'read', '--config', config, '--catalog', catalog, '--quiet'],
      B: [floor, emu.url, 'emulator-token'],
      B2: [floorPipelined, emu.url, 'emulator-token'],
    };
    const names: Record<Runner, string> = { A: 'A (source-pipedrive read)', B: 'B (serial floor)', B2: 'B2 (pipelined floor)' };
    const runs = new Map<Runner, ChildRun[]>();
    const starts = new Map<Runner, number[]>();
    let records = 0;
    for (let i = 0; i < rounds; i++) {
      const parts: string[] = [];
      for (const r of runners) {
        emu.resetLog();
        const run = await runNode(args[r], ctx.scratch);
        check(run, names[r]);
        runs.set(r, [...(runs.get(r) ?? []), run]);
        starts.set(r, [...(starts.get(r) ?? []), (emu.requests[0]?.at ?? Number.NaN) - run.spawnedAt]);
        const counted = /floor(?:-pipelined)?: (\d+) records/.exec(run.stderr)?.[1];
        if (counted !== undefined) records = Number(counted);
        parts.push(`${r} ${secs(run.ms)} (${mb(run.peakKb)})`);
      }
      ctx.report.note(`  deals ${int(deals)} round ${i + 1}: ${parts.join(', ')}`);
    }
    if (records === 0) records = [...emu.groundTruth('deals')].length;
    const result: ThroughputResult = { deals, records, rounds, runs: {} };
    for (const r of runners) {
      const list = runs.get(r) ?? [];
      result.runs[r] = { ms: median(list.map((x) => x.ms)), peakKb: Math.max(...list.map((x) => x.peakKb)), start: median(starts.get(r) ?? []) };
    }
    return result;
  } finally {
    await emu.close();
  }
}

const rate = (records: number, ms: number): string => `${int(records / (ms / 1000))} rec/s`;

function describe(r: ThroughputResult): string {
  const { A, B, B2 } = r.runs;
  const part = (name: Runner, x: RunnerResult | undefined): string => (x ? `${name} ${secs(x.ms)} ${rate(r.records, x.ms)}` : '');
  const ratios = [
    A && B ? `A/B ${(A.ms / B.ms).toFixed(3)}` : '',
    A && B2 ? `A/B2 ${(A.ms / B2.ms).toFixed(3)}` : '',
    A ? `A peak RSS ${mb(A.peakKb)}` : '',
    B2 ? `B2 peak RSS ${mb(B2.peakKb)}` : '',
  ].filter(Boolean);
  return `throughput deals=${r.deals} (${r.records} records, median of ${r.rounds}): ` +
    `${[part('A', A), part('B', B), part('B2', B2)].filter(Boolean).join(' | ')} | ${ratios.join(' | ')}`;
}

export async function throughput(ctx: BenchContext, million: boolean): Promise<void> {
  const { report } = ctx;
  report.say(`peak RSS from: ${useTime ? '/usr/bin/time -f %M (the child\'s maxrss, i.e. VmHWM)' : '/proc/<pid>/status VmHWM, polled every 50 ms'}`);
  const sizes = ctx.small ? [300] : [20_000, 200_000];
  const rounds = ctx.small ? 1 : 3;
  const all: Runner[] = ['A', 'B', 'B2'];
  // One unmeasured round, so that the first measured run does not read the modules from a cold disk.
  await measure(ctx, ctx.small ? 100 : 2_000, 1, all);
  const results: ThroughputResult[] = [];
  for (const deals of sizes) {
    const r = await measure(ctx, deals, rounds, all);
    results.push(r);
    report.say(describe(r));
    report.say(`  start-up, spawn to the first request (median): A ${secs(r.runs.A?.start ?? NaN)}, B ${secs(r.runs.B?.start ?? NaN)}, B2 ${secs(r.runs.B2?.start ?? NaN)}`);
  }
  const small = results[0] as ThroughputResult;
  const large = results.at(-1) as ThroughputResult;
  const a = (r: ThroughputResult): RunnerResult => r.runs.A as RunnerResult;
  const b = (r: ThroughputResult): RunnerResult => r.runs.B as RunnerResult;
  const b2 = (r: ThroughputResult): RunnerResult => r.runs.B2 as RunnerResult;
  const rssGrowth = a(large).peakKb / a(small).peakKb;
  if (results.length > 1) report.say(`peak RSS growth deals=${large.deals} / deals=${small.deals}: ${rssGrowth.toFixed(2)}x`);
  const ratioB = a(large).ms / b(large).ms;
  const ratioB2 = a(large).ms / b2(large).ms;
  const rssVsFloor = a(large).peakKb / b2(large).peakKb;
  // At 20,000 deals a read lasts about half a second, so the ratios there mostly measure Node start-up and
  // module loading (printed above, not a target).
  const smallNote = results.length > 1 ? `; at deals=${small.deals}: ${(a(small).ms / b(small).ms).toFixed(3)}, start-up bound` : '';
  report.target(`A/B ≤ 1.15 at deals=${large.deals} (${ratioB.toFixed(3)}${smallNote})`, ratioB <= 1.15);
  report.target(`peak RSS ≤ 150 MB at deals=${large.deals} (${mb(a(large).peakKb)})`, a(large).peakKb <= 150 * 1024);
  if (results.length > 1) report.target(`peak RSS at deals=${large.deals} ≤ 1.3× deals=${small.deals} (${rssGrowth.toFixed(2)}x)`, rssGrowth <= 1.3);
  report.target(`A/B2 (pipelined floor) ≤ 1.05 at deals=${large.deals} (${ratioB2.toFixed(3)})`, ratioB2 <= 1.05);
  report.target(`A peak RSS ≤ 1.2× B2 peak RSS at deals=${large.deals} (${mb(a(large).peakKb)} / ${mb(b2(large).peakKb)} = ${rssVsFloor.toFixed(2)}x)`, rssVsFloor <= 1.2);

  let millionResult: ThroughputResult | undefined;
  if (million) {
    millionResult = await measure(ctx, ctx.small ? 3_000 : 1_000_000, 1, ['A', 'B2']);
    report.say(describe(millionResult));
    const growth = a(millionResult).peakKb / a(large).peakKb;
    report.say(`peak RSS growth deals=${millionResult.deals} / deals=${large.deals}: ${growth.toFixed(2)}x`);
    report.target(`A peak RSS at deals=${millionResult.deals} ≤ 1.2× deals=${large.deals} (${mb(a(millionResult).peakKb)} / ${mb(a(large).peakKb)} = ${growth.toFixed(2)}x)`, growth <= 1.2);
  }

  const row = (r: ThroughputResult): string => {
    const cell = (x: RunnerResult | undefined): string => (x ? `${secs(x.ms)} (${rate(r.records, x.ms)})` : '–');
    const { A, B, B2 } = r.runs;
    return `| ${int(r.deals)} | ${int(r.records)} | ${r.rounds} | ${cell(A)} | ${cell(B)} | ${cell(B2)} | ` +
      `${A && B ? (A.ms / B.ms).toFixed(3) : '–'} | ${A && B2 ? (A.ms / B2.ms).toFixed(3) : '–'} | ` +
      `${A ? mb(A.peakKb) : '–'} | ${B2 ? mb(B2.peakKb) : '–'} | ${[A, B, B2].map((x) => (x ? secs(x.start) : '–')).join(' / ')} |`;
  };
  report.md(
    '## Throughput and memory',
    '',
    'A = `node bin/source-pipedrive.js read` of `deals` (full refresh, `--quiet`, stdout to /dev/null); ' +
      'B = `node dist/bench/floor.js`, the serial floor (node:http keep-alive, `JSON.parse` per page, one `JSON.stringify`ed ' +
      'RECORD line per record, one write per page, then the next request); B2 = `node dist/bench/floor-pipelined.js`, the ' +
      'pipelined floor (the same, but the request for page n + 1 is sent before page n is written, as the connector does). ' +
      'The emulator runs in the bench process with no latency and no limits. Median of alternating rounds A B B2; peak RSS is ' +
      'the highest of each runner\'s runs.',
    '',
    '| deals | records | rounds | A | B (serial) | B2 (pipelined) | A/B | A/B2 | A peak RSS | B2 peak RSS | start-up A / B / B2 |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...results.map(row),
    ...(millionResult ? [row(millionResult)] : []),
    '',
    'Start-up is the time from the spawn to the first request the emulator sees. Over a short read A\'s larger start-up ' +
      '(loading rxjs, axios and the config validator) weighs more; the targets are judged at the largest size.' +
      (million ? '' : ' The 1,000,000-deal row needs `--million`.'),
    '',
  );
}
