/**
 * Guards of a paging chain, so that an API that misbehaves never makes a stream loop, nor end as if complete:
 *
 * - every answer must be a page: a JSON object holding the records where the definition says (`data` by default;
 *   Pipedrive's `data: null` is an empty page). A 204, or a body without them, is a `SystemError` naming the
 *   endpoint and what came back;
 * - a page whose records (primary key and cursor value) were all on the previous pages of the chain means the
 *   server is serving the same records again under new cursors: a `PagingError`;
 * - a chain has at most `MAX_RECORDS_PER_CHAIN / page size` pages (far more than any Pipedrive account holds).
 */
import { Observable, type MonoTypeOperatorFunction } from 'rxjs';
import type { StreamDefinition } from '../../streams/types.js';
import type { HttpRequest, HttpResponse } from '../http/port.js';
import type { JsonObject } from '../protocol.js';
import { SystemError } from '../errors.js';
import { valueAt } from '../valueAt.js';
import { PagingError, endpointOf } from './paging.js';

/** No list of a Pipedrive company holds more: a chain that pages on past it is a server in a loop. */
export const MAX_RECORDS_PER_CHAIN = 10_000_000;
/** Pages of a chain whose records are remembered to recognise a repeat. */
const REMEMBERED_PAGES = 10;

const describeBody = (body: unknown): string => {
  if (body === null || body === undefined) return 'no body';
  if (Array.isArray(body)) return 'a JSON array';
  if (typeof body !== 'object') return `a JSON ${typeof body}`;
  const keys = Object.keys(body).slice(0, 6);
  return `an object with ${keys.length === 0 ? 'no keys' : `the keys ${keys.join(', ')}`}`;
};

/** The response, if it is a page of `def`'s records; else a `SystemError` naming the endpoint and what came back. */
export function assertPage(def: Pick<StreamDefinition, 'recordSelector'>, request: HttpRequest, response: HttpResponse): HttpResponse {
  const selector = def.recordSelector ?? 'data';
  const body = response.data;
  const dot = selector.lastIndexOf('.');
  const holder = dot < 0 ? body : valueAt(body, selector.slice(0, dot));
  const key = selector.slice(dot + 1);
  const isObject = typeof holder === 'object' && holder !== null && !Array.isArray(holder);
  const records = isObject ? (holder as Record<string, unknown>)[key] : undefined;
  if (isObject && key in holder && (records === null || Array.isArray(records))) return response;
  const what = response.status === 204 ? '204 No Content' : `${response.status} with ${describeBody(body)}${isObject && key in holder ? ` (${selector} is ${Array.isArray(records) ? 'an array' : typeof records})` : ''}`;
  throw new SystemError(`Pipedrive answered ${endpointOf(request)} with ${what} instead of a page of records at ${selector}; the stream cannot be read from this answer`);
}

/** FNV-1a over a string, continuing from `h` (32 bits). */
function fnv(h: number, text: string): number {
  let x = h;
  for (let i = 0; i < text.length; i++) x = Math.imul(x ^ text.charCodeAt(i), 0x01000193);
  return x;
}

const FNV_OFFSET = 0x811c9dc5;
const SEPARATOR = 0x1f;

/** A scalar (or any JSON value) into the hash; numbers and strings without building a string of the whole. */
function mix(h: number, v: unknown): number {
  const x = Math.imul(h ^ SEPARATOR, 0x01000193);
  if (typeof v === 'string') return fnv(x, v);
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) < 0x7fffffff ? Math.imul(x ^ v, 0x01000193) : fnv(x, String(v));
  return fnv(x, JSON.stringify(v) ?? '');
}

/**
 * The identity of a record for repeat detection, as a 32-bit hash: its primary key and cursor value; the whole record
 * where the engine completes the key after paging (`sequence`: change log entries have no id, and two of one second
 * differ only by their values). Hashing keeps the guard cheap on the hot path (no string per record); a collision
 * could only make a page look repeated if every one of its records collided.
 */
function fingerprintOf(def: Pick<StreamDefinition, 'primaryKey' | 'cursorField' | 'sequence'>): (record: JsonObject) => number {
  if (def.sequence !== undefined) return (record) => fnv(FNV_OFFSET, JSON.stringify(record));
  const paths = def.primaryKey.map((p) => p.join('.'));
  const nested = paths.map((p) => p.includes('.'));
  const cursor = def.cursorField;
  const cursorNested = cursor !== undefined && cursor.includes('.');
  return (record) => {
    let h = FNV_OFFSET;
    for (let i = 0; i < paths.length; i++) h = mix(h, nested[i] ? valueAt(record, paths[i] as string) : record[paths[i] as string]);
    if (cursor !== undefined) h = mix(h, cursorNested && !(cursor in record) ? valueAt(record, cursor) : record[cursor]);
    return h;
  };
}

/**
 * The guard of one chain of pages of `def` (one first request and the pages after it): passes the pages through,
 * or errors when a page repeats the records of the previous pages, or when the chain pages on without end.
 *
 * ```text
 * pages:   -a-b-a'|         a' = the records of a again (same keys and cursors)
 * result:  -a-b-#           PagingError
 * ```
 */
export function guardChain<T extends readonly JsonObject[]>(def: Pick<StreamDefinition, 'primaryKey' | 'cursorField' | 'pageSize' | 'name' | 'sequence'>, first: HttpRequest): MonoTypeOperatorFunction<T> {
  const maxPages = Math.ceil(MAX_RECORDS_PER_CHAIN / Math.max(1, def.pageSize ?? 1));
  const fingerprint = fingerprintOf(def);
  return (source) =>
    new Observable<T>((subscriber) => {
      /** The fingerprints of the last pages (typed arrays: no per-key object on the heap). */
      const recent: Int32Array[] = [];
      const seen = (k: number): boolean => recent.some((page) => page.includes(k));
      let pages = 0;
      return source.subscribe({
        next: (records) => {
          pages++;
          if (pages > maxPages) {
            subscriber.error(new PagingError(`Pipedrive's paging of ${endpointOf(first)} did not end after ${maxPages} pages (more than ${MAX_RECORDS_PER_CHAIN} records): it is going in a loop, so the stream stops here incomplete`));
            return;
          }
          const keys = new Int32Array(records.length);
          for (let i = 0; i < records.length; i++) keys[i] = fingerprint(records[i] as JsonObject) | 0;
          // A page is a repeat when every record was on the pages before: the first one that was not ends the check
          // (on an ordinary page, the first record).
          if (records.length > 0 && keys.every(seen)) {
            subscriber.error(new PagingError(`Pipedrive's paging of ${endpointOf(first)} went in a loop: page ${pages} repeats records of the pages before it (same ids, same ${def.cursorField ?? 'values'}) under a new cursor, so the rest of the stream cannot be read`));
            return;
          }
          recent.push(keys);
          if (recent.length > REMEMBERED_PAGES) recent.shift();
          subscriber.next(records);
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
    });
}
