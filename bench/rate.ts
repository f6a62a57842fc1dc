/**
 * `spec` start-up (median of 10 runs) and rate-limit efficiency (issue 6): a multi-stream sync (deals, persons,
 * organizations, activities; 3 workers) with a burst limit of 20 per 2 s against its floor (requests ÷ 10 per s),
 * and with 100 per 2 s against what a fixed 20-per-2 s budget allows (the same requests ÷ 10 per s).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulator } from '../emulator/server.js';
import { bin, check, configuredCatalog, int, median, runNode, secs, type BenchContext } from './child.js';

export async function specStartup(ctx: BenchContext): Promise<void> {
  const runs = ctx.small ? 3 : 10;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = await runNode([bin, 'spec'], ctx.scratch);
    check(r, 'spec');
    times.push(r.ms);
  }
  const spec = median(times);
  ctx.report.say(`spec start-up: median ${secs(spec)} (${runs} runs)`);
  ctx.report.target(`spec start-up ≤ 0.3 s (${secs(spec)})`, spec <= 300);
  ctx.report.md('## Start-up', '', `\`spec\` start-up (\`node bin/source-pipedrive.js spec > /dev/null\`): median ${secs(spec)} of ${runs} runs.`, '');
}

interface RateResult {
  burst: number;
  requests: number;
  rejected: number;
  ms: number;
  floorMs: number;
  /** The start of the last request for a perfect client under the burst limit. */
  windowMinMs: number;
}

async function rateLimited(ctx: BenchContext, burst: number, sizes: Record<string, number>): Promise<RateResult> {
  const emu = await startEmulator({ seed: 2, sizes, rateLimit: { burst, windowMs: 2000 } });
  try {
    const streams = Object.keys(sizes);
    const config = join(ctx.scratch, `config-rate-${burst}.json`);
    const catalog = join(ctx.scratch, 'catalog-rate.json');
    writeFileSync(config, JSON.stringify(emu.config({ num_workers: 3, ...ctx.connectorConfig })));
    writeFileSync(catalog, JSON.stringify(configuredCatalog(streams)));
    emu.resetLog();
    const run = await runNode([bin, 'read', '--config', config, '--catalog', catalog, '--quiet'], ctx.scratch);
    check(run, `rate-limited read (${burst} per 2 s)`);
    const requests = emu.requests.filter((r) => r.status !== 429).length;
    const rejected = emu.requests.filter((r) => r.status === 429).length;
    // Requests ÷ 10 per second: what a budget of 20 per 2 s allows. A client that knew the limit beforehand and
    // answered in no time could start request k (0-based) at 2 s × ⌊k / burst⌋.
    return { burst, requests, rejected, ms: run.ms, floorMs: (requests / 10) * 1000, windowMinMs: 2000 * Math.floor((requests - 1) / burst) };
  } finally {
    await emu.close();
  }
}

export async function rateLimits(ctx: BenchContext): Promise<void> {
  const { report } = ctx;
  const rateSizes = ctx.small
    ? { deals: 1000, persons: 600, organizations: 600, activities: 600 }
    : { deals: 20_000, persons: 10_000, organizations: 6_000, activities: 10_000 };
  const r20 = await rateLimited(ctx, 20, rateSizes);
  const ratio20 = r20.ms / r20.floorMs;
  report.say(
    `rate limit 20/2s: ${r20.requests} requests (${r20.rejected} answered 429) in ${secs(r20.ms)}; ` +
    `floor (requests / 10 per s) ${secs(r20.floorMs)}; time/floor ${ratio20.toFixed(2)} ` +
    `(the last request of a perfect client starts at ${secs(r20.windowMinMs)})`,
  );
  const r100 = await rateLimited(ctx, 100, rateSizes);
  const speedup = r100.floorMs / r100.ms;
  report.say(
    `rate limit 100/2s: ${r100.requests} requests (${r100.rejected} answered 429) in ${secs(r100.ms)}; ` +
    `a fixed 20/2s budget allows ${secs(r100.floorMs)}; ${speedup.toFixed(2)}x faster`,
  );
  report.target(`rate-limited sync ≤ 1.1× its floor (${ratio20.toFixed(2)})`, ratio20 <= 1.1);
  report.target(`100/2s ≥ 4× faster than a fixed 20/2s budget (${speedup.toFixed(2)}x)`, speedup >= 4);
  report.md(
    '## Rate limits',
    '',
    `A full refresh of ${Object.entries(rateSizes).map(([k, v]) => `${int(v)} ${k}`).join(', ')} with 3 workers ` +
      '(wall time of the whole CLI run, start-up included; requests counted from the emulator\'s log).',
    '',
    '| burst limit | requests | 429s | time | reference | ratio |',
    '|---|---:|---:|---:|---:|---:|',
    `| 20 per 2 s | ${r20.requests} | ${r20.rejected} | ${secs(r20.ms)} | floor (requests ÷ 10/s) ${secs(r20.floorMs)} | ${ratio20.toFixed(2)}× the floor |`,
    `| 100 per 2 s | ${r100.requests} | ${r100.rejected} | ${secs(r100.ms)} | fixed 20/2s budget ${secs(r100.floorMs)} | ${speedup.toFixed(2)}× faster |`,
    '',
  );
}
