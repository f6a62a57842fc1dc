import { describe, expect, it } from 'vitest';
import { marbles } from '../../helpers/marbles.js';
import { assertPage, guardChain, MAX_RECORDS_PER_CHAIN } from '../../../src/read/pageGuard.js';
import { PagingError } from '../../../src/read/paging.js';
import { SystemError } from '../../../src/errors.js';
import type { HttpRequest } from '../../../src/http/port.js';
import type { JsonObject } from '../../../src/protocol.js';

const first: HttpRequest = { method: 'GET', url: 'https://api.pipedrive.com/api/v2/deals', params: { limit: 500 } };
const def = { name: 'deals', primaryKey: [['id']], cursorField: 'update_time', pageSize: 500 } as const;
const d = (id: number, t = '2026-01-01T00:00:00Z'): JsonObject => ({ id, update_time: t });

describe('assertPage', () => {
  const res = (data: unknown, status = 200) => ({ status, headers: {}, data });
  it('accepts a page: the records array at the selector, or Pipedrive\'s data: null', () => {
    expect(assertPage({}, first, res({ success: true, data: [] }))).toEqual(res({ success: true, data: [] }));
    expect(assertPage({}, first, res({ data: null })).data).toEqual({ data: null });
    expect(assertPage({ recordSelector: 'data.goals' }, first, res({ data: { goals: [] } })).status).toBe(200);
  });
  it.each([
    [res(null, 204), 'with 204 No Content'],
    [res({ success: true }), 'with 200 with an object with the keys success instead'],
    [res({ data: 'x' }), '(data is string)'],
    [res({ data: { id: 1 } }), '(data is object)'],
    [res([1, 2]), 'with 200 with a JSON array'],
  ])('rejects what is not a page, naming the endpoint (%#)', (response, what) => {
    expect(() => assertPage({}, first, response)).toThrow(SystemError);
    expect(() => assertPage({}, first, response)).toThrow('Pipedrive answered GET /api/v2/deals with ');
    expect(() => assertPage({}, first, response)).toThrow(what);
  });
});

describe('guardChain', () => {
  it('passes pages through, and fails at the first page that repeats the records of the pages before it', marbles((m) => {
    const a = [d(1), d(2)];
    const b = [d(3)];
    const again = [d(2), d(1)];
    const pages = m.cold('-a-b-c-|', { a, b, c: again });
    m.expect(pages.pipe(guardChain(def, first))).toBeObservable('-a-b-#', { a, b }, new PagingError("Pipedrive's paging of GET /api/v2/deals went in a loop: page 3 repeats records of the pages before it (same ids, same update_time) under a new cursor, so the rest of the stream cannot be read"));
    m.expect(pages).toHaveSubscriptions('^----!');
  }));

  it('a record seen again with a newer cursor (touched during the read) is not a repeat; empty pages pass', marbles((m) => {
    const a = [d(1), d(2)];
    const touched = [d(2, '2026-02-01T00:00:00Z')];
    m.expect(m.cold('-a-e-t|', { a, e: [], t: touched }).pipe(guardChain(def, first))).toBeObservable('-a-e-t|', { a, e: [], t: touched });
  }));

  it('caps the pages of a chain at MAX_RECORDS_PER_CHAIN / page size', marbles((m) => {
    // A page size of half the cap: 2 pages are allowed, the third is an error.
    const small = { ...def, pageSize: MAX_RECORDS_PER_CHAIN / 2 };
    const a = [d(1)];
    const b = [d(2)];
    const c = [d(3)];
    m.expect(m.cold('-a-b-c|', { a, b, c }).pipe(guardChain(small, first))).toBeObservable('-a-b-#', { a, b }, new PagingError("Pipedrive's paging of GET /api/v2/deals did not end after 2 pages (more than 10000000 records): it is going in a loop, so the stream stops here incomplete"));
  }));
});
