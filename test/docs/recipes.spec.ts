/**
 * Runs the shell snippets of docs/recipes.md (those marked `<!-- recipe: NAME -->`) against a small sample sync and
 * checks what they produce. Needs jq and sqlite3 (CI installs them); the DuckDB recipe runs with the DuckDB CLI where
 * it is installed, else on the DuckDB engine of the @duckdb/node-api dev dependency (scripts/duckdb-cli.ts).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { assertValidMessage, repoRoot } from '../helpers/protocol.js';
import { recipes, runSnippet } from '../helpers/recipes.js';
import { parseCatalog } from '../../src/catalog.js';
import { parseState } from '../../src/state.js';
import { allStreams, supportsIncremental } from '../../streams/index.js';

const has = (cmd: string) => spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;
const hasJq = has('jq');
const hasSqlite = has('sqlite3');
const hasDuckdb = has('duckdb');

/**
 * The environment for the DuckDB recipe: the DuckDB CLI where it is installed; elsewhere (no npm or Debian package
 * ships it) a `duckdb` on PATH that runs the recipe's SQL on the DuckDB engine of the @duckdb/node-api dev
 * dependency (scripts/duckdb-cli.ts: `duckdb [DATABASE] [-c SQL]`, nothing else).
 */
function duckdbEnv(): NodeJS.ProcessEnv {
  if (hasDuckdb) return process.env;
  const cli = join(repoRoot, 'dist/scripts/duckdb-cli.js');
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build`);
  const bin = mkdtempSync(join(tmpdir(), 'spd-duckdb-bin-'));
  temps.push(bin);
  writeFileSync(join(bin, 'duckdb'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(cli)} "$@"\n`);
  chmodSync(join(bin, 'duckdb'), 0o755);
  return { ...process.env, PATH: `${bin}:${process.env['PATH'] ?? '/usr/bin:/bin'}` };
}
const NO_JQ = 'jq is not installed: the recipes of docs/recipes.md were not run (CI installs jq; apt-get install jq)';
if (!hasJq) process.stderr.write(`[recipes.spec] ${NO_JQ}\n`);

const T0 = 1_714_557_600_000;
const status = (name: string, s: string, i: number) => ({ type: 'TRACE', trace: { type: 'STREAM_STATUS', emitted_at: T0 + i, stream_status: { stream_descriptor: { name }, status: s } } });
const record = (stream: string, data: Record<string, unknown>, i: number) => ({ type: 'RECORD', record: { stream, data, emitted_at: T0 + i } });
const state = (name: string, streamState: Record<string, unknown>, count: number) => ({
  type: 'STATE', state: { type: 'STREAM', stream: { stream_descriptor: { name }, stream_state: streamState }, sourceStats: { recordCount: count } },
});
const control = (refresh: string, i: number) => ({
  type: 'CONTROL',
  control: { type: 'CONNECTOR_CONFIG', emitted_at: T0 + i, connectorConfig: { config: { credentials: { auth_type: 'oauth2.0', client_id: 'cid', client_secret: 'cs', refresh_token: refresh } } } },
});

/** A sample sync: deals (3 records, one updated twice), persons failing after one record. */
const sample = [
  { type: 'LOG', log: { level: 'INFO', message: 'Reading 2 streams' } },
  control('refresh-2', 1),
  status('deals', 'STARTED', 2),
  status('persons', 'STARTED', 3),
  status('deals', 'RUNNING', 4),
  status('persons', 'RUNNING', 5),
  record('deals', { id: 1, title: 'Big deal', value: 1000, currency: 'EUR', update_time: '2024-05-01T10:00:00Z' }, 6),
  record('persons', { id: 10, name: 'Ada', update_time: '2024-05-01T09:00:00Z' }, 7),
  record('deals', { id: 2, title: 'Small, "quoted" deal', value: 50, currency: 'USD', update_time: '2024-05-02T10:00:00Z' }, 8),
  state('deals', { update_time: '2024-05-02T10:00:00Z' }, 2),
  state('persons', { update_time: '2024-05-01T09:00:00Z' }, 1),
  control('refresh-3', 9),
  record('deals', { id: 1, title: 'Big deal (won)', value: 1200, currency: 'EUR', update_time: '2024-05-03T08:00:00Z' }, 10),
  state('deals', { update_time: '2024-05-03T08:00:00Z' }, 1),
  { type: 'TRACE', trace: { type: 'ERROR', emitted_at: T0 + 11, error: { message: 'Pipedrive answered 503 five times', failure_type: 'transient_error', stream_descriptor: { name: 'persons' } } } },
  { type: 'LOG', log: { level: 'ERROR', message: 'persons: giving up' } },
  status('deals', 'COMPLETE', 12),
  status('persons', 'INCOMPLETE', 13),
];

let book: Map<string, string>;
const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});
beforeAll(() => {
  book = recipes();
  for (const m of sample) assertValidMessage(m);
});

/** A fresh directory with out.jsonl (the sample unless given) and extra files. */
function workdir(files: Record<string, string> = {}, messages: readonly unknown[] = sample): string {
  const dir = mkdtempSync(join(tmpdir(), 'spd-recipe-'));
  temps.push(dir);
  writeFileSync(join(dir, 'out.jsonl'), messages.map((m) => JSON.stringify(m)).join('\n') + '\n');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** Runs recipe `name` with bash (-e, pipefail) in `dir`; returns stdout. */
function runRecipe(name: string, dir: string, env: NodeJS.ProcessEnv = process.env): string {
  const script = book.get(name);
  if (script === undefined) throw new Error(`docs/recipes.md has no recipe ${name}`);
  return runSnippet(name, script, dir, env);
}

const lines = (text: string) => text.split('\n').filter((l) => l.length > 0);
const file = (dir: string, name: string) => readFileSync(join(dir, name), 'utf8');

describe('docs/recipes.md', () => {
  it('marks every recipe the tests know, with a sh block', () => {
    expect([...recipes().keys()].sort()).toEqual([
      'configured-catalog', 'duckdb', 'errors-only', 'errors-readable', 'final-status', 'last-state', 'merge-state',
      'oauth-config', 'postgres', 'postgres-state', 'records-as-csv', 'records-of-one-stream', 'records-per-stream', 'sqlite',
    ]);
  });

  it('configured-catalog: discover → a configured catalog the connector accepts', (ctx) => {
    ctx.skip(!hasJq, NO_JQ);
    expect(existsSync(join(repoRoot, 'dist/src/cli/main.js')), 'run npm run build first').toBe(true);
    const bin = mkdtempSync(join(tmpdir(), 'spd-bin-'));
    temps.push(bin);
    writeFileSync(join(bin, 'source-pipedrive'), `#!/bin/sh\nexec "${process.execPath}" "${join(repoRoot, 'bin/source-pipedrive.js')}" "$@"\n`);
    chmodSync(join(bin, 'source-pipedrive'), 0o755);
    const dir = workdir({ 'config.json': JSON.stringify({ credentials: { auth_type: 'api_token', api_token: 'x' } }) });
    runRecipe('configured-catalog', dir, { ...process.env, PATH: `${bin}:${process.env['PATH'] ?? ''}` });
    const configured = JSON.parse(file(dir, 'configured.json')) as unknown;
    const known = new Map(allStreams.map((d) => [d.name, { supportsIncremental: supportsIncremental(d) }]));
    const parsed = parseCatalog(configured, known);
    expect(parsed.map((c) => c.stream.name)).toEqual(allStreams.map((s) => s.name));
    const mode = new Map(parsed.map((c) => [c.stream.name, c.sync_mode]));
    expect(mode.get('deals')).toBe('incremental');
    expect(mode.get('currencies')).toBe('full_refresh');
  });

  it('records-of-one-stream: the data of each deals record, one per line', (ctx) => {
    ctx.skip(!hasJq, NO_JQ);
    const dir = workdir();
    runRecipe('records-of-one-stream', dir);
    const records = lines(file(dir, 'deals.jsonl')).map((l) => JSON.parse(l) as { id: number; title: string });
    expect(records.map((r) => r.id)).toEqual([1, 2, 1]);
    expect(records[2]?.title).toBe('Big deal (won)');
  });

  it('records-as-csv: deals as CSV', (ctx) => {
    ctx.skip(!hasJq, NO_JQ);
    const dir = workdir();
    runRecipe('records-as-csv', dir);
    expect(lines(file(dir, 'deals.csv'))).toEqual([
      '1,"Big deal",1000,"EUR","2024-05-01T10:00:00Z"',
      '2,"Small, ""quoted"" deal",50,"USD","2024-05-02T10:00:00Z"',
      '1,"Big deal (won)",1200,"EUR","2024-05-03T08:00:00Z"',
    ]);
  });

  it('records-per-stream: counts', (ctx) => {
    ctx.skip(!hasJq, NO_JQ);
    const counts = Object.fromEntries(lines(runRecipe('records-per-stream', workdir())).map((l) => {
      const [n, s] = l.trim().split(/\s+/);
      return [s, Number(n)];
    }));
    expect(counts).toEqual({ deals: 3, persons: 1 });
  });

  it('last-state: the last STATE of each stream, in the form --state accepts', (ctx) => {
    ctx.skip(!hasJq, NO_JQ);
    const dir = workdir();
    runRecipe('last-state', dir);
    const saved = JSON.parse(file(dir, 'state.json')) as unknown[];
    expect(saved).toHaveLength(2);
    const parsed = parseState(saved, new Map(allStreams.map((d) => [d.name, d.cursorField])));
    expect(parsed.get('deals')).toEqual({ update_time: '2024-05-03T08:00:00Z' });
    expect(parsed.get('persons')).toEqual({ update_time: '2024-05-01T09:00:00Z' });
  });

  it('merge-state: new states replace old ones, streams not in the run keep theirs', (ctx) => {
    ctx.skip(!hasJq, NO_JQ);
    const old = [state('notes', { update_time: '2024-01-01T00:00:00Z' }, 0).state, state('deals', { update_time: '2024-04-01T00:00:00Z' }, 0).state];
    const dir = workdir({ 'state.json': JSON.stringify(old) });
    runRecipe('merge-state', dir);
    const parsed = parseState(JSON.parse(file(dir, 'state.json')) as unknown, new Map(allStreams.map((d) => [d.name, d.cursorField])));
    expect(Object.fromEntries(parsed)).toEqual({
      notes: { update_time: '2024-01-01T00:00:00Z' },
      deals: { update_time: '2024-05-03T08:00:00Z' },
      persons: { update_time: '2024-05-01T09:00:00Z' },
    });
    expect(existsSync(join(dir, 'state.merged.json'))).toBe(false);
  });

  it('errors-only: error traces and error logs, nothing else', (ctx) => {
    ctx.skip(!hasJq, NO_JQ);
    const out = lines(runRecipe('errors-only', workdir())).map((l) => JSON.parse(l) as { type: string });
    expect(out.map((m) => m.type)).toEqual(['TRACE', 'LOG']);
    for (const m of out) assertValidMessage(m);
  });

  it('errors-readable: stream, failure type and message per error', (ctx) => {
    ctx.skip(!hasJq, NO_JQ);
    expect(lines(runRecipe('errors-readable', workdir()))).toEqual(['persons\ttransient_error\tPipedrive answered 503 five times']);
  });

  it('final-status: the last status of each stream', (ctx) => {
    ctx.skip(!hasJq, NO_JQ);
    expect(lines(runRecipe('final-status', workdir()))).toEqual(['deals COMPLETE', 'persons INCOMPLETE']);
  });

  it('oauth-config: the last CONTROL config replaces config.json, and nothing changes without one', (ctx) => {
    ctx.skip(!hasJq, NO_JQ);
    const before = JSON.stringify({ credentials: { auth_type: 'oauth2.0', client_id: 'cid', client_secret: 'cs', refresh_token: 'refresh-1' } });
    const dir = workdir({ 'config.json': before });
    runRecipe('oauth-config', dir);
    expect((JSON.parse(file(dir, 'config.json')) as { credentials: { refresh_token: string } }).credentials.refresh_token).toBe('refresh-3');
    expect(existsSync(join(dir, 'config.new.json'))).toBe(false);

    const quiet = workdir({ 'config.json': before }, sample.filter((m) => m.type !== 'CONTROL'));
    runRecipe('oauth-config', quiet);
    expect(file(quiet, 'config.json')).toBe(before);
    expect(existsSync(join(quiet, 'config.new.json'))).toBe(false);
  });

  it('sqlite: one row per deal, the latest version, loadable twice', (ctx) => {
    ctx.skip(!hasJq, NO_JQ);
    ctx.skip(!hasSqlite, 'sqlite3 is not installed: the SQLite recipe was not run');
    const dir = workdir();
    const expected = ['id|title|update_time', '1|Big deal (won)|2024-05-03T08:00:00Z', '2|Small, "quoted" deal|2024-05-02T10:00:00Z'];
    expect(lines(runRecipe('sqlite', dir))).toEqual(expected);
    // Loading the same output again (or an incremental run on top) keeps one row per id.
    expect(lines(runRecipe('sqlite', dir))).toEqual(expected);
  });

  it('duckdb: one row per deal, the latest version, loadable twice', async (ctx) => {
    ctx.skip(!hasJq, NO_JQ);
    const dir = workdir();
    const env = duckdbEnv();
    const out = runRecipe('duckdb', dir, env);
    expect(out).toContain('Big deal (won)');
    expect(out).not.toMatch(/\bBig deal(?! \(won\))/);
    // The database the recipe leaves: one row per deal, each its latest version, also after a second load.
    runRecipe('duckdb', dir, env);
    const instance = await DuckDBInstance.create(join(dir, 'pipedrive.duckdb'));
    const connection = await instance.connect();
    try {
      const rows = (await connection.runAndReadAll('SELECT CAST(id AS INTEGER), title, CAST(value AS INTEGER) FROM deals ORDER BY id')).getRowsJson();
      expect(rows).toEqual([[1, 'Big deal (won)', 1200], [2, 'Small, "quoted" deal', 50]]);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });
});
