import { describe, it, expect } from 'vitest';
import { defer } from 'rxjs';
import type { Observable } from 'rxjs';
import { marbles } from '../../helpers/marbles.js';
import { RepeatedRequestError, paginate } from '../../../operators/index.js';
import { PagingError, nextCursorRequest, nextOffsetRequest, nextRequestOf } from '../../../src/read/paging.js';
import type { HttpRequest, HttpResponse } from '../../../src/http/port.js';
import { HttpError } from '../../../src/errors.js';

const first: HttpRequest = { method: 'GET', url: 'https://api.pipedrive.com/api/v2/deals', params: { limit: 500 } };
const v1first: HttpRequest = { method: 'GET', url: 'https://api.pipedrive.com/v1/files', params: { limit: 2 } };

const res = (data: unknown): HttpResponse => ({ status: 200, headers: {}, data });
const v2page = (ids: number[], next: string | null | undefined, noAdditional = false): HttpResponse =>
  res({ success: true, data: ids.map((id) => ({ id })), ...(noAdditional ? {} : { additional_data: next === undefined ? {} : { next_cursor: next } }) });
const v1page = (ids: number[], start: number, more: boolean, nextStart?: number): HttpResponse =>
  res({
    success: true,
    data: ids.map((id) => ({ id })),
    additional_data: { pagination: { start, limit: 2, more_items_in_collection: more, ...(nextStart !== undefined ? { next_start: nextStart } : {}) } },
  });

/** A fetch that serves one cold Observable per key of the request and counts its calls. */
function server<K extends string | number>(keyOf: (q: HttpRequest) => K, pages: Record<K, Observable<HttpResponse>>) {
  const calls: HttpRequest[] = [];
  const fetch = (q: HttpRequest): Observable<HttpResponse> =>
    defer(() => {
      calls.push(q);
      const page = pages[keyOf(q)];
      if (!page) throw new Error(`unexpected request ${JSON.stringify(q.params)}`);
      return page;
    });
  return { fetch, calls };
}
const byCursor = (q: HttpRequest): string => String(q.params?.['cursor'] ?? '');
const byStart = (q: HttpRequest): number => Number(q.params?.['start'] ?? 0);

describe('paginate with nextCursorRequest (API v2)', () => {
  it('follows next_cursor over several pages, in order, one request at a time', marbles((m) => {
    const a = v2page([1, 2], 'c1');
    const b = v2page([3, 4], 'c2');
    const c = v2page([5], null);
    const p1 = m.cold('--(a|)', { a });
    const p2 = m.cold('--(b|)', { b });
    const p3 = m.cold('--(c|)', { c });
    const { fetch, calls } = server(byCursor, { '': p1, c1: p2, c2: p3 });
    const requests = m.cold('(q|)', { q: first });
    m.expect(requests.pipe(paginate(fetch, nextCursorRequest))).toBeObservable('--a-b-(c|)', { a, b, c });
    m.expect(p1).toHaveSubscriptions('^-!');
    m.expect(p2).toHaveSubscriptions('--^-!');
    m.expect(p3).toHaveSubscriptions('----^-!');
    m.flush();
    expect(calls.map((q) => q.params)).toEqual([{ limit: 500 }, { limit: 500, cursor: 'c1' }, { limit: 500, cursor: 'c2' }]);
    expect(calls[1]?.url).toBe(first.url);
  }));

  it('sends the request for the next page before it hands the page downstream', marbles((m) => {
    const a = v2page([1, 2], 'c1');
    const b = v2page([3], null);
    const { fetch, calls } = server(byCursor, { '': m.cold('--(a|)', { a }), c1: m.cold('--(b|)', { b }) });
    const seen: number[] = [];
    m.cold('(q|)', { q: first }).pipe(paginate(fetch, nextCursorRequest, m.scheduler)).subscribe(() => seen.push(calls.length));
    m.flush();
    // When page a reaches the subscriber, the request for page b has already been made.
    expect(seen).toEqual([2, 2]);
  }));

  it('a next request that fails at once errors after the page before it', marbles((m) => {
    const a = v2page([1, 2], 'c1');
    const err = new HttpError({ status: 500, method: 'GET', path: '/api/v2/deals' });
    // The next request fails synchronously: page a still comes first.
    const { fetch } = server(byCursor, { '': m.cold('-(a|)', { a }), c1: m.cold('#', undefined, err) });
    m.expect(m.cold('(q|)', { q: first }).pipe(paginate(fetch, nextCursorRequest, m.scheduler))).toBeObservable('-(a#)', { a }, err);
  }));

  it('a single page (next_cursor null) makes exactly one request', marbles((m) => {
    const a = v2page([1], null);
    const p1 = m.cold('-(a|)', { a });
    const { fetch, calls } = server(byCursor, { '': p1 });
    m.expect(m.cold('(q|)', { q: first }).pipe(paginate(fetch, nextCursorRequest))).toBeObservable('-(a|)', { a });
    m.expect(p1).toHaveSubscriptions('^!');
    m.flush();
    expect(calls).toHaveLength(1);
  }));

  it('missing, null or empty additional_data / next_cursor ends paging', () => {
    expect(nextCursorRequest(v2page([1], undefined, true), first)).toBeNull();
    expect(nextCursorRequest(res({ data: [], additional_data: null }), first)).toBeNull();
    expect(nextCursorRequest(v2page([1], undefined), first)).toBeNull();
    expect(nextCursorRequest(v2page([1], ''), first)).toBeNull();
    expect(nextCursorRequest(res(null), first)).toBeNull();
    expect(nextCursorRequest(v2page([1], 'x'), first)).toEqual({ ...first, params: { limit: 500, cursor: 'x' } });
  });

  it('fails (PagingError naming the endpoint) when the server repeats the cursor it was just given', () => {
    const q = { ...first, params: { limit: 500, cursor: 'same' } };
    expect(() => nextCursorRequest(v2page([1], 'same'), q)).toThrow(PagingError);
    expect(() => nextCursorRequest(v2page([1], 'same'), q)).toThrow(/GET \/api\/v2\/deals went in a loop/);
  });

  it('fails after the pages it read when a cursor comes back later in the chain (A → B → A)', marbles((m) => {
    const a = v2page([1], 'B');
    const b = v2page([2], 'A');
    const again = v2page([3], 'B');
    const { fetch, calls } = server(byCursor, { '': m.cold('-(a|)', { a }), B: m.cold('-(b|)', { b }), A: m.cold('-(x|)', { x: again }) });
    const out = m.cold('(q|)', { q: first }).pipe(paginate(fetch, nextCursorRequest));
    m.expect(out).toBeObservable('-ab(c#)', { a, b, c: again }, new RepeatedRequestError({ ...first, params: { limit: 500, cursor: 'B' } }, 3));
    m.flush();
    expect(calls.map(byCursor)).toEqual(['', 'B', 'A']);
  }));

  it('propagates an error in the middle of paging and requests nothing after it', marbles((m) => {
    const a = v2page([1], 'c1');
    const err = new HttpError({ status: 500, method: 'GET', path: '/api/v2/deals' });
    const p1 = m.cold('-(a|)', { a });
    const p2 = m.cold('--#', undefined, err);
    const { fetch, calls } = server(byCursor, { '': p1, c1: p2 });
    m.expect(m.cold('(q|)', { q: first }).pipe(paginate(fetch, nextCursorRequest))).toBeObservable('-a-#', { a }, err);
    m.expect(p2).toHaveSubscriptions('-^-!');
    m.flush();
    expect(calls).toHaveLength(2);
  }));

  it('handles several first requests (partitions) one after the other', marbles((m) => {
    const a1 = v2page([1], 'n');
    const a2 = v2page([2], null);
    const b1 = v2page([3], null);
    const pa1 = m.cold('-(a|)', { a: a1 });
    const pa2 = m.cold('-(a|)', { a: a2 });
    const pb1 = m.cold('-(b|)', { b: b1 });
    const partA = { ...first, params: { ...first.params, folder: 'inbox' } };
    const partB = { ...first, params: { ...first.params, folder: 'sent' } };
    const { fetch } = server((q) => `${String(q.params?.['folder'])}/${byCursor(q)}`, { 'inbox/': pa1, 'inbox/n': pa2, 'sent/': pb1 });
    m.expect(m.cold('(xy|)', { x: partA, y: partB }).pipe(paginate(fetch, nextCursorRequest)))
      .toBeObservable('-ab(c|)', { a: a1, b: a2, c: b1 });
    m.expect(pb1).toHaveSubscriptions('--^!');
  }));
});

describe('paginate with nextOffsetRequest (API v1)', () => {
  it('follows next_start while more_items_in_collection, and stops when it is false', marbles((m) => {
    const a = v1page([1, 2], 0, true, 2);
    const b = v1page([3, 4], 2, true, 4);
    const c = v1page([5], 4, false);
    const p0 = m.cold('-(a|)', { a });
    const p2 = m.cold('-(b|)', { b });
    const p4 = m.cold('-(c|)', { c });
    const { fetch, calls } = server(byStart, { 0: p0, 2: p2, 4: p4 });
    m.expect(m.cold('(q|)', { q: v1first }).pipe(paginate(fetch, nextOffsetRequest))).toBeObservable('-ab(c|)', { a, b, c });
    m.expect(p4).toHaveSubscriptions('--^!');
    m.flush();
    expect(calls.map((q) => q.params)).toEqual([{ limit: 2 }, { limit: 2, start: 2 }, { limit: 2, start: 4 }]);
  }));

  it('more_items_in_collection false with a next_start still ends paging', () => {
    expect(nextOffsetRequest(v1page([1], 0, false, 2), v1first)).toBeNull();
  });

  it('missing additional_data or pagination ends paging', () => {
    expect(nextOffsetRequest(res({ data: [] }), v1first)).toBeNull();
    expect(nextOffsetRequest(res({ data: [], additional_data: {} }), v1first)).toBeNull();
    expect(nextOffsetRequest(res({ data: [], additional_data: { pagination: null } }), v1first)).toBeNull();
    expect(nextOffsetRequest(res(undefined), v1first)).toBeNull();
  });

  it('a next_start that does not move past the current start while there are more items is a PagingError (no loop, no silent end)', () => {
    const at2 = { ...v1first, params: { limit: 2, start: 2 } };
    expect(() => nextOffsetRequest(v1page([1], 2, true, 2), at2)).toThrow(PagingError);
    expect(() => nextOffsetRequest(v1page([1], 2, true, 0), at2)).toThrow(/GET \/v1\/files did not move on: .*next start 0 after start 2/);
    expect(nextOffsetRequest(v1page([1], 2, true, 4), at2)).toEqual({ ...v1first, params: { limit: 2, start: 4 } });
    // more_items_in_collection false ends paging whatever next_start says.
    expect(nextOffsetRequest(v1page([1], 2, false, 0), at2)).toBeNull();
  });

  it('a server that keeps answering the same next_start fails the chain after the pages it read', marbles((m) => {
    const stuck = v1page([1, 2], 0, true, 2);
    const { fetch, calls } = server(() => 'any', { any: m.cold('-(a|)', { a: stuck }) });
    const out = m.cold('(q|)', { q: v1first }).pipe(paginate(fetch, nextOffsetRequest));
    m.expect(out).toBeObservable('-a(b#)', { a: stuck, b: stuck }, new PagingError("Pipedrive's paging of GET /v1/files did not move on: it said there are more items but gave the next start 2 after start 2, so the rest of the stream cannot be read"));
    m.flush();
    expect(calls.map((q) => q.params?.['start'])).toEqual([undefined, 2]);
  }));
});

describe('paging as data (StreamDefinition.paging)', () => {
  it('offset paging at additional_data (the spec schema of /leads): more_items_in_collection there, next start = start + records', () => {
    const next = nextRequestOf({ kind: 'offset', pagination: 'additional_data' });
    const page = (start: number, more: boolean, n: number) => res({ success: true, data: Array.from({ length: n }, (_, i) => ({ id: start + i })), additional_data: { start, limit: 2, more_items_in_collection: more } });
    expect(next(page(0, true, 2), v1first)).toEqual({ ...v1first, params: { limit: 2, start: 2 } });
    expect(next(page(2, false, 1), { ...v1first, params: { limit: 2, start: 2 } })).toBeNull();
    // A next_start there is honoured.
    expect(next(res({ data: [{ id: 1 }], additional_data: { more_items_in_collection: true, next_start: 7 } }), v1first)).toEqual({ ...v1first, params: { limit: 2, start: 7 } });
    // The pagination object elsewhere than declared does not page: the shape is data, not guessed.
    expect(next(v1page([1, 2], 0, true, 2), v1first)).toBeNull();
  });

  it('offset paging without a pagination object goes on while a page is full', () => {
    const next = nextRequestOf({ kind: 'offset', pagination: 'none' });
    expect(next(res({ data: [{ id: 1 }, { id: 2 }] }), v1first)).toEqual({ ...v1first, params: { limit: 2, start: 2 } });
    expect(next(res({ data: [{ id: 3 }] }), { ...v1first, params: { limit: 2, start: 2 } })).toBeNull();
    expect(next(res({ data: null }), v1first)).toBeNull();
  });

  it('cursor and none', () => {
    expect(nextRequestOf({ kind: 'cursor' })(v2page([1], 'x'), first)).toEqual({ ...first, params: { limit: 500, cursor: 'x' } });
    expect(nextRequestOf({ kind: 'none' })(v2page([1], 'x'), first)).toBeNull();
    expect(nextRequestOf({ kind: 'offset', pagination: 'additional_data.pagination' })(v1page([1, 2], 0, true, 2), v1first)).toEqual({ ...v1first, params: { limit: 2, start: 2 } });
  });
});
