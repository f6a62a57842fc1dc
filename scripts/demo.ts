/**
 * `npm run demo`: a full sync against the bundled Pipedrive emulator, then an incremental one after
 * some changes. Runs the real CLI (bin/source-pipedrive.js) as a child process, writes its Airbyte
 * messages to `.demo/`, and prints a short human summary on stderr.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '../emulator/server.js';
import { DEMO_CHANGES } from './demo-changes.js';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const outDir = join(root, '.demo');
const bin = join(root, 'bin/source-pipedrive.js');
const say = (line: string): void => { process.stderr.write(`${line}\n`); };

interface RunSummary { code: number | null; ms: number; lines: number }

function runCli(args: string[], outFile: string): Promise<RunSummary> {
  const started = Date.now();
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [bin, ...args, '--quiet'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const out = createWriteStream(outFile);
    let lines = 0;
    child.stdout.on('data', (chunk: Buffer) => { for (const b of chunk) if (b === 10) lines++; });
    child.stdout.pipe(out);
    child.on('error', fail);
    child.on('close', (code) => out.end(() => done({ code, ms: Date.now() - started, lines })));
  });
}

type Message = { type: string; record?: { stream: string }; state?: { stream: { stream_descriptor: { name: string }; stream_state: unknown } }; catalog?: { streams: Array<{ name: string; supported_sync_modes: string[]; default_cursor_field?: string[] }> }; trace?: { type: string; error?: { message: string } } };

function readMessages(file: string): Message[] {
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Message);
}

function perStream(messages: Message[]): Map<string, { records: number; states: number }> {
  const m = new Map<string, { records: number; states: number }>();
  const row = (s: string) => m.get(s) ?? (m.set(s, { records: 0, states: 0 }), m.get(s) as { records: number; states: number });
  for (const msg of messages) {
    if (msg.type === 'RECORD' && msg.record) row(msg.record.stream).records++;
    if (msg.type === 'STATE' && msg.state) row(msg.state.stream.stream_descriptor.name).states++;
  }
  return m;
}

async function main(): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  const t0 = Date.now();
  const emulator = await startEmulator({ seed: 7, sizes: { deals: 3000, persons: 1500, organizations: 600, activities: 2000, notes: 1200, products: 200, leads: 400 } });
  try {
    say(`Pipedrive emulator at ${emulator.url}`);
    const configFile = join(outDir, 'config.json');
    writeFileSync(configFile, JSON.stringify(emulator.config({ num_workers: 4 }), null, 2));

    const discover = await runCli(['discover', '--config', configFile], join(outDir, 'discover.jsonl'));
    const catalogMsg = readMessages(join(outDir, 'discover.jsonl')).find((m) => m.type === 'CATALOG');
    if (discover.code !== 0 || !catalogMsg?.catalog) throw new Error(`discover failed (exit ${discover.code})`);
    const configured = {
      streams: catalogMsg.catalog.streams.map((s) => {
        const incremental = s.supported_sync_modes.includes('incremental');
        return {
          stream: s,
          sync_mode: incremental ? 'incremental' : 'full_refresh',
          destination_sync_mode: incremental ? 'append_dedup' : 'overwrite',
          ...(incremental && s.default_cursor_field ? { cursor_field: s.default_cursor_field } : {}),
        };
      }),
    };
    const catalogFile = join(outDir, 'catalog.json');
    writeFileSync(catalogFile, JSON.stringify(configured, null, 2));
    say(`discover: ${configured.streams.length} streams (${discover.ms} ms)`);

    emulator.resetLog();
    const fullFile = join(outDir, 'full.jsonl');
    const full = await runCli(['read', '--config', configFile, '--catalog', catalogFile], fullFile);
    const fullRequests = emulator.requests.length;
    const fullMessages = readMessages(fullFile);
    const fullStats = perStream(fullMessages);

    const changes = emulator.mutate(DEMO_CHANGES);
    const lastStates = new Map<string, unknown>();
    for (const m of fullMessages) if (m.type === 'STATE' && m.state) lastStates.set(m.state.stream.stream_descriptor.name, m.state);
    const stateFile = join(outDir, 'state.json');
    writeFileSync(stateFile, JSON.stringify([...lastStates.values()], null, 2));

    emulator.resetLog();
    const incFile = join(outDir, 'incremental.jsonl');
    const inc = await runCli(['read', '--config', configFile, '--catalog', catalogFile, '--state', stateFile], incFile);
    const incRequests = emulator.requests.length;
    const incMessages = readMessages(incFile);
    const incStats = perStream(incMessages);

    say('');
    say(`${'stream'.padEnd(28)} ${'full: records'.padStart(14)} ${'states'.padStart(7)}   ${'incremental: records'.padStart(21)} ${'states'.padStart(7)}`);
    for (const s of configured.streams) {
      const name = s.stream.name;
      const f = fullStats.get(name) ?? { records: 0, states: 0 };
      const i = incStats.get(name) ?? { records: 0, states: 0 };
      say(`${name.padEnd(28)} ${String(f.records).padStart(14)} ${String(f.states).padStart(7)}   ${String(i.records).padStart(21)} ${String(i.states).padStart(7)}`);
    }
    const total = (m: Map<string, { records: number }>) => [...m.values()].reduce((a, b) => a + b.records, 0);
    const changed = Object.entries(changes.touched).map(([k, v]) => `${v.length} ${k}`).join(', ');
    say('');
    say(`full read:        ${total(fullStats)} records, ${fullRequests} requests, ${full.ms} ms, exit ${full.code}`);
    say(`changes:          touched ${changed}; added ${Object.entries(changes.added).map(([k, v]) => `${v.length} ${k}`).join(', ')}; deleted ${Object.entries(changes.deleted).map(([k, v]) => `${v.length} ${k}`).join(', ')}`);
    say(`incremental read: ${total(incStats)} records, ${incRequests} requests, ${inc.ms} ms, exit ${inc.code}`);
    const errors = [...fullMessages, ...incMessages].filter((m) => m.type === 'TRACE' && m.trace?.type === 'ERROR');
    for (const e of errors) say(`error: ${e.trace?.error?.message ?? ''}`);
    say(`messages: ${outDir}/full.jsonl, ${outDir}/incremental.jsonl (try: jq -c 'select(.type=="STATE")' .demo/incremental.jsonl)`);
    say(`total ${Date.now() - t0} ms`);
    if (full.code !== 0 || inc.code !== 0) process.exitCode = 1;
  } finally {
    await emulator.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
