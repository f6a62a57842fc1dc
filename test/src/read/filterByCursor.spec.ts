import { describe, it, expect } from 'vitest';
import { of, lastValueFrom, toArray } from 'rxjs';
import { marbles } from '../../helpers/marbles.js';
import { filterByCursor } from '../../../src/read/filterByCursor.js';
import type { JsonObject } from '../../../src/protocol.js';

const rec = (id: number, update_time: unknown): JsonObject => ({ id, update_time });

describe('filterByCursor', () => {
  it('keeps records at or after since (inclusive), v2 RFC 3339 cursors', marbles((m) => {
    const a = [rec(1, '2024-01-01T23:59:59Z'), rec(2, '2024-01-02T00:00:00Z'), rec(3, '2024-01-03T10:00:00.123Z')];
    const b = [rec(4, '2023-12-31T00:00:00Z')];
    const c = [rec(5, '2024-01-02T01:00:00+02:00'), rec(6, '2024-01-02T03:00:00+02:00')];
    const pages = m.cold('-a-b-c|', { a, b, c });
    m.expect(pages.pipe(filterByCursor('update_time', '2024-01-02T00:00:00Z'))).toBeObservable('-x-y-z|', {
      x: [a[1]!, a[2]!],
      y: [],
      z: [c[1]!], // 01:00+02:00 is 2024-01-01T23:00Z
    });
  }));

  it('compares v1 cursors (YYYY-MM-DD HH:MM:SS, UTC) with a since in either format', marbles((m) => {
    const a = [rec(1, '2024-01-01 23:59:59'), rec(2, '2024-01-02 00:00:00'), rec(3, '2024-06-01 12:00:00')];
    m.expect(m.cold('-a|', { a }).pipe(filterByCursor('update_time', '2024-01-02T00:00:00Z'))).toBeObservable('-x|', { x: [a[1]!, a[2]!] });
    m.expect(m.cold('-a|', { a }).pipe(filterByCursor('update_time', '2024-01-02 00:00:00'))).toBeObservable('-x|', { x: [a[1]!, a[2]!] });
    m.expect(m.cold('-a|', { a }).pipe(filterByCursor('update_time', '2024-01-02'))).toBeObservable('-x|', { x: [a[1]!, a[2]!] });
  }));

  it('keeps records whose cursor is missing or unparseable (never lose a record)', marbles((m) => {
    const a = [rec(1, null), rec(2, 'garbage'), { id: 3 }, rec(4, 12345), rec(5, '2020-01-01T00:00:00Z')];
    m.expect(m.cold('-a|', { a }).pipe(filterByCursor('update_time', '2024-01-01T00:00:00Z')))
      .toBeObservable('-x|', { x: [a[0]!, a[1]!, a[2]!, a[3]!] });
  }));

  it('passes everything through when since is undefined', marbles((m) => {
    const a = [rec(1, '2000-01-01T00:00:00Z'), rec(2, 'garbage')];
    const pages = m.cold('-a-b|', { a, b: [] as JsonObject[] });
    m.expect(pages.pipe(filterByCursor('update_time', undefined))).toBeObservable('-a-b|', { a, b: [] });
  }));

  it('passes empty pages (so checkpoints still happen) and errors', marbles((m) => {
    const a = [rec(1, '2000-01-01T00:00:00Z')];
    const err = new Error('boom');
    m.expect(m.cold('-a-b-#', { a, b: [] as JsonObject[] }, err).pipe(filterByCursor('update_time', '2024-01-01T00:00:00Z')))
      .toBeObservable('-x-y-#', { x: [], y: [] }, err);
  }));

  it('follows a dotted cursor path into nested objects', async () => {
    const flow = [{ object: 'dealChange', data: { id: 1, log_time: '2024-01-01 00:00:00' } }, { object: 'activity', data: { id: 2, log_time: '2024-03-01 00:00:00' } }];
    const out = await lastValueFrom(of(flow).pipe(filterByCursor('data.log_time', '2024-02-01T00:00:00Z'), toArray()));
    expect(out).toEqual([[flow[1]!]]);
  });
});
