/**
 * Tokens against Airbyte on the same account (issue 13 item 5): the emulator's default account (default sizes),
 * a full read of every stream and then an incremental read after the demo's changes (`scripts/demo-changes.ts`),
 * for this connector (the CLI, every request and its token cost from the emulator's request log, attributed to
 * streams by bench/attribution.ts) and for Airbyte source-pipedrive 4.0.0's request pattern replayed on the same
 * data (bench/airbyte.ts, which states its rules and where they come from). Both use incremental sync where the
 * stream offers it (the demo's catalog), full refresh elsewhere.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulator } from '../emulator/server.js';
import { allStreams } from '../streams/index.js';
import { DEMO_CHANGES } from '../scripts/demo-changes.js';
import { AIRBYTE_CHILDREN, AIRBYTE_LISTS, AirbyteSync, type Counts } from './airbyte.js';
import { attribute, disjointOrder, type Attribution } from './attribution.js';
import { bin, configuredCatalog, int, runNode, secs, type BenchContext } from './child.js';

interface Use { requests: number; tokens: number }
const ZERO: Use = { requests: 0, tokens: 0 };
const sum = (uses: Iterable<Use>): Use => {
  let requests = 0;
  let tokens = 0;
  for (const u of uses) { requests += u.requests; tokens += u.tokens; }
  return { requests, tokens };
};

/** The connector's own summary line: `Read finished: N requests; API tokens spent per stream: a=1, b=2`. */
function connectorCount(stderr: string): Use | undefined {
  const m = /Read finished: (\d+) requests; API tokens spent per stream: (.*)$/m.exec(stderr);
  if (!m) return undefined;
  const tokens = (m[2] ?? '').split(', ').reduce((t, kv) => t + (Number(kv.split('=')[1]) || 0), 0);
  return { requests: Number(m[1]), tokens };
}

function lastStates(file: string): unknown[] {
  const states = new Map<string, unknown>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.startsWith('{"type":"STATE"')) continue;
    const m = JSON.parse(line) as { state: { stream: { stream_descriptor: { name: string } } } };
    states.set(m.state.stream.stream_descriptor.name, m.state);
  }
  return [...states.values()];
}

export async function tokensAgainstAirbyte(ctx: BenchContext): Promise<void> {
  const { report, scratch } = ctx;
  // --small: fewer deals and mail threads (fewer fan-out requests), so that the smoke run stays quick.
  const sizes = ctx.small ? { deals: 60, mail_threads: 20 } : {};
  const emu = await startEmulator({ seed: 1, sizes });
  try {
    const order = disjointOrder(allStreams);
    const config = join(scratch, 'config-tokens.json');
    const catalog = join(scratch, 'catalog-tokens.json');
    const stateFile = join(scratch, 'state-tokens.json');
    const fullOut = join(scratch, 'full-tokens.jsonl');
    // One stream at a time, so that the request log can be attributed to streams.
    writeFileSync(config, JSON.stringify(emu.config({ ...ctx.connectorConfig, num_workers: 1 })));
    const incrementalCapable = (d: (typeof allStreams)[number]): boolean => d.incremental !== 'none' && d.cursorField !== undefined;
    writeFileSync(catalog, JSON.stringify(configuredCatalog(order.map((d) => ({ name: d.name, incremental: incrementalCapable(d) && d.cursorField ? [d.cursorField] : undefined })))));

    const read = async (what: string, extra: string[], stdoutFile: string): Promise<{ attribution: Attribution; ms: number; own: Use | undefined; logged: Use }> => {
      emu.resetLog();
      const run = await runNode([bin, 'read', '--config', config, '--catalog', catalog, ...extra], scratch, { stdoutFile });
      if (run.code !== 0) throw new Error(`${what} exited with ${run.code}: ${run.stderr.slice(-2000)}`);
      const log = [...emu.requests];
      return { attribution: attribute(order, log), ms: run.ms, own: connectorCount(run.stderr), logged: { requests: log.length, tokens: log.reduce((t, e) => t + e.tokenCost, 0) } };
    };

    const oursFull = await read('full read', [], fullOut);
    writeFileSync(stateFile, JSON.stringify(lastStates(fullOut)));
    const airbyteFull = new AirbyteSync(emu.url);
    await airbyteFull.run(false);
    emu.mutate(DEMO_CHANGES);
    const oursInc = await read('incremental read', ['--state', stateFile], join(scratch, 'inc-tokens.jsonl'));
    const airbyteInc = new AirbyteSync(emu.url, airbyteFull.states);
    await airbyteInc.run(true);

    // Airbyte's streams by our name (`mailThreads` is our `mail_threads`).
    const airbyteNames = new Map([...AIRBYTE_LISTS, ...AIRBYTE_CHILDREN].map((s) => [s.ours, s.name]));
    const airbyteOf = (counts: Counts, ours: string): Use => counts.get(airbyteNames.get(ours) ?? '') ?? ZERO;
    const oursOf = (a: Attribution, name: string): Use => a.perStream.get(name) ?? ZERO;
    const common = allStreams.map((d) => d.name).filter((n) => airbyteNames.has(n));
    const onlyOurs = allStreams.map((d) => d.name).filter((n) => !airbyteNames.has(n));
    const missing = [...airbyteNames.keys()].filter((n) => !allStreams.some((d) => d.name === n));
    if (missing.length) throw new Error(`Airbyte model names streams this connector lacks: ${missing.join(', ')}`);

    const cell = (u: Use): string => `${int(u.requests)} / ${int(u.tokens)}`;
    const pad = (s: string, n: number): string => s.padEnd(n);
    const account = ctx.small ? `a small account (${JSON.stringify(sizes)}, --small)` : 'the emulator\'s default account';
    report.say(`tokens vs Airbyte source-pipedrive 4.0.0 on ${account} (requests / tokens):`);
    report.say(`  ${pad('stream', 38)} ${pad('full: ours', 16)} ${pad('Airbyte', 16)} ${pad('incremental: ours', 18)} Airbyte`);
    const line = (name: string, label: string, air: boolean): string =>
      `  ${pad(label, 38)} ${pad(cell(oursOf(oursFull.attribution, name)), 16)} ${pad(air ? cell(airbyteOf(airbyteFull.counts, name)) : '–', 16)} ` +
      `${pad(cell(oursOf(oursInc.attribution, name)), 18)} ${air ? cell(airbyteOf(airbyteInc.counts, name)) : '–'}`;
    const label = (n: string): string => (airbyteNames.get(n) !== n ? `${n} (Airbyte: ${airbyteNames.get(n) ?? ''})` : n);
    for (const n of common) report.say(line(n, label(n), true));
    report.say('  only this connector:');
    for (const n of onlyOurs) report.say(line(n, n, false));
    const unFull = oursFull.attribution.unattributed;
    const unInc = oursInc.attribution.unattributed;
    if (unFull.requests + unInc.requests > 0) report.say(`  ${pad('(not attributable)', 38)} ${pad(cell(unFull), 16)} ${pad('–', 16)} ${cell(unInc)}`);

    const totals = (a: Attribution, names: readonly string[]): Use => sum(names.map((n) => oursOf(a, n)));
    const airTotals = (c: Counts): Use => sum(c.values());
    const cf = totals(oursFull.attribution, common);
    const ci = totals(oursInc.attribution, common);
    const af = sum(common.map((n) => airbyteOf(airbyteFull.counts, n)));
    const ai = sum(common.map((n) => airbyteOf(airbyteInc.counts, n)));
    const allF = sum([totals(oursFull.attribution, allStreams.map((d) => d.name)), unFull]);
    const allI = sum([totals(oursInc.attribution, allStreams.map((d) => d.name)), unInc]);
    const ratio = (a: number, b: number): string => (b > 0 ? (a / b).toFixed(2) : '–');
    const summary = (what: string, ours: Use, air: Use): string =>
      `tokens ${what}: ours ${int(ours.requests)} requests ${int(ours.tokens)} tokens | Airbyte ${int(air.requests)} requests ${int(air.tokens)} tokens | ` +
      `ratio tokens ${ratio(ours.tokens, air.tokens)}, requests ${ratio(ours.requests, air.requests)}`;
    report.say(summary(`full read, the ${common.length} streams both offer`, cf, af));
    report.say(summary(`incremental read, the ${common.length} streams both offer`, ci, ai));
    // deal_flow costs both connectors one 40-token request per deal (the API has no batch): what the rest saves.
    const rest = common.filter((n) => n !== 'deal_flow');
    const cfRest = totals(oursFull.attribution, rest);
    const afRest = sum(rest.map((n) => airbyteOf(airbyteFull.counts, n)));
    report.say(summary(`full read, the ${rest.length} streams both offer but deal_flow (one 40-token request per deal for both)`, cfRest, afRest));
    report.say(summary(`full read, every stream (ours ${allStreams.length}, Airbyte ${airbyteNames.size})`, allF, airTotals(airbyteFull.counts)));
    report.say(summary(`incremental read, every stream (ours ${allStreams.length}, Airbyte ${airbyteNames.size})`, allI, airTotals(airbyteInc.counts)));
    const check = (what: string, r: { own: Use | undefined; logged: Use }): string =>
      `${what}: emulator log ${int(r.logged.requests)} requests ${int(r.logged.tokens)} tokens, the connector's own count ` +
      (r.own ? `${int(r.own.requests)} requests ${int(r.own.tokens)} tokens` : 'not printed');
    report.say(`tokens check: ${check('full', oursFull)}; ${check('incremental', oursInc)}; times ${secs(oursFull.ms)} / ${secs(oursInc.ms)}`);
    report.target(`tokens ≤ 0.5× Airbyte 4.0.0, full read, streams both offer (${ratio(cf.tokens, af.tokens)})`, cf.tokens <= 0.5 * af.tokens);
    report.target(`tokens ≤ 0.5× Airbyte 4.0.0, incremental read after the demo's changes, streams both offer (${ratio(ci.tokens, ai.tokens)})`, ci.tokens <= 0.5 * ai.tokens);

    const mdRow = (n: string, air: boolean): string =>
      `| ${label(n)} | ${cell(oursOf(oursFull.attribution, n))} | ${air ? cell(airbyteOf(airbyteFull.counts, n)) : '–'} | ` +
      `${cell(oursOf(oursInc.attribution, n))} | ${air ? cell(airbyteOf(airbyteInc.counts, n)) : '–'} |`;
    report.md(
      '## Tokens against Airbyte 4.0.0',
      '',
      `${ctx.small ? `A small account (seed 1, ${JSON.stringify(sizes)}, --small)` : 'The emulator\'s default account (seed 1, default sizes)'}; a full read of every stream, then the demo's changes ` +
        `(${JSON.stringify(DEMO_CHANGES)}) and an incremental read from the full read's last states. This connector: the CLI with ` +
        '`num_workers: 1`, every request and its token cost from the emulator\'s log, attributed to the stream that sent it (a ' +
        'fan-out stream\'s parent pages count under the fan-out stream). Airbyte source-pipedrive 4.0.0: its request pattern ' +
        'replayed on the same data by `bench/airbyte.ts` (v2 lists 500 per page, v1 lists 50, `deal_products`, `deal_flow` and ' +
        '`mail` one request per parent, `deal_installments` 100 deals per request, `mailThreads` per folder, no server-side ' +
        'incremental for files, filters, users, pipelines, stages; cached parents; see the source for the citations). ' +
        'Cells are requests / tokens.',
      '',
      '| stream | full: ours | full: Airbyte | incremental: ours | incremental: Airbyte |',
      '|---|---:|---:|---:|---:|',
      ...common.map((n) => mdRow(n, true)),
      `| **${common.length} streams both offer** | **${cell(cf)}** | **${cell(af)}** | **${cell(ci)}** | **${cell(ai)}** |`,
      ...onlyOurs.map((n) => mdRow(`${n}`, false)),
      ...(unFull.requests + unInc.requests > 0 ? [`| (not attributable to one stream) | ${cell(unFull)} | – | ${cell(unInc)} | – |`] : []),
      `| **every stream** | **${cell(allF)}** | **${cell(airTotals(airbyteFull.counts))}** | **${cell(allI)}** | **${cell(airTotals(airbyteInc.counts))}** |`,
      '',
      `Ratio of tokens, ours / Airbyte, streams both offer: full read ${ratio(cf.tokens, af.tokens)} (without deal_flow, which costs both one ` +
        `40-token request per deal: ${ratio(cfRest.tokens, afRest.tokens)}), incremental read ${ratio(ci.tokens, ai.tokens)}; ` +
        `every stream: full ${ratio(allF.tokens, airTotals(airbyteFull.counts).tokens)}, incremental ${ratio(allI.tokens, airTotals(airbyteInc.counts).tokens)}.`,
      '',
    );
  } finally {
    await emu.close();
  }
}
