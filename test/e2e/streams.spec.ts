/**
 * `read --streams` against the emulator, compared with what it replaces: discover, then the configured-catalog recipe
 * of docs/recipes.md (run as printed), then `read --catalog`. The configured catalogs agree but for the custom field
 * types of the schemas, and the reads deliver the same records and states, custom fields renamed and labelled alike.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestEmulator, type Emulator } from '../helpers/emulator.js';
import { runShell } from '../helpers/shell.js';
import { recipes } from '../helpers/recipes.js';
import { allStreams } from '../../streams/index.js';
import { configuredCatalog } from '../../src/selection.js';
import { binPath, ofType, runCli, type CliResult } from '../helpers/cli.js';

type Rec = Record<string, unknown>;
interface Configured { stream: Rec & { name: string; json_schema: { properties: Rec } }; sync_mode: string; destination_sync_mode: string }

const SIZES = { deals: 120, persons: 90, organizations: 40, activities: 80, notes: 60, leads: 30, files: 20, call_logs: 20, mail_threads: 15, tasks: 20, products: 15 };
let emu: Emulator;
let dir: string;
let bin: string;

beforeAll(async () => {
  emu = await startTestEmulator({ seed: 5, sizes: SIZES });
  dir = mkdtempSync(join(tmpdir(), 'spd-streams-'));
  bin = mkdtempSync(join(tmpdir(), 'spd-bin-'));
  writeFileSync(join(bin, 'source-pipedrive'), `#!/bin/sh\nexec "${process.execPath}" "${binPath}" "$@"\n`);
  chmodSync(join(bin, 'source-pipedrive'), 0o755);
  writeFileSync(join(dir, 'config.json'), JSON.stringify(emu.config({ custom_field_names: 'name', resolve_option_labels: true, num_workers: 4 })));
});
afterAll(async () => {
  await emu?.close();
  for (const d of [dir, bin]) if (d) rmSync(d, { recursive: true, force: true });
});

/** The configured-catalog recipe of docs/recipes.md, optionally with its documented `select` for some streams. */
function recipe(select?: string): string {
  const script = recipes().get('configured-catalog');
  if (script === undefined) throw new Error('docs/recipes.md has no configured-catalog recipe');
  return select === undefined ? script : script.replace('.catalog.streams[]', `.catalog.streams[] ${select}`);
}

/** Runs the recipe with bash (asynchronously: the emulator answers from this process). */
async function runRecipe(script: string): Promise<Configured[]> {
  const r = await runShell(script, { cwd: dir, bashArgs: ['-e', '-o', 'pipefail'], env: { ...process.env, PATH: `${bin}:${process.env['PATH'] ?? ''}` } });
  if (r.code !== 0) throw new Error(`the recipe failed: ${r.stderr}`);
  return (JSON.parse(readFileSync(join(dir, 'configured.json'), 'utf8')) as { streams: Configured[] }).streams;
}

/** The messages of each stream in order, without their emit times (records and states; statuses have times only). */
function byStream(r: CliResult): Map<string, string[]> {
  const m = new Map<string, string[]>();
  const add = (s: string, v: unknown) => (m.get(s) ?? (m.set(s, []), m.get(s) as string[])).push(JSON.stringify(v));
  for (const msg of r.messages) {
    if (msg.type === 'RECORD') {
      const rec = msg['record'] as { stream: string; data: Rec };
      add(rec.stream, rec.data);
    } else if (msg.type === 'STATE') {
      const st = msg['state'] as { stream: { stream_descriptor: { name: string } } };
      add(st.stream.stream_descriptor.name, st);
    }
  }
  return m;
}

const withoutSchema = (c: Configured) => ({ ...c, stream: { ...c.stream, json_schema: undefined } });

describe('read --streams', () => {
  it('builds the configured catalog the discover → jq recipe makes, but for the custom field types', async () => {
    const jq = spawnSync('jq', ['--version']);
    if (jq.status !== 0) throw new Error('jq is not installed (.ci/run installs it)');
    const byRecipe = await runRecipe(recipe());
    const built = configuredCatalog('all').streams as unknown as Configured[];
    expect(built.map(withoutSchema)).toEqual(byRecipe.map(withoutSchema));
    let typed = 0;
    for (const [i, mine] of built.entries()) {
      const theirs = byRecipe[i] as Configured;
      // Every property of the static schema is in the discovered one; discover adds the typed custom fields.
      for (const key of Object.keys(mine.stream.json_schema.properties)) expect(theirs.stream.json_schema.properties, `${mine.stream.name}.${key}`).toHaveProperty([key]);
      if (JSON.stringify(theirs.stream.json_schema) !== JSON.stringify(mine.stream.json_schema)) typed++;
    }
    expect(typed).toBeGreaterThan(0);

    const some = await runRecipe(recipe('| select(.name == "deals" or .name == "persons")'));
    expect((configuredCatalog(['persons,deals']).streams as unknown as Configured[]).map(withoutSchema)).toEqual(some.map(withoutSchema));
  });

  it("--streams all reads what --catalog with the recipe's catalog reads: the same records (custom fields by name, labelled) and states", async () => {
    await runRecipe(recipe());
    const config = join(dir, 'config.json');
    const viaCatalog = await runCli(['read', '--config', config, '--catalog', join(dir, 'configured.json')], { timeoutMs: 180_000 });
    const viaStreams = await runCli(['read', '--config', config, '--streams', 'all'], { timeoutMs: 180_000 });
    expect(viaCatalog.code, viaCatalog.stderr.slice(-1000)).toBe(0);
    expect(viaStreams.code, viaStreams.stderr.slice(-1000)).toBe(0);
    const a = byStream(viaCatalog);
    const b = byStream(viaStreams);
    expect([...b.keys()].sort()).toEqual(allStreams.map((d) => d.name));
    for (const def of allStreams) expect(b.get(def.name), def.name).toEqual(a.get(def.name));
    // The records really are renamed: a deal's custom fields have snake_case names, not 40-hex keys.
    const deal = ofType(viaStreams.messages, 'RECORD').map((m) => m['record'] as { stream: string; data: { custom_fields?: Rec } }).find((r) => r.stream === 'deals' && r.data.custom_fields);
    expect(Object.keys(deal?.data.custom_fields ?? {}).some((k) => /^[0-9a-f]{40}$/.test(k))).toBe(false);
  }, 240_000);

  it('--full-refresh reads every named stream in full refresh: no cursor in the states', async () => {
    const r = await runCli(['read', '--config', join(dir, 'config.json'), '--streams', 'deals,notes', '--full-refresh']);
    expect(r.code).toBe(0);
    const states = ofType(r.messages, 'STATE').map((m) => (m['state'] as { stream: { stream_descriptor: { name: string }; stream_state: Rec } }).stream);
    expect(new Set(states.map((s) => s.stream_descriptor.name))).toEqual(new Set(['deals', 'notes']));
    // No cursor: only the final STATE carries what the stream spent (the next run's cost preview).
    for (const s of states) expect(Object.keys(s.stream_state).filter((k) => k !== 'tokens_spent')).toEqual([]);
    expect(states.filter((s) => typeof s.stream_state['tokens_spent'] === 'number').map((s) => s.stream_descriptor.name).sort()).toEqual(['deals', 'notes']);
  });

  it('--catalog wins over --streams, with a WARN saying so', async () => {
    await runRecipe(recipe('| select(.name == "currencies")'));
    const r = await runCli(['read', '--config', join(dir, 'config.json'), '--catalog', join(dir, 'configured.json'), '--streams', 'deals', '--full-refresh']);
    expect(r.code).toBe(0);
    expect(new Set(ofType(r.messages, 'RECORD').map((m) => (m['record'] as { stream: string }).stream))).toEqual(new Set(['currencies']));
    const warn = ofType(r.messages, 'LOG').map((m) => m['log'] as { level: string; message: string }).find((l) => l.level === 'WARN');
    expect(warn?.message).toBe('Both --catalog and --streams are given: the streams of --catalog are read; --streams and --full-refresh are ignored');
  });

  it('an unknown stream is a config_error listing the valid names; no request is made', async () => {
    emu.resetLog();
    const r = await runCli(['read', '--config', join(dir, 'config.json'), '--streams', 'deals,organisations']);
    expect(r.code).toBe(1);
    const error = (ofType(r.messages, 'TRACE')[0]?.['trace'] as { error: { failure_type: string; message: string } }).error;
    expect(error.failure_type).toBe('config_error');
    expect(error.message).toMatch(/^--streams: unknown stream 'organisations'\. Did you mean 'organizations'\? Known streams: activities, /);
    for (const def of allStreams) expect(error.message).toContain(def.name);
    expect(emu.requests).toHaveLength(0);
  });

  it('neither --catalog nor --streams, or --full-refresh alone, is a usage error (config_error, exit 1)', async () => {
    const none = await runCli(['read', '--config', join(dir, 'config.json')]);
    expect(none.code).toBe(1);
    expect((none.messages[0]?.['trace'] as { error: { message: string } }).error.message).toContain('Give the streams to read: --catalog FILE, or --streams NAMES');
    const alone = await runCli(['read', '--config', join(dir, 'config.json'), '--catalog', join(dir, 'configured.json'), '--full-refresh']);
    expect(alone.code).toBe(1);
    expect((alone.messages[0]?.['trace'] as { error: { failure_type: string; message: string } }).error).toMatchObject({ failure_type: 'config_error', message: expect.stringContaining('full-refresh -> streams') as unknown });
  });

  it('--help says what --streams, --state-file and --update-config do', async () => {
    const h = await runCli(['read', '--help'], { validate: false });
    expect(h.code).toBe(0);
    const text = h.stdout.replace(/\s+/g, ' ');
    expect(text).toContain("--streams Stream names, comma-separated (deals,persons), or 'all'");
    expect(text).toContain("read never uses the catalog's json_schema");
    expect(text).toContain('--state-file');
    expect(text).toContain('FILE.lock');
    expect(text).toContain('--update-config');
  });
});
