import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import nock from 'nock';
import { readInProcess, records, states, statuses } from '../../helpers/read.js';
import { streamByName } from '../../../streams/index.js';

const API = 'https://acme.pipedrive.com';
const config = { credentials: { auth_type: 'api_token', api_token: 'tok-secret-123' }, api_url: API };

type Query = Record<string, string>;
const seen: Array<{ path: string; query: Query; token: string | undefined }> = [];

function v2Page(data: unknown[], next: string | null) {
  return { success: true, data, additional_data: { next_cursor: next } };
}
function v1Page(data: unknown[], start: number, more: boolean) {
  return { success: true, data, additional_data: { pagination: { start, limit: 500, more_items_in_collection: more, ...(more ? { next_start: start + data.length } : {}) } } };
}
const deal = (id: number, t: string, extra: Record<string, unknown> = {}) => ({ id, title: `Deal ${id}`, update_time: t, add_time: '2020-01-01T00:00:00Z', ...extra });

function record(this: { req: { path: string; headers: Record<string, string | string[] | undefined> } }, uri: string) {
  const url = new URL(uri, API);
  const h = this.req.headers['x-api-token'];
  seen.push({ path: url.pathname, query: Object.fromEntries(url.searchParams), token: Array.isArray(h) ? h[0] : h });
  return url;
}

beforeAll(() => { nock.disableNetConnect(); });
afterEach(() => { nock.cleanAll(); seen.length = 0; });

describe('read: v2 cursor paging (deals)', () => {
  it('full refresh pages with limit=500 and the cursor, includes deleted deals, one final STATE', async () => {
    nock(API).get('/api/v1/deals/summary').reply(200, { success: true, data: { total_count: 3 } });
    nock(API).get('/api/v2/deals').query(true).times(2).reply(function (uri) {
      const url = record.call(this as never, uri);
      return url.searchParams.get('cursor') === 'c2'
        ? [200, v2Page([deal(3, '2024-03-01T00:00:00Z', { is_deleted: true })], null)]
        : [200, v2Page([deal(1, '2024-01-01T00:00:00Z'), deal(2, '2024-02-01T00:00:00Z')], 'c2')];
    });
    const r = await readInProcess({ config, streams: [{ name: 'deals' }] });
    // include_v1_fields defaults to true: every include_fields value of the definition.
    const include_fields = streamByName('deals')?.includeFields?.join(',');
    expect(include_fields).toContain('activities_count');
    expect(seen.map((s) => s.query)).toEqual([
      { limit: '500', status: 'open,won,lost,deleted', include_fields, sort_by: 'update_time', sort_direction: 'asc' },
      { limit: '500', status: 'open,won,lost,deleted', include_fields, sort_by: 'update_time', sort_direction: 'asc', cursor: 'c2' },
    ]);
    expect(seen.every((s) => s.token === 'tok-secret-123')).toBe(true);
    expect(records(r.messages, 'deals').map((d) => d['id'])).toEqual([1, 2, 3]);
    expect(records(r.messages, 'deals')[2]).toMatchObject({ is_deleted: true, _ab_cdc_deleted_at: '2024-03-01T00:00:00Z' });
    const st = states(r.messages, 'deals');
    expect(st).toHaveLength(1);
    expect(st[0]).toMatchObject({ stream: { stream_state: {} }, sourceStats: { recordCount: 3 } });
    expect(statuses(r.messages, 'deals')).toEqual(['STARTED', 'RUNNING', 'COMPLETE']);
    expect(r.failed).toBe(false);
    // The v1 summary (40 tokens) gives the estimate; two v2 pages cost 10 each.
    expect(r.tokens.get('deals')).toBe(60);
    const estimate = r.messages.find((m) => m.type === 'TRACE' && (m['trace'] as { type: string }).type === 'ESTIMATE');
    expect(estimate?.['trace']).toMatchObject({ estimate: { name: 'deals', type: 'STREAM', row_estimate: 3 } });
  });

  it('with include_v1_fields false, asks for no include_fields', async () => {
    nock(API).get('/api/v1/deals/summary').reply(200, { success: true, data: { total_count: 1 } });
    nock(API).get('/api/v2/deals').query(true).reply(function (uri) {
      record.call(this as never, uri);
      return [200, v2Page([deal(1, '2024-01-01T00:00:00Z')], null)];
    });
    const r = await readInProcess({ config: { ...config, include_v1_fields: false }, streams: [{ name: 'deals' }] });
    expect(records(r.messages, 'deals')).toHaveLength(1);
    expect(seen.map((s) => s.query)).toEqual([{ limit: '500', status: 'open,won,lost,deleted', sort_by: 'update_time', sort_direction: 'asc' }]);
  });

  it('incremental sends updated_since from the state and checkpoints after every page', async () => {
    nock(API).get('/api/v2/deals').query(true).times(2).reply(function (uri) {
      const url = record.call(this as never, uri);
      return url.searchParams.get('cursor') === 'c2'
        ? [200, v2Page([deal(9, '2024-05-02T00:00:00Z')], null)]
        : [200, v2Page([deal(7, '2024-05-01T00:00:00Z'), deal(8, '2024-05-01T10:00:00Z')], 'c2')];
    });
    const r = await readInProcess({ config, streams: [{ name: 'deals', syncMode: 'incremental', state: { update_time: '2024-04-30T00:00:00Z' } }] });
    expect(seen[0]?.query['updated_since']).toBe('2024-04-30T00:00:00Z');
    const st = states(r.messages, 'deals');
    expect(st.map((s) => [s.stream.stream_state['update_time'], s.sourceStats.recordCount])).toEqual([
      ['2024-05-01T10:00:00Z', 2], ['2024-05-02T00:00:00Z', 1], ['2024-05-02T00:00:00Z', 0],
    ]);
    // Every STATE comes after the records it covers.
    const order = r.messages.filter((m) => m.type === 'RECORD' || m.type === 'STATE').map((m) => m.type[0]).join('');
    expect(order).toBe('RRSRSS');
  });

  it('an estimate that fails does not fail the stream', async () => {
    nock(API).get('/api/v1/deals/summary').reply(403, { success: false, error: 'Forbidden' });
    nock(API).get('/api/v2/deals').query(true).reply(200, v2Page([deal(1, '2024-01-01T00:00:00Z')], null));
    const r = await readInProcess({ config, streams: [{ name: 'deals' }] });
    expect(records(r.messages, 'deals')).toHaveLength(1);
    expect(statuses(r.messages, 'deals')).toEqual(['STARTED', 'RUNNING', 'COMPLETE']);
    expect(r.failed).toBe(false);
    // Only answered requests spend tokens: the refused summary does not count.
    expect(r.tokens.get('deals')).toBe(10);
    expect(r.requests).toBe(2);
  });

  it('applies replication_start_date as the lower bound when there is no state', async () => {
    nock(API).get('/api/v2/deals').query(true).reply(function (uri) { record.call(this as never, uri); return [200, v2Page([], null)]; });
    const r = await readInProcess({ config: { ...config, replication_start_date: '2023-06-01' }, streams: [{ name: 'deals', syncMode: 'incremental' }] });
    expect(seen[0]?.query['updated_since']).toBe('2023-06-01T00:00:00Z');
    expect(states(r.messages, 'deals').at(-1)?.stream.stream_state).toEqual({ update_time: '2023-06-01T00:00:00Z', tokens_spent: 10 });
    expect(statuses(r.messages, 'deals')).toEqual(['STARTED', 'RUNNING', 'COMPLETE']);
  });
});

describe('read: v1 offset paging (notes, server incremental)', () => {
  it('sends updated_since (RFC 3339, as /notes documents) and sort, follows next_start, stops when no more items', async () => {
    nock(API).get('/api/v1/notes').query(true).times(2).reply(function (uri) {
      const url = record.call(this as never, uri);
      return url.searchParams.get('start') === '2'
        ? [200, v1Page([{ id: 3, update_time: '2024-01-03 00:00:00' }], 2, false)]
        : [200, v1Page([{ id: 1, update_time: '2024-01-01 00:00:00' }, { id: 2, update_time: '2024-01-02 00:00:00' }], 0, true)];
    });
    const r = await readInProcess({ config, streams: [{ name: 'notes', syncMode: 'incremental', state: { update_time: '2023-12-31 00:00:00' } }] });
    expect(seen.map((s) => s.query)).toEqual([
      { limit: '500', sort: 'update_time ASC', updated_since: '2023-12-31T00:00:00Z' },
      { limit: '500', sort: 'update_time ASC', updated_since: '2023-12-31T00:00:00Z', start: '2' },
    ]);
    expect(records(r.messages, 'notes').map((n) => n['id'])).toEqual([1, 2, 3]);
    expect(states(r.messages, 'notes').map((s) => s.stream.stream_state['update_time'])).toEqual([
      '2024-01-02T00:00:00Z', '2024-01-03T00:00:00Z', '2024-01-03T00:00:00Z',
    ]);
  });

  it('accepts a response without additional_data as the last page', async () => {
    nock(API).get('/api/v1/notes').query(true).reply(200, { success: true, data: [{ id: 1, update_time: '2024-01-01 00:00:00' }] });
    const r = await readInProcess({ config, streams: [{ name: 'notes' }] });
    expect(records(r.messages, 'notes')).toHaveLength(1);
    expect(statuses(r.messages, 'notes')).toEqual(['STARTED', 'RUNNING', 'COMPLETE']);
  });
});

describe('read: client-side incremental (pipelines)', () => {
  it('filters by cursor, keeps the start cursor mid-stream and advances only at the end', async () => {
    nock(API).get('/api/v2/pipelines').query(true).times(2).reply(function (uri) {
      const url = record.call(this as never, uri);
      return url.searchParams.get('cursor') === 'n'
        ? [200, v2Page([{ id: 3, update_time: '2024-02-01T00:00:00Z' }], null)]
        : [200, v2Page([{ id: 1, update_time: '2024-09-01T00:00:00Z' }, { id: 2, update_time: '2023-01-01T00:00:00Z' }], 'n')];
    });
    const r = await readInProcess({ config, streams: [{ name: 'pipelines', syncMode: 'incremental', state: { update_time: '2024-01-01T00:00:00Z' } }] });
    expect(seen[0]?.query['updated_since']).toBeUndefined();
    expect(records(r.messages, 'pipelines').map((p) => p['id'])).toEqual([1, 3]);
    expect(states(r.messages, 'pipelines').map((s) => s.stream.stream_state['update_time'])).toEqual([
      '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z', '2024-09-01T00:00:00Z',
    ]);
  });

  it('a far-future state returns no records and one STATE per page keeping the cursor', async () => {
    nock(API).get('/api/v2/pipelines').query(true).reply(200, v2Page([{ id: 1, update_time: '2024-09-01T00:00:00Z' }], null));
    const r = await readInProcess({ config, streams: [{ name: 'pipelines', syncMode: 'incremental', state: { update_time: '2999-01-01T00:00:00Z' } }] });
    expect(records(r.messages)).toHaveLength(0);
    expect(states(r.messages, 'pipelines').at(-1)?.stream.stream_state).toEqual({ update_time: '2999-01-01T00:00:00Z', tokens_spent: 5 });
  });
});

describe('read: fan-out (deal_products)', () => {
  it('asks only for deals changed since the state and batches 100 deal ids per request', async () => {
    const parents = Array.from({ length: 150 }, (_, i) => deal(i + 1, '2024-06-01T00:00:00Z'));
    nock(API).get('/api/v2/deals').query(true).reply(function (uri) { record.call(this as never, uri); return [200, v2Page(parents, null)]; });
    nock(API).get('/api/v2/deals/products').query(true).times(2).reply(function (uri) {
      const url = record.call(this as never, uri);
      const ids = (url.searchParams.get('deal_ids') ?? '').split(',').map(Number);
      return [200, v2Page(ids.map((id) => ({ id: id * 10, deal_id: id, update_time: id === 1 ? '2020-01-01T00:00:00Z' : '2024-06-01T00:00:00Z' })), null)];
    });
    const r = await readInProcess({ config, streams: [{ name: 'deal_products', syncMode: 'incremental', state: { update_time: '2024-05-01T00:00:00Z' } }] });
    const [parentReq, ...childReqs] = seen;
    expect(parentReq?.query['updated_since']).toBe('2024-05-01T00:00:00Z');
    expect(childReqs.map((c) => c.query['deal_ids']?.split(',').length)).toEqual([100, 50]);
    // The product of deal 1 has not changed since the state: it is filtered out.
    expect(records(r.messages, 'deal_products')).toHaveLength(149);
    // The final STATE also carries the tokens the stream spent (1 parent page and 2 child requests, 10 each).
    expect(states(r.messages, 'deal_products').at(-1)?.stream.stream_state).toEqual({ update_time: '2024-06-01T00:00:00Z', tokens_spent: 30 });
  });
});

describe('read: mail (threads of every folder, then their messages)', () => {
  it('reads the four folders and one message request per distinct thread', async () => {
    nock(API).get('/api/v1/mailbox/mailThreads').query(true).times(4).reply(function (uri) {
      const url = record.call(this as never, uri);
      const folder = url.searchParams.get('folder');
      return [200, v1Page([{ id: folder === 'inbox' ? 1 : folder === 'sent' ? 2 : 3, update_time: '2024-01-01 00:00:00' }], 0, false)];
    });
    nock(API).get(/\/api\/v1\/mailbox\/mailThreads\/\d+\/mailMessages/).query(true).times(3).reply(function (uri) {
      const url = record.call(this as never, uri);
      const thread = Number(url.pathname.split('/')[5]);
      return [200, { success: true, data: [{ id: thread * 100, mail_thread_id: thread, update_time: '2024-01-01 00:00:00' }] }];
    });
    const r = await readInProcess({ config, streams: [{ name: 'mail' }] });
    expect(seen.filter((s) => s.path === '/api/v1/mailbox/mailThreads').map((s) => s.query['folder']).sort()).toEqual(['archive', 'drafts', 'inbox', 'sent']);
    expect(records(r.messages, 'mail').map((m) => m['id']).sort()).toEqual([100, 200, 300]);
    // Thread 3 sits in two folders: its messages are fetched once.
    expect(seen.filter((s) => s.path.endsWith('/mailMessages'))).toHaveLength(3);
  });
});

describe('read: failures', () => {
  it.each([403, 404, 410])('a %i for one parent of a substream skips that parent, logs it, and the stream completes', async (status) => {
    nock(API).get('/api/v2/deals').query(true).reply(200, v2Page([deal(1, '2024-01-01T00:00:00Z'), deal(2, '2024-01-02T00:00:00Z'), deal(3, '2024-01-03T00:00:00Z')], null));
    // A full read of deal_flow counts its parents first (the cost preview: one request per deal).
    nock(API).get('/api/v1/deals/summary').reply(200, { success: true, data: { total_count: 3 } });
    nock(API).get('/api/v1/deals/1/flow').query(true).reply(200, { success: true, data: [{ object: 'dealChange', timestamp: '2024-01-01 00:00:00', data: { id: 11 } }] });
    nock(API).get('/api/v1/deals/2/flow').query(true).reply(status, { success: false, error: 'no access' });
    nock(API).get('/api/v1/deals/3/flow').query(true).reply(200, { success: true, data: [{ object: 'dealChange', timestamp: '2024-01-03 00:00:00', data: { id: 33 } }] });
    const r = await readInProcess({ config, streams: [{ name: 'deal_flow' }] });
    expect(records(r.messages, 'deal_flow').map((x) => (x['data'] as { id: number }).id)).toEqual([11, 33]);
    expect(statuses(r.messages, 'deal_flow')).toEqual(['STARTED', 'RUNNING', 'COMPLETE']);
    const warn = r.messages.find((m) => m.type === 'LOG' && (m['log'] as { message: string }).message.includes('skipped deals 2'));
    expect(warn?.['log']).toMatchObject({ level: 'WARN' });
    expect(r.failed).toBe(false);
  });

  it('a stream failing mid-way hands back its last safe STATE right before INCOMPLETE', async () => {
    nock(API).get('/api/v2/deals').query((q) => q['cursor'] === undefined).reply(200, v2Page([deal(1, '2024-05-01T00:00:00Z')], 'c2'));
    nock(API).get('/api/v2/deals').query((q) => q['cursor'] === 'c2').reply(410, { success: false, error: 'Gone' });
    const r = await readInProcess({ config, streams: [{ name: 'deals', syncMode: 'incremental', state: { update_time: '2024-01-01T00:00:00Z' } }] });
    const st = states(r.messages, 'deals');
    expect(st.map((x) => [x.stream.stream_state['update_time'], x.sourceStats.recordCount])).toEqual([['2024-05-01T00:00:00Z', 1], ['2024-05-01T00:00:00Z', 0]]);
    expect(statuses(r.messages, 'deals')).toEqual(['STARTED', 'RUNNING', 'INCOMPLETE']);
    const stream = r.messages.filter((m) => m.type !== 'LOG');
    const beforeError = stream.findIndex((m) => m.type === 'TRACE' && (m['trace'] as { type: string }).type === 'ERROR');
    expect(stream[beforeError - 1]?.type).toBe('STATE');
    expect((stream[beforeError]?.['trace'] as { error: { failure_type: string } }).error.failure_type).toBe('system_error');
    // The failure is logged too.
    expect(r.stderr).toMatch(/ERROR deals: Pipedrive answered 410/);
  });

  it('a stream the plan lacks (402 on a plan-gated stream) ends with a WARN, its STATE and COMPLETE; the read succeeds', async () => {
    nock(API).get('/api/v2/boards').query(true).reply(402, { success: false, error: 'Payment required', error_info: 'Upgrade to use projects' });
    nock(API).get('/api/v1/currencies').query(true).reply(200, { success: true, data: [{ id: 1, code: 'EUR' }] });
    const r = await readInProcess({ config, streams: [{ name: 'boards' }, { name: 'currencies' }] });
    expect(statuses(r.messages, 'boards')).toEqual(['STARTED', 'RUNNING', 'COMPLETE']);
    expect(records(r.messages, 'boards')).toEqual([]);
    expect(states(r.messages, 'boards').map((x) => x.stream.stream_state)).toEqual([{ tokens_spent: 0 }]);
    const warn = r.messages.find((m) => m.type === 'LOG' && (m['log'] as { message: string }).message.startsWith('boards is not available on this Pipedrive plan'));
    expect(warn?.['log']).toMatchObject({ level: 'WARN' });
    expect((warn?.['log'] as { message: string }).message).toContain('402');
    expect(r.failed).toBe(false);
    // A 403 on the same stream is a permission problem the user can fix: it still fails the stream.
    nock(API).get('/api/v2/boards').query(true).reply(403, { success: false, error: 'Forbidden' });
    const f = await readInProcess({ config, streams: [{ name: 'boards' }] });
    expect(statuses(f.messages, 'boards')).toEqual(['STARTED', 'RUNNING', 'INCOMPLETE']);
    expect(f.failed).toBe(true);
  });

  it('a 403 fails that stream (INCOMPLETE, TRACE ERROR with its descriptor) while the others complete', async () => {
    nock(API).get('/api/v1/goals/find').query(true).reply(403, { success: false, error: 'Forbidden', error_info: 'Plan lacks goals' });
    nock(API).get('/api/v1/currencies').query(true).reply(200, { success: true, data: [{ id: 1, code: 'EUR' }] });
    const r = await readInProcess({ config, streams: [{ name: 'goals' }, { name: 'currencies' }] });
    expect(statuses(r.messages, 'goals')).toEqual(['STARTED', 'RUNNING', 'INCOMPLETE']);
    expect(statuses(r.messages, 'currencies')).toEqual(['STARTED', 'RUNNING', 'COMPLETE']);
    const err = r.messages.find((m) => m.type === 'TRACE' && (m['trace'] as { type: string }).type === 'ERROR');
    expect(err?.['trace']).toMatchObject({ error: { failure_type: 'config_error', stream_descriptor: { name: 'goals' } } });
    expect(JSON.stringify(r.messages)).not.toContain('tok-secret-123');
    expect(r.stderr).not.toContain('tok-secret-123');
    expect(states(r.messages, 'goals')).toHaveLength(1);
    expect(r.failed).toBe(true);
  });
});
