/**
 * Cheap fan-out, proven by the emulator's request log: batched children (100 deal ids per request)
 * and, incrementally, only the parents changed since the state.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempFiles, ofType, type CliResult } from '../helpers/cli.js';
import { startTestEmulator, type Emulator } from '../helpers/emulator.js';

let emu: Emulator;
const DEALS = 2500;
const catalog = (names: string[]) => ({
  streams: names.map((name) => {
    const inc = name !== 'deal_installments';
    return { stream: { name, json_schema: {}, supported_sync_modes: inc ? ['full_refresh', 'incremental'] : ['full_refresh'] }, sync_mode: inc ? 'incremental' : 'full_refresh', destination_sync_mode: 'append' };
  }),
});
const lastStates = (r: CliResult) => {
  const m = new Map<string, unknown>();
  for (const s of ofType(r.messages, 'STATE')) m.set((s['state'] as { stream: { stream_descriptor: { name: string } } }).stream.stream_descriptor.name, s['state']);
  return [...m.values()];
};
const count = (path: RegExp) => emu.requests.filter((q) => path.test(q.path)).length;

beforeAll(async () => { emu = await startTestEmulator({ seed: 21, sizes: { deals: DEALS } }); });
afterAll(async () => { await emu?.close(); });

describe('fan-out request counts', () => {
  it('deal_products and deal_installments: 100 deals per request instead of one per deal; deal_flow only for changed deals', async () => {
    const f = tempFiles({ 'c.json': emu.config({ num_workers: 1 }), 'cat.json': catalog(['deal_products', 'deal_installments', 'deal_flow']) });
    emu.resetLog();
    const full = await runCli(['read', '--config', f['c.json'] as string, '--catalog', f['cat.json'] as string]);
    expect(full.code, full.stderr.slice(-1000)).toBe(0);
    const parents = [...emu.groundTruth('deals')].length;
    const productReqs = count(/\/deals\/products$/);
    const installmentReqs = count(/\/deals\/installments$/);
    const flowReqs = count(/\/deals\/\d+\/flow$/);
    const report = `deals ${parents}: deal_products ${productReqs} requests, deal_installments ${installmentReqs} (one per deal: ${parents} each); deal_flow ${flowReqs}`;
    process.stderr.write(`${report}\n`);
    expect(productReqs).toBeLessThanOrEqual(Math.ceil(parents / 100) + 2);
    expect(installmentReqs).toBeLessThanOrEqual(Math.ceil(parents / 100) + 2);
    expect(productReqs * 20).toBeLessThan(parents);
    expect(flowReqs).toBeGreaterThanOrEqual(parents);

    // Incremental: change 30 deals; the substreams ask only for those.
    emu.mutate({ touch: { deals: 30 } });
    emu.resetLog();
    const s = tempFiles({ 's.json': lastStates(full) });
    const inc = await runCli(['read', '--config', f['c.json'] as string, '--catalog', f['cat.json'] as string, '--state', s['s.json'] as string]);
    expect(inc.code, inc.stderr.slice(-1000)).toBe(0);
    const incProducts = count(/\/deals\/products$/);
    // deal_installments is full refresh only: it reads every deal again, in batches of 100.
    expect(count(/\/deals\/installments$/)).toBe(installmentReqs);
    const incFlow = count(/\/deals\/\d+\/flow$/);
    const dealPages = emu.requests.filter((q) => q.path === '/api/v2/deals');
    process.stderr.write(`incremental after 30 changed deals: deal_products ${incProducts} requests, deal_flow ${incFlow}, parent pages ${dealPages.length}\n`);
    // deal_products and deal_flow each read one page of changed deals; only the full-refresh
    // deal_installments pages through every deal.
    expect(dealPages.filter((q) => q.query['updated_since'] !== undefined)).toHaveLength(2);
    expect(dealPages.filter((q) => q.query['updated_since'] === undefined)).toHaveLength(Math.ceil(parents / 500));
    expect(incProducts).toBeLessThanOrEqual(3);
    // 30 touched deals plus those sharing the boundary second of the state.
    expect(incFlow).toBeGreaterThanOrEqual(30);
    expect(incFlow).toBeLessThan(60);
  }, 60_000);
});
