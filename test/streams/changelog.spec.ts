/**
 * The change-log streams through the real HTTP stack against nock: the parent's id on every entry, change_seq counted
 * from the oldest over all pages of a parent, a gone parent skipped, and incremental reads (changed parents only,
 * entries at or after the cursor, the cursor as RFC 3339).
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import nock from 'nock';
import { readInProcess, records, states, statuses } from '../helpers/read.js';

const API = 'https://acme.pipedrive.com';
const config = { credentials: { auth_type: 'api_token', api_token: 'nock-token-31' }, api_url: API };
interface Seen { path: string; query: Record<string, string> }
let seen: Seen[] = [];
beforeAll(() => { nock.disableNetConnect(); });
afterEach(() => { nock.cleanAll(); seen = []; });

const change = (time: string, field_key: string, old_value: string | null, new_value: string | null) => ({
  field_key, old_value, new_value, actor_user_id: 3, time, change_source: 'app', change_source_user_agent: 'UA', is_bulk_update_flag: false,
});

/** Deal 1: three changes of stage_id in one second, the second page holding only the oldest of them. */
const LOGS: Record<string, ReturnType<typeof change>[][]> = {
  '1': [
    [change('2024-03-02 09:00:00', 'value', '10', '20'), change('2024-03-01 12:00:00', 'stage_id', '3', '4'), change('2024-03-01 12:00:00', 'stage_id', '2', '3')],
    [change('2024-03-01 12:00:00', 'stage_id', '1', '2')],
  ],
  '2': [[change('2024-02-01 08:00:00', 'title', 'A', 'B')]],
};

function serve(parents: { id: number; update_time: string }[]): void {
  nock(API).persist().get(() => true).query(true).reply((uri) => {
    const url = new URL(uri, API);
    const query = Object.fromEntries(url.searchParams);
    seen.push({ path: url.pathname, query });
    if (url.pathname === '/api/v2/deals') {
      const since = query['updated_since'];
      return [200, { success: true, data: parents.filter((p) => since === undefined || p.update_time >= since), additional_data: { next_cursor: null } }];
    }
    const m = /^\/api\/v1\/deals\/(\d+)\/changelog$/.exec(url.pathname);
    const pages = m ? LOGS[m[1] as string] : undefined;
    if (!pages) return [404, { success: false, error: 'Deal not found', errorCode: 404 }];
    const at = query['cursor'] === undefined ? 0 : Number(Buffer.from(query['cursor'], 'base64').toString().slice(5));
    const next = at + 1 < pages.length ? Buffer.from(`page:${at + 1}`).toString('base64') : null;
    return [200, { success: true, data: pages[at], additional_data: { next_cursor: next } }];
  });
}

const PARENTS = [{ id: 1, update_time: '2024-03-02T09:00:00Z' }, { id: 3, update_time: '2024-02-15T00:00:00Z' }, { id: 2, update_time: '2024-02-01T08:00:00Z' }];

describe('deal_changelog', () => {
  it('full refresh: every entry with deal_id and change_seq, pages of a deal numbered together, a gone deal skipped', async () => {
    serve(PARENTS);
    const r = await readInProcess({ config, streams: [{ name: 'deal_changelog' }] });
    expect(r.failed).toBe(false);
    const got = records(r.messages, 'deal_changelog');
    expect(got.map((e) => [e['deal_id'], e['time'], e['field_key'], e['change_seq'], e['new_value']])).toEqual([
      [1, '2024-03-02 09:00:00', 'value', 0, '20'],
      [1, '2024-03-01 12:00:00', 'stage_id', 2, '4'],
      [1, '2024-03-01 12:00:00', 'stage_id', 1, '3'],
      [1, '2024-03-01 12:00:00', 'stage_id', 0, '2'],
      [2, '2024-02-01 08:00:00', 'title', 0, 'B'],
    ]);
    // The entry as Pipedrive sent it, plus the two fields the connector adds.
    expect(got[4]).toEqual({ ...LOGS['2']![0]![0], deal_id: 2, change_seq: 0 });
    const changelogReqs = seen.filter((s) => s.path.endsWith('/changelog'));
    // Requested concurrently (fanout_concurrency), so in any order; the records above keep the parents' order.
    expect(changelogReqs.map((s) => [s.path, s.query['limit'], s.query['cursor'] !== undefined]).sort()).toEqual([
      ['/api/v1/deals/1/changelog', '500', false], ['/api/v1/deals/1/changelog', '500', true],
      ['/api/v1/deals/2/changelog', '500', false], ['/api/v1/deals/3/changelog', '500', false],
    ]);
    // The parents are read for their ids only.
    for (const s of seen.filter((q) => q.path === '/api/v2/deals')) expect(s.query['include_fields']).toBeUndefined();
    expect(r.stderr).toMatch(/deal_changelog: skipped deals 3: .*404/);
    expect(statuses(r.messages, 'deal_changelog')).toEqual(['STARTED', 'RUNNING', 'COMPLETE']);
    // 3 answered change-log pages at 20 tokens (the 404 is not counted), and the parents' page: all the stream's cost.
    expect(r.tokens.get('deal_changelog')).toBe(3 * 20 + 10);
    expect(r.tokens.get('deals')).toBeUndefined();
  });

  it('incremental: only deals changed since the state, only entries at or after it, numbered over the whole history', async () => {
    serve(PARENTS);
    const since = '2024-03-01T12:00:00Z';
    const r = await readInProcess({ config, streams: [{ name: 'deal_changelog', syncMode: 'incremental', state: { time: since } }] });
    expect(r.failed).toBe(false);
    expect(seen.filter((s) => s.path === '/api/v2/deals').map((s) => s.query['updated_since'])).toEqual([since]);
    expect(seen.filter((s) => s.path.endsWith('/changelog')).map((s) => s.path)).toEqual(['/api/v1/deals/1/changelog', '/api/v1/deals/1/changelog']);
    const got = records(r.messages, 'deal_changelog');
    // The second of the state is read again, with the same keys as in the full read.
    expect(got.map((e) => [e['time'], e['field_key'], e['change_seq']])).toEqual([
      ['2024-03-02 09:00:00', 'value', 0], ['2024-03-01 12:00:00', 'stage_id', 2], ['2024-03-01 12:00:00', 'stage_id', 1], ['2024-03-01 12:00:00', 'stage_id', 0],
    ]);
    const st = states(r.messages, 'deal_changelog');
    expect(st.at(-1)?.stream.stream_state).toEqual({ time: '2024-03-02T09:00:00Z', tokens_spent: 50 });
    // Mid-stream STATEs keep the start: the entries are not in time order across deals.
    for (const s of st.slice(0, -1)) expect(s.stream.stream_state).toEqual({ time: since });
  });

  it('a far-future state asks for no change log and keeps the cursor', async () => {
    serve(PARENTS);
    const r = await readInProcess({ config, streams: [{ name: 'deal_changelog', syncMode: 'incremental', state: { time: '2030-01-01T00:00:00Z' } }] });
    expect(seen.filter((s) => s.path.endsWith('/changelog'))).toEqual([]);
    expect(records(r.messages, 'deal_changelog')).toEqual([]);
    expect(states(r.messages, 'deal_changelog').at(-1)?.stream.stream_state).toEqual({ time: '2030-01-01T00:00:00Z', tokens_spent: 10 });
  });
});
