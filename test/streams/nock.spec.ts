/**
 * Every stream, through the real HTTP stack (axios port, auth, budget, retry) against nock:
 * the requests it sends (root, page size, paging, incremental parameters), the records it
 * emits and its STATEs. One table-driven case per stream.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import nock from 'nock';
import { allStreams } from '../../streams/index.js';
import type { StreamDefinition } from '../../streams/types.js';
import { readInProcess, records, states, statuses } from '../helpers/read.js';

const API = 'https://acme.pipedrive.com';
const config = { credentials: { auth_type: 'api_token', api_token: 'nock-token-77' }, api_url: API };
const START = '2024-01-01T00:00:00Z';

interface Seen { path: string; query: Record<string, string> }
let seen: Seen[] = [];
beforeAll(() => { nock.disableNetConnect(); });
afterEach(() => { nock.cleanAll(); seen = []; });

const rootOf = (api: 'v1' | 'v2') => (api === 'v2' ? '/api/v2' : '/api/v1');
const pathRegex = (def: StreamDefinition, path = def.path) => new RegExp(`^${rootOf(def.api)}${path.replace('{id}', '([^/]+)')}$`);

/** A timestamp in the API's own form for the stream (v2 RFC 3339, v1 `YYYY-MM-DD HH:MM:SS`). */
const stamp = (def: StreamDefinition, day: number) => {
  const iso = `2024-02-${String(day).padStart(2, '0')}T10:00:00Z`;
  return def.api === 'v2' ? iso : iso.replace('T', ' ').replace('Z', '');
};

/** A record with the stream's primary key and cursor. */
function recordFor(def: StreamDefinition, n: number, parent?: string): Record<string, unknown> {
  const r: Record<string, unknown> = {};
  for (const path of def.primaryKey) {
    let node = r;
    path.forEach((k, i) => {
      if (i === path.length - 1) node[k] = k === 'object' ? 'dealChange' : typeof n === 'number' && /code|key|name/.test(k) ? `${def.name}_${parent ?? ''}_${n}` : n + (parent ? Number(parent) * 1000 : 0);
      else node = (node[k] ??= {}) as Record<string, unknown>;
    });
  }
  if (def.cursorField) r[def.cursorField] = stamp(def, (n % 27) + 1);
  return r;
}

/** Items per endpoint record of a stream that flattens them (the options of a field). */
const ITEMS = 2;

/** What the endpoint returns as record n: the stream's record, or for a flattening stream a record holding ITEMS of them. */
function endpointRecord(def: StreamDefinition, n: number, parent?: string): Record<string, unknown> {
  const f = def.flatten;
  if (!f) return recordFor(def, n, parent);
  const items = Array.from({ length: ITEMS }, (_, k) => ({ id: n * 10 + k, label: `option ${n}.${k}` }));
  return { [f.parentKey]: `${def.name}_field_${n}`, [f.items]: items };
}

/**
 * Records on the first page: 2, or a full page where the endpoint sends no pagination object (paging goes on while a
 * page is full); the second page has 2.
 */
const firstPageSize = (def: StreamDefinition, tested: StreamDefinition = def): number =>
  def === tested && def.paging.kind === 'offset' && def.paging.pagination === 'none' ? (def.pageSize ?? 2) : 2;

/** Serves two pages for paging endpoints (one for the others), answering every stream's paths. */
function serve(defs: readonly StreamDefinition[], tested: StreamDefinition) {
  nock(API).persist().get(() => true).query(true).reply(function (uri) {
    const url = new URL(uri, API);
    const query = Object.fromEntries(url.searchParams);
    seen.push({ path: url.pathname, query });
    if (url.pathname.endsWith('/deals/summary') || url.pathname.endsWith('/deals/summary/archived')) return [200, { success: true, data: { total_count: 4 } }];
    for (const def of defs) {
      for (const path of [def.path, ...(def.extraPaths ?? [])]) {
        const m = pathRegex(def, path).exec(url.pathname);
        if (!m) continue;
        const parent = m[1] ?? (def.fanOut?.param ? query[def.fanOut.param] : undefined);
        const ids = def.fanOut?.param && !def.path.includes('{id}') ? String(parent ?? '').split(',') : [parent];
        const first = firstPageSize(def, tested);
        const second = def.paging.kind === 'cursor' ? query['cursor'] === 'p2' : def.paging.kind === 'offset' ? query['start'] === String(first) : false;
        const numbers = second ? [first + 1, first + 2] : Array.from({ length: first }, (_, i) => i + 1);
        const data = ids.flatMap((id) => numbers.map((n) => endpointRecord(def, n, id)));
        const body = def.recordSelector === 'data.goals' ? { success: true, data: { goals: data } } : { success: true, data };
        // Each paging shape as the definition declares it (src/read/paging.ts).
        if (def.paging.kind === 'cursor') return [200, { ...body, additional_data: { next_cursor: second ? null : 'p2' } }];
        if (def.paging.kind === 'offset') {
          const pagination = { start: second ? first : 0, limit: def.pageSize, more_items_in_collection: !second };
          if (def.paging.pagination === 'additional_data') return [200, { ...body, additional_data: pagination }];
          if (def.paging.pagination === 'additional_data.pagination') return [200, { ...body, additional_data: { pagination: { ...pagination, ...(second ? {} : { next_start: first }) } } }];
          return [200, body];
        }
        return [200, body];
      }
    }
    return [404, { success: false, error: `unknown path ${url.pathname}` }];
  });
}

const incrementalDefs = allStreams.filter((d) => d.incremental !== 'none' && d.cursorField !== undefined);

describe.each(allStreams.map((d) => [d.name, d] as const))('stream %s', (_name, def) => {
  const withParents = [def, ...(def.fanOut ? [def.fanOut.parent, ...(def.fanOut.parent.fanOut ? [def.fanOut.parent.fanOut.parent] : [])] : [])];
  const incremental = incrementalDefs.includes(def);

  it('full refresh: requests, paging, records, one final STATE, COMPLETE', async () => {
    serve(withParents, def);
    const r = await readInProcess({ config, streams: [{ name: def.name }] });
    const own = seen.filter((s) => [def.path, ...(def.extraPaths ?? [])].some((p) => pathRegex(def, p).test(s.path)));
    expect(own.length, 'requests to its endpoint').toBeGreaterThan(0);
    for (const s of own) {
      expect(s.path.startsWith(rootOf(def.api)), s.path).toBe(true);
      if (def.paging.kind !== 'none' && def.pageSize !== undefined) expect(s.query['limit'], 'page size').toBe(String(def.pageSize));
      for (const [k, v] of Object.entries(def.params ?? {})) expect(s.query[k], k).toBe(String(v));
      expect(s.query['updated_since'], 'no lower bound in a full refresh without start date').toBeUndefined();
      // The fields v2 sends only when asked (include_v1_fields defaults to true).
      expect(s.query['include_fields'], 'include_fields').toBe(def.includeFields?.join(','));
    }
    // A fan-out's parents are read for their ids only: never with include_fields.
    const parentReqs = def.fanOut ? seen.filter((s) => pathRegex(def.fanOut!.parent).test(s.path)) : [];
    for (const s of parentReqs) expect(s.query['include_fields'], `parent ${s.path}`).toBeUndefined();
    if (def.paging.kind === 'cursor') expect(own.some((s) => s.query['cursor'] === 'p2'), 'second page by cursor').toBe(true);
    if (def.paging.kind === 'offset') expect(own.some((s) => s.query['start'] === String(firstPageSize(def))), 'second page by offset').toBe(true);
    const got = records(r.messages, def.name);
    const perPartition = (def.paging.kind === 'none' ? 2 : firstPageSize(def) + 2) * (def.flatten ? ITEMS : 1);
    const partitions = (def.partitions?.length ?? 1) * (1 + (def.extraPaths?.length ?? 0));
    if (!def.fanOut) expect(got.length).toBe(perPartition * partitions);
    else expect(got.length).toBeGreaterThan(0);
    if (def.flatten) {
      const f = def.flatten;
      expect(got.map((r) => r[f.as]), 'items carry their record\'s key').toEqual([1, 2, 3, 4].flatMap((n) => Array<string>(ITEMS).fill(`${def.name}_field_${n}`)));
      expect(got[0]).toEqual({ [f.as]: `${def.name}_field_1`, id: 10, label: 'option 1.0' });
    }
    const idField = def.fanOut?.parentIdField;
    if (idField !== undefined) {
      // Every child carries the id of the parent whose path it was read from, whatever the answer held there (the
      // fixture puts parent × 1000 + n).
      const parents = new Set(own.map((s) => Number(pathRegex(def).exec(s.path)?.[1])));
      expect(parents.size).toBeGreaterThan(1);
      expect(new Set(got.map((r) => r[idField]))).toEqual(parents);
    }
    if (def.sequence) {
      // The fixture's entries differ in time: each is the oldest of its group.
      for (const r of got) expect(r[def.sequence.field]).toBe(0);
    }
    const st = states(r.messages, def.name);
    expect(st).toHaveLength(1);
    expect(st[0]?.sourceStats.recordCount).toBe(got.length);
    expect(statuses(r.messages, def.name)).toEqual(['STARTED', 'RUNNING', 'COMPLETE']);
    expect(r.failed).toBe(false);
  });

  // Full-refresh-only streams have no incremental case.
  if (incremental) it('incremental: lower bound from the state, a STATE per page, cursor advanced', async () => {
    serve(withParents, def);
    const r = await readInProcess({ config, streams: [{ name: def.name, syncMode: 'incremental', state: { [def.cursorField as string]: START } }] });
    const own = seen.filter((s) => pathRegex(def).test(s.path));
    const serverSide = def.incremental === 'server' && !def.fanOut;
    for (const s of own) {
      if (serverSide) {
        expect(s.query[def.serverParams?.since ?? 'updated_since']).toBe(START);
        for (const [k, v] of Object.entries(def.serverParams?.sort ?? {})) expect(s.query[k], k).toBe(String(v));
      } else {
        expect(s.query['updated_since'], 'client-side streams filter locally').toBeUndefined();
      }
    }
    if (def.fanOut?.parent.incremental === 'server') {
      const parentReqs = seen.filter((s) => pathRegex(def.fanOut!.parent).test(s.path));
      expect(parentReqs.every((s) => s.query['updated_since'] === START), 'parents changed since the state only').toBe(true);
    }
    const st = states(r.messages, def.name);
    expect(st.length).toBeGreaterThanOrEqual(2);
    const last = st.at(-1)?.stream.stream_state[def.cursorField as string];
    expect(typeof last === 'string' && last > START, `final cursor ${String(last)}`).toBe(true);
    expect(last).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(st.reduce((a, s) => a + s.sourceStats.recordCount, 0)).toBe(records(r.messages, def.name).length);
    expect(statuses(r.messages, def.name).at(-1)).toBe('COMPLETE');
  });
});
