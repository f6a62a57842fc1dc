/**
 * The cost preview (issue 13 item 4) against the emulator: a LOG line before the streams start with the predicted
 * tokens per stream (from the deal count, one-request streams, or unknown), the real spend beside it at the end, the
 * spend recorded in each stream's final STATE, and the next (incremental) run predicting from it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEmulator, type Emulator } from '../helpers/emulator.js';
import { allStreams, supportsIncremental } from '../../streams/index.js';
import { runCli, tempFiles, ofType, type CliResult } from '../helpers/cli.js';

let emu: Emulator;
beforeAll(async () => { emu = await startTestEmulator({ seed: 23, sizes: { deals: 1300, persons: 600 } }); });
afterAll(async () => { await emu?.close(); });

const STREAMS = ['deals', 'deal_flow', 'deal_products', 'currencies', 'persons'];
const catalog = {
  streams: STREAMS.map((name) => {
    const def = allStreams.find((d) => d.name === name);
    const inc = def !== undefined && supportsIncremental(def);
    return { stream: { name, json_schema: {}, supported_sync_modes: ['full_refresh', 'incremental'] }, sync_mode: inc ? 'incremental' : 'full_refresh', destination_sync_mode: 'append' };
  }),
};
const logs = (r: CliResult) => ofType(r.messages, 'LOG').map((m) => (m['log'] as { message: string }).message);
const lastStates = (r: CliResult) => {
  const m = new Map<string, { stream: { stream_descriptor: { name: string }; stream_state: Record<string, unknown> } }>();
  for (const s of ofType(r.messages, 'STATE')) { const st = s['state'] as { stream: { stream_descriptor: { name: string }; stream_state: Record<string, unknown> } }; m.set(st.stream.stream_descriptor.name, st); }
  return m;
};
const predicted = (line: string, stream: string): { tokens?: number; basis?: string } => {
  const m = new RegExp(`(?:^|: |, )${stream} (?:≈ ([\\d,]+) \\(([^)]+)\\)|unknown)`).exec(line);
  if (!m) throw new Error(`${stream} not in ${line}`);
  return m[1] === undefined ? {} : { tokens: Number(m[1].replace(/,/g, '')), basis: m[2] ?? '' };
};
const spentOf = (line: string, stream: string): number => Number(new RegExp(`(?:: |, )${stream} ([\\d,]+) \\(predicted`).exec(line)?.[1]?.replace(/,/g, ''));

async function read(state?: unknown[]): Promise<{ r: CliResult; tokens: number }> {
  emu.resetLog();
  const files = tempFiles({ 'c.json': emu.config({ num_workers: 2 }), 'k.json': catalog, ...(state ? { 's.json': state } : {}) });
  const r = await runCli(['read', '--config', files['c.json'] as string, '--catalog', files['k.json'] as string, ...(state ? ['--state', files['s.json'] as string] : [])], { timeoutMs: 60_000 });
  return { r, tokens: emu.requests.filter((q) => q.status >= 200 && q.status < 300).reduce((a, q) => a + q.tokenCost, 0) };
}

describe('cost preview', () => {
  let first: CliResult;
  it('a full read: predicted tokens per stream before the first record, the real spend beside them at the end', async () => {
    const { r, tokens } = await read();
    first = r;
    expect(r.code, r.stderr.slice(-800)).toBe(0);
    const preview = logs(r).find((l) => l.startsWith('Cost preview, predicted API tokens: '));
    expect(preview).toBeDefined();
    const at = r.messages.findIndex((m) => m.type === 'LOG' && (m['log'] as { message: string }).message === preview);
    expect(at).toBeLessThan(r.messages.findIndex((m) => m.type === 'RECORD'));
    const deals = [...emu.groundTruth('deals')].length;
    expect(predicted(preview as string, 'deals').basis).toMatch(/ records counted$/);
    expect(predicted(preview as string, 'deal_flow').basis).toMatch(/ deals counted$/);
    expect(predicted(preview as string, 'currencies')).toEqual({ tokens: 20, basis: 'one request' });
    expect(predicted(preview as string, 'persons')).toEqual({});
    const spend = logs(r).find((l) => l.startsWith('Cost, API tokens spent: '));
    expect(spend).toBeDefined();
    // The read's total is what the emulator charged.
    expect(Number(/; total ([\d,]+) \(predicted/.exec(spend ?? '')?.[1]?.replace(/,/g, ''))).toBe(tokens);
    // Count-based predictions are close: the summary counts the deals the list returns (the list also holds deleted ones).
    for (const s of ['deals', 'deal_flow', 'deal_products']) {
      const p = predicted(preview as string, s).tokens as number;
      const real = spentOf(spend as string, s);
      expect(Math.abs(p - real) / real, `${s}: predicted ${p}, spent ${real} (${deals} deals)`).toBeLessThan(0.1);
    }
    expect(spentOf(spend as string, 'currencies')).toBe(20);
    // Each final STATE records what its stream spent.
    const states = lastStates(r);
    for (const s of STREAMS) expect(states.get(s)?.stream.stream_state['tokens_spent'], s).toBe(spentOf(spend as string, s));
  });

  it('the next incremental read predicts from the spend the states carry, and says how', async () => {
    emu.mutate({ touch: { deals: 30, persons: 20 } });
    const { r } = await read([...lastStates(first).values()]);
    expect(r.code, r.stderr.slice(-800)).toBe(0);
    const preview = logs(r).find((l) => l.startsWith('Cost preview, predicted API tokens: ')) as string;
    const before = lastStates(first);
    for (const s of ['deals', 'deal_flow', 'deal_products', 'persons']) {
      expect(predicted(preview, s), s).toEqual({ tokens: before.get(s)?.stream.stream_state['tokens_spent'], basis: 'last run' });
    }
    expect(predicted(preview, 'currencies')).toEqual({ tokens: 20, basis: 'one request' });
  });
});
