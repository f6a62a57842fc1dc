/**
 * The PostgreSQL recipes of docs/recipes.md (`postgres`, `postgres-state`), run exactly as printed against a real
 * server started for this file: a full sync of the emulator (every stream) is loaded, an incremental sync from the
 * state the load saved is loaded on top after changes and deletes, and every table is compared with the emulator's
 * ground truth row by row. Hand-made syncs then check the ordering rules (newest cursor wins, deletes before or after
 * the row, in one load and across loads, snapshots of full-refresh streams, state merging).
 *
 * Skips only where PostgreSQL is not installed (.ci/run installs Debian's postgresql package).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { startEmulator, type Emulator } from '../../emulator/server.js';
import { allStreams, streamByName } from '../../streams/index.js';
import { deleteMarker, CDC_DELETED_AT } from '../../src/deletes.js';
import { toIsoCursor } from '../../src/cursor.js';
import type { JsonObject } from '../../src/protocol.js';
import { runCli, ofType, type CliResult } from '../helpers/cli.js';
import { assertValidMessage } from '../helpers/protocol.js';
import { findPostgresBin, startPostgres, type PostgresServer } from '../helpers/postgres.js';
import { recipes, runSnippet } from '../helpers/recipes.js';
import { CHANGELOGS, expectedChangelog, type ChangelogStream } from '../helpers/history.js';

const bin = findPostgresBin();
const NO_PG = 'PostgreSQL is not installed (no initdb on PATH or in /usr/lib/postgresql/*/bin): the PostgreSQL recipes '
  + 'of docs/recipes.md were not run (.ci/run installs it; apt-get install postgresql)';
if (bin === undefined) process.stderr.write(`[postgres.spec] ${NO_PG}\n`);

type Rec = Record<string, unknown>;
const book = recipes();
const temps: string[] = [];
let pg: PostgresServer | undefined;
let emu: Emulator | undefined;
let catalogText = '';
let catalogStreams: Array<{ supported_sync_modes: string[] }> = [];

function workdir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'spd-pgload-'));
  temps.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

function recipe(name: string, dir: string, database: string): string {
  const script = book.get(name);
  if (script === undefined) throw new Error(`docs/recipes.md has no recipe ${name}`);
  if (pg === undefined) throw new Error('no PostgreSQL server');
  return runSnippet(name, script, dir, pg.env(database));
}

beforeAll(async () => {
  if (bin === undefined) return;
  if (spawnSync('jq', ['--version'], { stdio: 'ignore' }).status !== 0) throw new Error('jq is not installed (.ci/run installs it)');
  pg = await startPostgres(bin);
  pg.psql('CREATE DATABASE sync');
  pg.psql('CREATE DATABASE edge');
  emu = await startEmulator({ seed: 11 });
  const dir = workdir({ 'config.json': JSON.stringify(emu.config({ num_workers: 4 })) });
  const discover = await runCli(['discover', '--config', join(dir, 'config.json')]);
  expect(discover.code, discover.stderr.slice(-2000)).toBe(0);
  catalogText = discover.stdout;
  catalogStreams = (ofType(discover.messages, 'CATALOG')[0]?.['catalog'] as { streams: typeof catalogStreams }).streams;
}, 60_000);

afterAll(async () => {
  try {
    await emu?.close();
  } finally {
    pg?.stop();
    for (const dir of temps) rmSync(dir, { recursive: true, force: true });
  }
});

// ---------------------------------------------------------------------------------------------------------------
// Full and incremental sync of the emulator

/** The configured catalog of the configured-catalog recipe: every stream, incremental where supported. */
function configuredCatalog(): unknown {
  return {
    streams: catalogStreams.map((s) => ({
      stream: s,
      sync_mode: s.supported_sync_modes.includes('incremental') ? 'incremental' : 'full_refresh',
      destination_sync_mode: 'append',
    })),
  };
}

/** The key of a record as the tables store it: the stream's primary key as the catalog declares it. */
const keyOf = (stream: string, r: Rec): string =>
  JSON.stringify((streamByName(stream)?.primaryKey ?? []).map((path) => path.reduce<unknown>((o, k) => (o as Rec | undefined)?.[k], r) ?? null));

type Truth = Map<string, Rec[]>;
interface Expected { rows: Map<string, Map<string, Rec>>; tombstones: Set<string>; unseen: number }

/** The emulator's ground truth of every stream, now (change logs with the change_seq the connector adds). */
const groundTruth = (): Truth => new Map(allStreams.map((d) => [d.name, d.name in CHANGELOGS ? expectedChangelog(emu as Emulator, d.name as ChangelogStream) : [...(emu as Emulator).groundTruth(d.name)]]));
/**
 * The syncs' config. The ground truth holds v2 records as the lists send them without `include_fields`, so the syncs
 * here leave those fields out (test/e2e/history.spec.ts checks them).
 */
const syncConfig = (e: Emulator): string => JSON.stringify(e.config({ num_workers: 4, include_v1_fields: false }));

/**
 * What the tables must hold: every ground-truth record the connector does not mark deleted, exactly as the emulator
 * serves it (the connector adds nothing else to it); the records it marks deleted (`_ab_cdc_deleted_at`: deleted
 * deals, which Pipedrive keeps listing with `is_deleted: true`) are not in the tables but in `pipedrive._deleted`.
 *
 * After an incremental sync (`before`: the ground truth of the previous sync and the cursors of its state), a record
 * whose cursor is older than the state cannot be in the sync: where it changed anyway (a mail thread's
 * `deal_status` follows its deal, deleted meanwhile, without a new `update_time`), the table keeps the version of
 * the previous sync. `unseen` counts those records.
 */
function expected(now: Truth, before?: { truth: Truth; cursors: Map<string, string> }): Expected {
  const rows = new Map<string, Map<string, Rec>>();
  const tombstones = new Set<string>();
  let unseen = 0;
  for (const def of allStreams) {
    const mark = deleteMarker(def, () => 0);
    const since = def.cursorField === undefined ? undefined : before?.cursors.get(def.name);
    const visible = new Map<string, Rec>();
    for (const r of now.get(def.name) ?? []) visible.set(keyOf(def.name, r), r);
    const versions = new Map(visible);
    if (since !== undefined) {
      const old = new Map((before?.truth.get(def.name) ?? []).map((r) => [keyOf(def.name, r), r]));
      for (const [key, r] of visible) {
        if ((toIsoCursor(r[def.cursorField as string]) ?? '') >= since) continue;
        const prev = old.get(key);
        if (prev === undefined) versions.delete(key);
        else versions.set(key, prev);
        if (!isDeepStrictEqual(prev, r)) unseen++;
      }
      for (const [key, r] of old) if (!visible.has(key)) versions.set(key, r);
    }
    const table = new Map<string, Rec>();
    for (const [key, r] of versions) {
      const [marked] = mark([structuredClone(r) as JsonObject]);
      if (marked?.[CDC_DELETED_AT] != null) tombstones.add(`${def.name} ${key}`);
      else table.set(key, r);
    }
    rows.set(def.name, table);
  }
  return { rows, tombstones, unseen };
}

/** The rows of every pipedrive.<stream> table (by the table each row is stored in), the tombstones and the state. */
function loaded(database: string): { rows: Map<string, Map<string, Rec>>; tables: string[]; tombstones: Set<string>; state: unknown[] } {
  const db = pg as PostgresServer;
  const rows = new Map<string, Map<string, Rec>>();
  const tables = db.psql("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'pipedrive' AND c.relispartition AND c.relkind = 'r' ORDER BY 1", database)
    .split('\n').filter((l) => l !== '');
  for (const t of tables) rows.set(t, new Map());
  const out = db.psql("SELECT json_build_object('t', tableoid::regclass::text, 'pk', pk, 'doc', doc) FROM pipedrive._records", database);
  for (const line of out.split('\n')) {
    if (line === '') continue;
    const { t, pk, doc } = JSON.parse(line) as { t: string; pk: unknown; doc: Rec };
    const table = rows.get(t.replace(/^pipedrive\./, ''));
    if (table === undefined) throw new Error(`row in ${t}, which is not a table of the schema pipedrive`);
    table.set(JSON.stringify(pk), doc);
  }
  const tombstones = new Set(db.psql("SELECT stream || ' ' || pk::text FROM pipedrive._deleted", database).split('\n').filter((l) => l !== '')
    .map((l) => { const i = l.indexOf(' '); return `${l.slice(0, i)} ${JSON.stringify(JSON.parse(l.slice(i + 1)))}`; }));
  const state = JSON.parse(db.psql('SELECT coalesce(json_agg(state ORDER BY stream), \'[]\') FROM pipedrive._state', database)) as unknown[];
  return { rows, tables, tombstones, state };
}

/** Compares the loaded tables with the ground truth row by row; returns the number of rows compared. */
function compareWithGroundTruth(database: string, want: Expected): { tables: number; rows: number } {
  const got = loaded(database);
  expect(got.tables).toEqual(allStreams.map((d) => d.name).sort());
  const problems: string[] = [];
  let compared = 0;
  for (const [stream, rows] of want.rows) {
    const table = got.rows.get(stream) ?? new Map<string, Rec>();
    for (const [key, truth] of rows) {
      const doc = table.get(key);
      if (doc === undefined) problems.push(`${stream} ${key}: missing`);
      else if (!isDeepStrictEqual(doc, truth)) problems.push(`${stream} ${key}: ${JSON.stringify(doc).slice(0, 200)} ≠ ground truth ${JSON.stringify(truth).slice(0, 200)}`);
      else compared++;
    }
    for (const key of table.keys()) if (!rows.has(key)) problems.push(`${stream} ${key}: not in the ground truth (or deleted there)`);
  }
  expect(problems.slice(0, 20), `${problems.length} rows differ`).toEqual([]);
  expect([...got.tombstones].sort()).toEqual([...want.tombstones].sort());
  return { tables: got.tables.length, rows: compared };
}

/** The last STATE of each stream in a sync, as `pipedrive._state` must hold them. */
function lastStates(...syncs: CliResult[]): unknown[] {
  const last = new Map<string, unknown>();
  for (const sync of syncs) {
    for (const m of ofType(sync.messages, 'STATE')) {
      const s = m['state'] as { stream: { stream_descriptor: { name: string } } };
      last.set(s.stream.stream_descriptor.name, s);
    }
  }
  return [...last.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, s]) => s);
}

const count = (n: number) => n.toLocaleString('en-US');
let full: CliResult | undefined;
let firstTruth: Truth | undefined;

/** The cursor of each stream in the state of a sync (normalised to RFC 3339 by the connector). */
const stateCursors = (sync: CliResult): Map<string, string> => new Map(lastStates(sync).flatMap((s) => {
  const { stream } = s as { stream: { stream_descriptor: { name: string }; stream_state: Record<string, unknown> } };
  const field = allStreams.find((d) => d.name === stream.stream_descriptor.name)?.cursorField;
  const value = field === undefined ? undefined : stream.stream_state[field];
  return typeof value === 'string' ? [[stream.stream_descriptor.name, value] as const] : [];
}));

describe('docs/recipes.md: load a sync of the emulator into PostgreSQL', () => {
  it('full sync of every stream: each table equals the ground truth, loading it twice changes nothing', async (ctx) => {
    ctx.skip(bin === undefined, NO_PG);
    const e = emu as Emulator;
    const dir = workdir({ 'config.json': syncConfig(e), 'configured.json': JSON.stringify(configuredCatalog()), 'catalog.json': catalogText });
    full = await runCli(['read', '--config', join(dir, 'config.json'), '--catalog', join(dir, 'configured.json')]);
    expect(full.code, full.stderr.slice(-2000)).toBe(0);
    writeFileSync(join(dir, 'out.jsonl'), full.stdout);

    firstTruth = groundTruth();
    const want = expected(firstTruth);
    expect(want.tombstones.size, 'the emulator has deleted deals').toBeGreaterThan(0);

    recipe('postgres', dir, 'sync');
    const first = compareWithGroundTruth('sync', want);
    expect(loaded('sync').state).toEqual(lastStates(full));
    recipe('postgres', dir, 'sync');
    expect(compareWithGroundTruth('sync', want)).toEqual(first);
    console.log(`postgres: full sync, ${first.tables} tables, ${count(first.rows)} rows compared with the ground truth`
      + ` (${count(ofType(full.messages, 'RECORD').length)} records loaded)`);
  });

  it('incremental sync from the saved state after changes and deletes: each table equals the new ground truth', async (ctx) => {
    ctx.skip(bin === undefined, NO_PG);
    if (full === undefined || firstTruth === undefined) throw new Error('the full sync did not run');
    const e = emu as Emulator;
    const dir = workdir({ 'config.json': syncConfig(e), 'configured.json': JSON.stringify(configuredCatalog()), 'catalog.json': catalogText });
    recipe('postgres-state', dir, 'sync');
    const saved = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as unknown[];
    expect(saved).toEqual(lastStates(full));

    const changes = e.mutate({
      touch: { deals: 20, persons: 10, organizations: 5, activities: 10, notes: 5, leads: 5, products: 3, users: 2, stages: 1, files: 2, projects: 2, tasks: 3 },
      add: { deals: 6, persons: 3, organizations: 1, leads: 2, notes: 2, activities: 2, call_logs: 2, projects: 1 },
      delete: { deals: 4, call_logs: 2, legacy_teams: 1 },
    });
    const inc = await runCli(['read', '--config', join(dir, 'config.json'), '--catalog', join(dir, 'configured.json'), '--state', join(dir, 'state.json')]);
    expect(inc.code, inc.stderr.slice(-2000)).toBe(0);
    const incRecords = ofType(inc.messages, 'RECORD').length;
    expect(incRecords, 'the state was used').toBeLessThan(ofType(full.messages, 'RECORD').length / 2);
    writeFileSync(join(dir, 'out.jsonl'), inc.stdout);

    recipe('postgres', dir, 'sync');
    const want = expected(groundTruth(), { truth: firstTruth, cursors: stateCursors(full) });
    const result = compareWithGroundTruth('sync', want);
    const got = loaded('sync');
    expect(got.state).toEqual(lastStates(full, inc));
    // Deleted deals: gone from pipedrive.deals, kept as tombstones; hard-deleted call logs gone with the snapshot.
    const deletedDeals = changes.deleted['deals'] ?? [];
    expect(deletedDeals).toHaveLength(4);
    for (const id of deletedDeals) {
      expect(got.rows.get('deals')?.has(JSON.stringify([id])), `deal ${String(id)}`).toBe(false);
      expect(got.tombstones.has(`deals ${JSON.stringify([id])}`), `deal ${String(id)}`).toBe(true);
    }
    for (const id of changes.deleted['call_logs'] ?? []) expect(got.rows.get('call_logs')?.has(JSON.stringify([id]))).toBe(false);
    for (const id of changes.added['deals'] ?? []) expect(got.rows.get('deals')?.has(JSON.stringify([id])), `new deal ${String(id)}`).toBe(true);
    console.log(`postgres: incremental sync, ${result.tables} tables, ${count(result.rows)} rows compared with the ground truth`
      + ` (${count(incRecords)} records loaded, ${deletedDeals.length} deals deleted; ${want.unseen} changed without a newer cursor,`
      + ' compared with their version of the full sync)');
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Ordering rules, with hand-made syncs

const T0 = 1_714_557_600_000;
let seq = 0;
const msg = <T extends object>(m: T): T => { assertValidMessage(m); return m; };
const rec = (stream: string, data: Rec) => msg({ type: 'RECORD', record: { stream, data, emitted_at: T0 + seq++ } });
const st = (name: string, streamState: Rec) => msg({ type: 'STATE', state: { type: 'STREAM', stream: { stream_descriptor: { name }, stream_state: streamState } } });
const status = (name: string, s: 'COMPLETE' | 'INCOMPLETE') => msg({ type: 'TRACE', trace: { type: 'STREAM_STATUS', emitted_at: T0 + seq++, stream_status: { stream_descriptor: { name }, status: s } } });
const at = (day: number) => `2024-05-0${day}T10:00:00Z`;
const deal = (id: number, day: number, title: string) => rec('deals', { id, title, update_time: at(day) });
const deleted = (id: number, day: number) => rec('deals', { id, title: 'gone', update_time: at(day), is_deleted: true, [CDC_DELETED_AT]: at(day) });

function load(messages: readonly unknown[]): void {
  const dir = workdir({ 'catalog.json': catalogText, 'out.jsonl': messages.map((m) => `${JSON.stringify(m)}\n`).join('') });
  recipe('postgres', dir, 'edge');
}

const rowsOf = (stream: string) => Object.fromEntries([...(loaded('edge').rows.get(stream) ?? new Map<string, Rec>())].map(([k, v]) => [k, v['title'] ?? v['name'] ?? v['data']]));

describe('docs/recipes.md: the PostgreSQL load orders versions and deletes', () => {
  it('newest cursor wins, deletes hold in one load and across loads, snapshots replace, state merges', (ctx) => {
    ctx.skip(bin === undefined, NO_PG);
    const dir = workdir({});
    recipe('postgres-state', dir, 'edge');
    expect(JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8'))).toEqual([]);

    load([
      deleted(1, 3), deal(1, 2, 'older than its delete'), // delete first, older row after it: stays deleted
      deal(2, 1, 'a'), deal(2, 2, 'b'),                    // newer later
      deal(3, 2, 'x'), deal(3, 1, 'y'),                    // older later: ignored
      deal(4, 1, 'live'), deleted(4, 4),                   // row, then its delete
      deal(5, 2, 'p'), deal(5, 2, 'q'),                    // same cursor: the later one
      rec('deal_flow', { object: 'dealChange', timestamp: '2024-05-01 10:00:00', data: { id: 10, field_key: 'value' } }),
      rec('deal_flow', { object: 'activity', timestamp: '2024-05-01 11:00:00', data: { id: 10 } }),
      rec('deal_flow', { object: 'dealChange', timestamp: '2024-05-02 10:00:00', data: { id: 10, field_key: 'title' } }),
      rec('currencies', { id: 5, name: 'A' }), rec('currencies', { id: 5, name: 'B' }), rec('currencies', { id: 6, name: 'C' }),
      st('deals', { update_time: at(3) }), st('deals', { update_time: at(4) }),
      status('deals', 'COMPLETE'), status('currencies', 'INCOMPLETE'),
    ]);
    expect(rowsOf('deals')).toEqual({ '[2]': 'b', '[3]': 'x', '[5]': 'q' });
    expect(loaded('edge').tombstones).toEqual(new Set(['deals [1]', 'deals [4]']));
    expect(rowsOf('deal_flow')).toEqual({ '["dealChange",10]': { id: 10, field_key: 'title' }, '["activity",10]': { id: 10 } });
    expect(rowsOf('currencies')).toEqual({ '[5]': 'B', '[6]': 'C' });

    load([
      deal(1, 2, 'replayed, older than its delete'), // stays deleted
      deal(4, 5, 'restored'),                         // newer than its delete: back
      deal(2, 1, 'replayed a'),                       // older than the row: ignored
      deleted(3, 1),                                  // a delete older than the row: ignored
      deal(5, 2, 'r'),                                // same cursor, later load: wins
      rec('currencies', { id: 7, name: 'D' }),        // no snapshot after an incomplete read: upserted
      st('currencies', {}), status('currencies', 'INCOMPLETE'),
    ]);
    expect(rowsOf('deals')).toEqual({ '[2]': 'b', '[3]': 'x', '[4]': 'restored', '[5]': 'r' });
    expect(loaded('edge').tombstones).toEqual(new Set(['deals [1]']));
    expect(rowsOf('currencies')).toEqual({ '[5]': 'B', '[6]': 'C', '[7]': 'D' });

    load([rec('currencies', { id: 6, name: 'C2' }), st('currencies', {}), status('currencies', 'COMPLETE')]); // a full snapshot
    expect(rowsOf('currencies')).toEqual({ '[6]': 'C2' });
    expect(rowsOf('deals')).toEqual({ '[2]': 'b', '[3]': 'x', '[4]': 'restored', '[5]': 'r' });

    recipe('postgres-state', dir, 'edge');
    expect(JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8'))).toEqual([
      { type: 'STREAM', stream: { stream_descriptor: { name: 'currencies' }, stream_state: {} } },
      { type: 'STREAM', stream: { stream_descriptor: { name: 'deals' }, stream_state: { update_time: at(4) } } },
    ]);
  });

  it('a load that fails changes nothing, state included', (ctx) => {
    ctx.skip(bin === undefined, NO_PG);
    const before = loaded('edge');
    const bad = [deal(2, 9, 'new'), rec('deals', { id: 8, title: 'bad cursor', update_time: 'not a time' }), st('deals', { update_time: at(9) })];
    expect(() => load(bad)).toThrow(/not a time/);
    expect(loaded('edge')).toEqual(before);
  });
});
