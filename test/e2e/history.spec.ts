/**
 * Field history, option labels and the fields v2 dropped (issue 14 items 1, 4, 5), end to end: the built CLI against
 * the emulator, compared exactly with its ground truth — full, then incremental after stage moves and value changes
 * (some twice in one second), then again with nothing new.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streamByName } from '../../streams/index.js';
import { toIsoCursor } from '../../src/cursor.js';
import { runCli, tempFiles, ofType, type CliResult } from '../helpers/cli.js';
import { startTestEmulator, type Emulator } from '../helpers/emulator.js';
import { assertValidRecord } from '../helpers/schemas.js';
import { CHANGELOGS, OPTION_STREAMS, changeKey, expectedChangelog, sortedBy, type ChangelogStream } from '../helpers/history.js';

type Rec = Record<string, unknown>;
const LOGS = Object.keys(CHANGELOGS) as ChangelogStream[];
const ENTITIES = ['deals', 'deals_archived', 'persons', 'organizations', 'activities'];
const PARENT_OF: Record<ChangelogStream, string> = { deal_changelog: 'deals', person_changelog: 'persons', organization_changelog: 'organizations' };
const CHANGELOG_PATH: Record<ChangelogStream, RegExp> = {
  deal_changelog: /^\/api\/v1\/deals\/\d+\/changelog$/, person_changelog: /^\/api\/v1\/persons\/\d+\/changelog$/,
  organization_changelog: /^\/api\/v1\/organizations\/\d+\/changelog$/,
};
/** The id in a change-log path. */
const idInPath = (path: string): number => Number(path.split('/')[4]);

let emu: Emulator;
let files: Record<string, string>;
let full: CliResult;
/** The emulator's request log of the full read. */
let fullRequests: Emulator['requests'];

const catalog = (names: readonly string[]) => ({
  streams: names.map((name) => {
    const inc = (LOGS as string[]).includes(name) || (ENTITIES.includes(name));
    return { stream: { name, json_schema: {}, supported_sync_modes: inc ? ['full_refresh', 'incremental'] : ['full_refresh'] }, sync_mode: inc ? 'incremental' : 'full_refresh', destination_sync_mode: 'append_dedup' };
  }),
});

function recordsOf(r: CliResult, stream: string): Rec[] {
  return ofType(r.messages, 'RECORD').map((m) => m['record'] as { stream: string; data: Rec }).filter((x) => x.stream === stream).map((x) => x.data);
}

function lastStates(r: CliResult): { stream: { stream_descriptor: { name: string }; stream_state: Record<string, string> } }[] {
  const m = new Map<string, { stream: { stream_descriptor: { name: string }; stream_state: Record<string, string> } }>();
  for (const s of ofType(r.messages, 'STATE')) {
    const st = s['state'] as { stream: { stream_descriptor: { name: string }; stream_state: Record<string, string> } };
    m.set(st.stream.stream_descriptor.name, st);
  }
  return [...m.values()];
}
const cursorOfState = (r: CliResult, stream: string): string | undefined => lastStates(r).find((s) => s.stream.stream_descriptor.name === stream)?.stream.stream_state['time'];

async function incremental(from: CliResult, names: readonly string[] = [...LOGS]): Promise<CliResult> {
  const f = tempFiles({ 'state.json': lastStates(from), 'cat.json': catalog(names) });
  emu.resetLog();
  const r = await runCli(['read', '--config', files['config.json'] as string, '--catalog', f['cat.json'] as string, '--state', f['state.json'] as string]);
  expect(r.code, r.stderr.slice(-2000)).toBe(0);
  return r;
}

/** Occurrences of each value of `key` among records (null and undefined left out). */
const countBy = (records: readonly Rec[], key: string, where: (r: Rec) => boolean = () => true): Map<unknown, number> => {
  const m = new Map<unknown, number>();
  for (const r of records) if (where(r) && r[key] !== null && r[key] !== undefined) m.set(r[key], (m.get(r[key]) ?? 0) + 1);
  return m;
};

beforeAll(async () => {
  emu = await startTestEmulator({ seed: 14, sizes: { deals: 400, persons: 300, organizations: 120, activities: 600, notes: 300, files: 120, mail_threads: 120 } });
  files = tempFiles({ 'config.json': emu.config({ num_workers: 4 }), 'catalog.json': catalog([...LOGS, ...OPTION_STREAMS, ...ENTITIES]) });
  emu.resetLog();
  full = await runCli(['read', '--config', files['config.json'] as string, '--catalog', files['catalog.json'] as string]);
  fullRequests = [...emu.requests];
}, 90_000);
afterAll(async () => { await emu?.close(); });

describe('field history streams', () => {
  it('a full read exits 0 with every stream COMPLETE', () => {
    expect(full.code, full.stderr.slice(-2000)).toBe(0);
    const statuses = ofType(full.messages, 'TRACE').map((m) => m['trace'] as { type: string; stream_status?: { stream_descriptor: { name: string }; status: string } })
      .filter((t) => t.type === 'STREAM_STATUS' && t.stream_status?.status === 'COMPLETE').map((t) => t.stream_status?.stream_descriptor.name);
    expect(new Set(statuses)).toEqual(new Set([...LOGS, ...OPTION_STREAMS, ...ENTITIES]));
  });

  it.each(LOGS)('%s equals the ground truth exactly, each entry with its parent id and change_seq, keys unique', (stream) => {
    const got = recordsOf(full, stream);
    const want = expectedChangelog(emu, stream);
    expect(want.length, 'the truth has entries').toBeGreaterThan(100);
    expect(sortedBy(got, (r) => changeKey(stream, r))).toEqual(sortedBy(want, (r) => changeKey(stream, r)));
    expect(new Set(got.map((r) => changeKey(stream, r))).size).toBe(got.length);
    // Some field changed more than once in one second: change_seq is what tells those entries apart.
    expect(got.some((r) => (r['change_seq'] as number) > 0), 'same-second changes').toBe(true);
    for (const r of got) assertValidRecord(stream, r);
    // Entries of one parent stay together, newest first, as Pipedrive lists them.
    const parent = CHANGELOGS[stream];
    for (let i = 1; i < got.length; i++) {
      const [a, b] = [got[i - 1] as Rec, got[i] as Rec];
      if (a[parent] === b[parent]) expect((a['time'] as string) >= (b['time'] as string)).toBe(true);
    }
  });

  it('ask each parent once (all its pages), at 20 tokens a page', () => {
    for (const stream of LOGS) {
      const reqs = fullRequests.filter((q) => CHANGELOG_PATH[stream].test(q.path));
      const parents = [...emu.groundTruth(PARENT_OF[stream])].length;
      expect(new Set(reqs.filter((q) => q.query['cursor'] === undefined).map((q) => q.path)).size, stream).toBe(parents);
      expect(reqs.every((q) => q.query['limit'] === '500' && q.tokenCost === 20 && q.status === 200), stream).toBe(true);
    }
  });
});

describe('discover', () => {
  it('lists the new streams with their keys, cursors and sync modes', async () => {
    const r = await runCli(['discover', '--config', files['config.json'] as string]);
    expect(r.code, r.stderr.slice(-1000)).toBe(0);
    const streams = (ofType(r.messages, 'CATALOG')[0]?.['catalog'] as { streams: Rec[] }).streams;
    const byName = new Map(streams.map((st) => [st['name'], st]));
    for (const stream of LOGS) {
      expect(byName.get(stream), stream).toMatchObject({
        supported_sync_modes: ['full_refresh', 'incremental'],
        source_defined_cursor: true,
        default_cursor_field: ['time'],
        source_defined_primary_key: [[CHANGELOGS[stream]], ['time'], ['field_key'], ['change_seq']],
      });
      const props = (byName.get(stream)?.['json_schema'] as { properties: Record<string, Rec> }).properties;
      expect(props['time']).toMatchObject({ airbyte_type: 'timestamp_without_timezone' });
    }
    for (const stream of OPTION_STREAMS) {
      expect(byName.get(stream), stream).toMatchObject({ supported_sync_modes: ['full_refresh'], source_defined_primary_key: [['field_key'], ['id']] });
    }
    const deals = (byName.get('deals')?.['json_schema'] as { properties: Record<string, Rec> }).properties;
    expect(deals['activities_count']).toMatchObject({ type: ['integer', 'null'] });
    expect(deals['last_incoming_mail_time']).toMatchObject({ type: ['string', 'null'], format: 'date-time' });
  });
});

describe('option streams', () => {
  it.each(OPTION_STREAMS)('%s equals the ground truth exactly (in order), valid against its schema', (stream) => {
    const got = recordsOf(full, stream);
    const want = [...emu.groundTruth(stream)];
    expect(want.length).toBeGreaterThan(3);
    expect(got).toEqual(want);
    for (const r of got) assertValidRecord(stream, r);
    const keys = got.map((r) => JSON.stringify([r['field_key'], r['id']]));
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('hold the labels of the option ids the records carry (custom enum fields of deals)', () => {
    const options = recordsOf(full, 'deal_field_options');
    const enumField = [...emu.groundTruth('deal_fields')].find((f) => f['field_type'] === 'enum' && /^[0-9a-f]{40}$/.test(String(f['field_code'])));
    expect(enumField).toBeDefined();
    const code = enumField?.['field_code'] as string;
    const labels = new Map(options.filter((o) => o['field_key'] === code).map((o) => [o['id'], o['label']]));
    const used = recordsOf(full, 'deals').map((d) => (d['custom_fields'] as Rec | undefined)?.[code]).filter((v) => v !== null && v !== undefined);
    expect(used.length).toBeGreaterThan(0);
    for (const id of used) expect(labels.has(id), String(id)).toBe(true);
  });
});

describe('the fields v2 dropped (include_v1_fields)', () => {
  const include = (stream: string): string[] => [...(streamByName(stream)?.includeFields ?? [])];

  it.each(ENTITIES)('%s: the ground truth plus exactly its include_fields, typed by its schema, asked for at no extra token cost', (stream) => {
    const got = recordsOf(full, stream);
    const truth = new Map([...emu.groundTruth(stream)].map((r) => [r['id'], r]));
    expect(got.length).toBe(truth.size);
    const extra = include(stream);
    expect(extra.length).toBeGreaterThan(0);
    for (const r of got) {
      const t = truth.get(r['id']) as Rec;
      const { _ab_cdc_deleted_at: _deleted, ...rest } = r;
      const base = Object.fromEntries(Object.entries(rest).filter(([k]) => !extra.includes(k) || k in t));
      expect(base, `${stream} ${String(r['id'])}`).toEqual(t);
      for (const f of extra) expect(r, `${stream} ${String(r['id'])}`).toHaveProperty(f);
      assertValidRecord(stream, r);
    }
    const path = stream === 'deals_archived' ? '/api/v2/deals/archived' : `/api/v2/${stream}`;
    // The stream's own pages ask for them; the change-log streams read the same lists as parents, for ids only.
    const own = fullRequests.filter((q) => q.path === path && q.query['include_fields'] !== undefined);
    expect(own.length).toBe(Math.max(1, Math.ceil(truth.size / 500)));
    for (const q of own) {
      expect(q.query['include_fields']).toBe(extra.join(','));
      expect(q.tokenCost).toBe(streamByName(stream)?.tokenCost);
    }
  });

  it('the counts are those of the records linked to each deal, person and organization', () => {
    const activities = [...emu.groundTruth('activities')];
    const notes = [...emu.groundTruth('notes')];
    const fileRecs = [...emu.groundTruth('files')];
    const allDeals = [...emu.groundTruth('deals'), ...emu.groundTruth('deals_archived')].filter((d) => d['status'] !== 'deleted');
    const products = countBy([...emu.groundTruth('deal_products')], 'deal_id');
    const checks: [string, string, Record<string, Map<unknown, number>>][] = [
      ['deals', 'deal_id', {
        activities_count: countBy(activities, 'deal_id'), done_activities_count: countBy(activities, 'deal_id', (a) => a['done'] === true),
        notes_count: countBy(notes, 'deal_id'), files_count: countBy(fileRecs, 'deal_id'), products_count: products,
      }],
      ['persons', 'person_id', {
        activities_count: countBy(activities, 'person_id'), notes_count: countBy(notes, 'person_id'), files_count: countBy(fileRecs, 'person_id'),
        open_deals_count: countBy(allDeals, 'person_id', (d) => d['status'] === 'open'), won_deals_count: countBy(allDeals, 'person_id', (d) => d['status'] === 'won'),
        closed_deals_count: countBy(allDeals, 'person_id', (d) => d['status'] !== 'open'),
      }],
      ['organizations', 'org_id', {
        activities_count: countBy(activities, 'org_id'), notes_count: countBy(notes, 'org_id'),
        open_deals_count: countBy(allDeals, 'org_id', (d) => d['status'] === 'open'), lost_deals_count: countBy(allDeals, 'org_id', (d) => d['status'] === 'lost'),
        people_count: countBy([...emu.groundTruth('persons')], 'org_id'),
      }],
    ];
    for (const [stream, , counts] of checks) {
      const got = recordsOf(full, stream);
      let nonZero = 0;
      for (const r of got) {
        for (const [field, m] of Object.entries(counts)) {
          expect(r[field], `${stream} ${String(r['id'])} ${field}`).toBe(m.get(r['id']) ?? 0);
          if ((r[field] as number) > 0) nonZero++;
        }
      }
      expect(nonZero, stream).toBeGreaterThan(got.length / 4);
    }
    // Meetings and lunches with a person list that person as attendee.
    const withAttendees = recordsOf(full, 'activities').filter((a) => Array.isArray(a['attendees']) && (a['attendees'] as unknown[]).length > 0);
    expect(withAttendees.length).toBeGreaterThan(0);
    for (const a of withAttendees) expect((a['attendees'] as Rec[])[0]).toMatchObject({ person_id: a['person_id'], status: 'accepted' });
  });

  it('with include_v1_fields false the parameter is not sent and the records are the ground truth as it is', async () => {
    const f = tempFiles({ 'c.json': emu.config({ include_v1_fields: false }), 'cat.json': catalog(['deals', 'persons']) });
    emu.resetLog();
    const r = await runCli(['read', '--config', f['c.json'] as string, '--catalog', f['cat.json'] as string]);
    expect(r.code, r.stderr.slice(-1000)).toBe(0);
    const lists = emu.requests.filter((q) => q.path === '/api/v2/deals' || q.path === '/api/v2/persons');
    expect(lists.length).toBeGreaterThanOrEqual(2);
    for (const q of lists) expect(q.query['include_fields'], q.path).toBeUndefined();
    const truth = new Map([...emu.groundTruth('persons')].map((p) => [p['id'], p]));
    const persons = recordsOf(r, 'persons');
    expect(persons.length).toBe(truth.size);
    for (const p of persons) expect(p).toEqual(truth.get(p['id']));
  }, 30_000);
});

// Last: it changes the emulator's data, which the tests above compare with.
describe('field history streams, incremental', () => {
  it('incremental after stage moves and value changes: only changed parents are asked, exactly the entries at or after the state', async () => {
    const since = Object.fromEntries(LOGS.map((s) => [s, cursorOfState(full, s)]));
    for (const s of LOGS) expect(since[s], s).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    const changed = emu.mutate({
      change: {
        deals: [{ field: 'stage_id', count: 12 }, { field: 'value', count: 5, times: 2 }],
        persons: [{ field: 'name', count: 6 }, { field: 'email', count: 3, times: 3 }],
        organizations: { field: 'owner_id', count: 4 },
      },
    });
    const inc = await incremental(full);
    for (const stream of LOGS) {
      const from = since[stream] as string;
      const got = recordsOf(inc, stream);
      const want = expectedChangelog(emu, stream).filter((r) => (toIsoCursor(r['time']) ?? '') >= from);
      expect(sortedBy(got, (r) => changeKey(stream, r)), stream).toEqual(sortedBy(want, (r) => changeKey(stream, r)));
      // The changed records' new entries are there; the entries of the state's second come again with the same keys.
      const ids = new Set(changed.changed[PARENT_OF[stream]] ?? []);
      expect(ids.size, stream).toBeGreaterThan(0);
      for (const id of ids) expect(got.some((r) => r[CHANGELOGS[stream]] === id && toIsoCursor(r['time']) === changed.time), `${stream} ${String(id)}`).toBe(true);
      const fullKeys = new Set(recordsOf(full, stream).map((r) => changeKey(stream, r)));
      for (const r of got.filter((x) => (toIsoCursor(x['time']) ?? '') < changed.time)) expect(fullKeys.has(changeKey(stream, r)), changeKey(stream, r)).toBe(true);
      // Only parents whose update_time reached the state were asked.
      const asked = new Set(emu.requests.filter((q) => CHANGELOG_PATH[stream].test(q.path)).map((q) => idInPath(q.path)));
      const moved = new Set([...emu.groundTruth(PARENT_OF[stream])].filter((p) => (p['update_time'] as string) >= from).map((p) => p['id']));
      expect(asked, stream).toEqual(moved);
      expect(cursorOfState(inc, stream), stream).toBe(changed.time);
    }
    // value changed twice in one second: two entries, change_seq 1 and 0.
    const doubled = recordsOf(inc, 'deal_changelog').filter((r) => r['field_key'] === 'value' && toIsoCursor(r['time']) === changed.time);
    expect(doubled.length).toBe(10);
    expect(doubled.map((r) => r['change_seq']).sort()).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);

    // Nothing new: only the state's second again, the same records with the same keys.
    const again = await incremental(inc);
    for (const stream of LOGS) {
      const got = recordsOf(again, stream);
      const want = expectedChangelog(emu, stream).filter((r) => toIsoCursor(r['time']) === changed.time);
      expect(sortedBy(got, (r) => changeKey(stream, r)), stream).toEqual(sortedBy(want, (r) => changeKey(stream, r)));
      expect(new Set(emu.requests.filter((q) => CHANGELOG_PATH[stream].test(q.path)).map((q) => q.path)).size, stream).toBe(new Set(changed.changed[PARENT_OF[stream]]).size);
    }
  }, 60_000);
});
