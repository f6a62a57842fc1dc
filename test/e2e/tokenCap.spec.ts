/**
 * The token cap (issue 13 item 3): `max_tokens_per_read` stops a read before a request would take its spend past
 * the cap, like a spent daily budget; a run from the last state then delivers the rest: together exactly the full set.
 * The cap cuts mid-stream (a paged list) and mid-fan-out (deal_flow, deal_products).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEmulator, type Emulator } from '../helpers/emulator.js';
import { allStreams, supportsIncremental } from '../../streams/index.js';
import { runCli, tempFiles, ofType, type CliResult } from '../helpers/cli.js';

type Rec = Record<string, unknown>;
let emu: Emulator;
beforeAll(async () => { emu = await startTestEmulator({ seed: 21, sizes: { deals: 1800, persons: 1200, organizations: 400 } }); });
afterAll(async () => { await emu?.close(); });

const STREAMS = ['currencies', 'deals', 'persons', 'deal_products', 'deal_flow', 'organizations'];
const catalog = {
  streams: STREAMS.map((name) => {
    const def = allStreams.find((d) => d.name === name);
    const inc = def !== undefined && supportsIncremental(def);
    return { stream: { name, json_schema: {}, supported_sync_modes: ['full_refresh', 'incremental'] }, sync_mode: inc ? 'incremental' : 'full_refresh', destination_sync_mode: 'append' };
  }),
};
const pkOf = (stream: string, r: Rec): string => {
  const def = allStreams.find((d) => d.name === stream);
  return JSON.stringify((def?.primaryKey ?? [['id']]).map((path) => path.reduce<unknown>((o, k) => (o as Rec | undefined)?.[k], r)));
};
const lastStates = (r: CliResult) => {
  const m = new Map<string, unknown>();
  for (const s of ofType(r.messages, 'STATE')) m.set((s['state'] as { stream: { stream_descriptor: { name: string } } }).stream.stream_descriptor.name, s['state']);
  return [...m.values()];
};
const errorsOf = (r: CliResult) => ofType(r.messages, 'TRACE').map((m) => m['trace'] as { type: string; error?: { failure_type: string; message: string } }).flatMap((t) => (t.type === 'ERROR' && t.error ? [t.error] : []));
const finalStatus = (r: CliResult, stream: string) => ofType(r.messages, 'TRACE')
  .map((m) => m['trace'] as { type: string; stream_status?: { stream_descriptor: { name: string }; status: string } })
  .filter((t) => t.type === 'STREAM_STATUS' && t.stream_status?.stream_descriptor.name === stream && t.stream_status.status !== 'RUNNING')
  .map((t) => t.stream_status?.status).at(-1);

async function read(config: Record<string, unknown>, state?: unknown[]): Promise<{ r: CliResult; spent: number }> {
  emu.resetLog();
  const files = tempFiles({ 'c.json': emu.config({ num_workers: 2, fanout_concurrency: 4, ...config }), 'k.json': catalog, ...(state ? { 's.json': state } : {}) });
  const r = await runCli(['read', '--config', files['c.json'] as string, '--catalog', files['k.json'] as string, ...(state ? ['--state', files['s.json'] as string] : [])], { timeoutMs: 60_000 });
  const spent = emu.requests.filter((q) => q.status >= 200 && q.status < 300).reduce((a, q) => a + q.tokenCost, 0);
  return { r, spent };
}

describe('max_tokens_per_read', () => {
  let fullSpend = 0;
  it('a read without a cap: the spend to cut into', async () => {
    const { r, spent } = await read({});
    expect(r.code, r.stderr.slice(-800)).toBe(0);
    fullSpend = spent;
    expect(fullSpend).toBeGreaterThan(2000);
  });

  // Cuts: inside the first streams (deals' pages), and inside the fan-outs (deal_products, deal_flow).
  it.each([0.02, 0.15, 0.5, 0.85])('a cap at %f of the full spend stops the read at the cap; a run from the last state completes exactly the full set', async (share) => {
    const cap = Math.max(1, Math.floor(fullSpend * share));
    const first = await read({ max_tokens_per_read: cap });
    expect(first.r.code).toBe(1);
    expect(first.spent, 'the emulator saw no more than the cap').toBeLessThanOrEqual(cap);
    const errors = errorsOf(first.r);
    expect(errors, JSON.stringify(errors)).toHaveLength(1);
    expect(errors[0]?.failure_type).toBe('transient_error');
    expect(errors[0]?.message).toMatch(new RegExp(`^The read stopped before going past max_tokens_per_read \\(${cap.toLocaleString('en-US')} API tokens\\): it spent [\\d,]+ tokens on [\\d,]+ requests \\(those still answering included\\), .*Run the sync again: it continues from the last state$`));
    // The message counts what was spent when the cap refused a request (the requests still answering included): no
    // more than the cap. Other streams may still send a smaller request that fits, before the stop reaches them.
    const spentInMessage = Number(/it spent ([\d,]+) tokens/.exec(errors[0]?.message ?? '')?.[1]?.replace(/,/g, ''));
    expect(spentInMessage).toBeLessThanOrEqual(cap);
    expect(spentInMessage).toBeGreaterThan(cap - 50);
    // Every stream of the catalog hands back a STATE; those that did not finish are INCOMPLETE.
    expect(lastStates(first.r)).toHaveLength(STREAMS.length);
    expect(STREAMS.some((s) => finalStatus(first.r, s) === 'INCOMPLETE')).toBe(true);
    for (const s of STREAMS) expect(['COMPLETE', 'INCOMPLETE'], s).toContain(finalStatus(first.r, s));

    const second = await read({}, lastStates(first.r));
    expect(second.r.code, second.r.stderr.slice(-800)).toBe(0);
    for (const s of STREAMS) {
      const keys = new Set([first.r, second.r].flatMap((res) => ofType(res.messages, 'RECORD').map((m) => m['record'] as { stream: string; data: Rec }).filter((x) => x.stream === s).map((x) => pkOf(s, x.data))));
      expect(keys, s).toEqual(new Set([...emu.groundTruth(s)].map((x) => pkOf(s, x))));
    }
  });
});
