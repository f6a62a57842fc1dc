import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/resources.js';
import { configErrorOf } from '../helpers/errors.js';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mergeStates, openStateFile } from '../../src/stateFile.js';
import { cursorFields } from '../../src/selection.js';
import { ConfigError } from '../../src/errors.js';
import { stateMessage, type AirbyteMessage } from '../../src/protocol.js';
import { recipes } from '../helpers/recipes.js';

const dir = (): string => tempDir('spd-statefile-');

const entry = (name: string, state: Record<string, unknown>) => ({ type: 'STREAM', stream: { stream_descriptor: { name }, stream_state: state } });
const record = (stream: string): AirbyteMessage => ({ type: 'RECORD', record: { stream, data: { id: 1 }, emitted_at: 0 } });
const read = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));
const errorOf = configErrorOf;

describe('mergeStates', () => {
  it('the run replaces its streams, the others keep their state; sorted by name', () => {
    const last = new Map([['deals', stateMessage('deals', { update_time: '2024-05-03T00:00:00Z' }, 0).state]]);
    const previous = new Map([['persons', { update_time: '2024-01-01T00:00:00Z' }], ['deals', { update_time: '2024-04-01T00:00:00Z' }]]);
    expect(mergeStates(previous, last)).toEqual([
      stateMessage('deals', { update_time: '2024-05-03T00:00:00Z' }, 0).state,
      entry('persons', { update_time: '2024-01-01T00:00:00Z' }),
    ]);
  });
});

describe('openStateFile', () => {
  it('a missing file is a first run; save writes the last STATE of each stream, releases the lock on close', () => {
    const d = dir();
    const path = join(d, 'state.json');
    const file = openStateFile(path, cursorFields());
    expect(file.states.size).toBe(0);
    expect(existsSync(`${path}.lock`)).toBe(true);
    file.observe([record('deals'), stateMessage('deals', { update_time: '2024-05-01T00:00:00Z' }, 1)]);
    file.observe([stateMessage('persons', {}, 0), stateMessage('deals', { update_time: '2024-05-02T00:00:00Z' }, 0)]);
    expect(file.save()).toBe(2);
    file.close();
    expect(read(path)).toEqual([
      stateMessage('deals', { update_time: '2024-05-02T00:00:00Z' }, 0).state,
      stateMessage('persons', {}, 0).state,
    ]);
    expect(readdirSync(d)).toEqual(['state.json']);
  });

  it('reads the file (any shape --state takes, cursors normalised) and keeps the streams the run does not have', () => {
    const d = dir();
    const path = join(d, 'state.json');
    writeFileSync(path, JSON.stringify({ notes: { update_time: '2021-06-01 10:10:10' }, deals: { update_time: '2024-01-01T00:00:00Z' } }));
    const file = openStateFile(path, cursorFields());
    expect(Object.fromEntries(file.states)).toEqual({ notes: { update_time: '2021-06-01T10:10:10Z' }, deals: { update_time: '2024-01-01T00:00:00Z' } });
    file.observe([stateMessage('deals', { update_time: '2024-06-01T00:00:00Z' }, 3)]);
    file.save();
    file.close();
    expect(read(path)).toEqual([stateMessage('deals', { update_time: '2024-06-01T00:00:00Z' }, 3).state, entry('notes', { update_time: '2021-06-01T10:10:10Z' })]);
  });

  it('a run without any STATE leaves the file as it was', () => {
    const d = dir();
    const path = join(d, 'state.json');
    const text = JSON.stringify([entry('deals', { update_time: '2024-01-01T00:00:00Z' })]);
    writeFileSync(path, text);
    const file = openStateFile(path, cursorFields());
    expect(file.save()).toBe(0);
    file.close();
    expect(readFileSync(path, 'utf8')).toBe(text);
  });

  it('an empty file is an empty state', () => {
    const path = join(dir(), 'state.json');
    writeFileSync(path, '\n');
    const file = openStateFile(path, cursorFields());
    expect(file.states.size).toBe(0);
    file.close();
  });

  it('an invalid file, a folder, a missing folder are ConfigErrors naming --state-file; the lock is not left behind', () => {
    const d = dir();
    const bad = join(d, 'bad.json');
    writeFileSync(bad, '{"deals": ');
    expect(errorOf(() => openStateFile(bad, cursorFields())).message).toMatch(/^--state-file: file '.*bad\.json' is not valid JSON/);
    const badCursor = join(d, 'cursor.json');
    writeFileSync(badCursor, JSON.stringify([entry('deals', { update_time: 'yesterday' })]));
    expect(errorOf(() => openStateFile(badCursor, cursorFields())).message).toMatch(/^--state-file '.*cursor\.json': stream 'deals' has an invalid update_time cursor/);
    const folder = join(d, 'folder');
    mkdirSync(folder);
    expect(errorOf(() => openStateFile(folder, cursorFields())).message).toMatch(/^--state-file: '.*folder' is a directory/);
    expect(errorOf(() => openStateFile(join(d, 'nope', 'state.json'), cursorFields())).message).toMatch(/^--state-file: the folder '.*nope' does not exist/);
    expect(readdirSync(d).sort()).toEqual(['bad.json', 'cursor.json', 'folder']);
  });

  it('a second run on the same file meanwhile is a ConfigError, and does not touch the file', () => {
    const path = join(dir(), 'state.json');
    const first = openStateFile(path, cursorFields());
    expect(errorOf(() => openStateFile(path, cursorFields())).message).toContain(`holds the lock ${path}.lock`);
    first.close();
    openStateFile(path, cursorFields()).close();
  });

  it('writes what the merge-state recipe of docs/recipes.md makes of the same output and old state', (ctx) => {
    ctx.skip(spawnSync('jq', ['--version']).status !== 0, 'jq is not installed');
    const recipe = recipes().get('merge-state');
    expect(recipe).toBeDefined();
    const old = [entry('notes', { update_time: '2024-01-01T00:00:00Z' }), entry('deals', { update_time: '2024-04-01T00:00:00Z' })];
    const output: AirbyteMessage[] = [
      record('deals'), stateMessage('deals', { update_time: '2024-05-01T00:00:00Z' }, 1),
      stateMessage('persons', { update_time: '2024-05-01T09:00:00Z' }, 0), stateMessage('deals', { update_time: '2024-05-03T08:00:00Z' }, 0),
    ];
    const d = dir();
    writeFileSync(join(d, 'state.json'), JSON.stringify(old));
    writeFileSync(join(d, 'out.jsonl'), output.map((m) => JSON.stringify(m)).join('\n') + '\n');
    const r = spawnSync('bash', ['-e', '-o', 'pipefail', '-c', recipe as string], { cwd: d, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const byRecipe = read(join(d, 'state.json')) as Array<{ stream: { stream_descriptor: { name: string } } }>;

    const e = dir();
    writeFileSync(join(e, 'state.json'), JSON.stringify(old));
    const file = openStateFile(join(e, 'state.json'), cursorFields());
    file.observe(output);
    file.save();
    file.close();
    const byName = (xs: Array<{ stream: { stream_descriptor: { name: string } } }>) => Object.fromEntries(xs.map((x) => [x.stream.stream_descriptor.name, x]));
    expect(byName(read(join(e, 'state.json')) as typeof byRecipe)).toEqual(byName(byRecipe));
  });
});
