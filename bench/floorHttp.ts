/**
 * What the two floors of `npm run bench` share: one page of deals over node:http (the same URL as the connector's,
 * include_fields included), and a write to stdout that waits for `drain`.
 */
import http from 'node:http';
import { deals } from '../streams/deals.js';

export interface Page {
  data?: unknown[] | null;
  additional_data?: { next_cursor?: string | null } | null;
}

export function get(agent: http.Agent, url: URL, token: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { agent, headers: { 'x-api-token': token, accept: 'application/json' } }, (res) => {
      res.setEncoding('utf8');
      let body = '';
      res.on('data', (chunk: string) => { body += chunk; });
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`HTTP ${res.statusCode} for ${url.pathname}: ${body.slice(0, 200)}`));
        else resolve(body);
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

export function write(text: string): Promise<void> {
  return process.stdout.write(text) ? Promise.resolve() : new Promise((resolve) => process.stdout.once('drain', () => resolve()));
}

export function pageUrl(apiUrl: string, cursor: string | undefined): URL {
  const url = new URL(`${apiUrl.replace(/\/$/, '')}/api/v2/deals`);
  url.searchParams.set('status', 'open,won,lost,deleted');
  url.searchParams.set('limit', '500');
  url.searchParams.set('sort_by', 'update_time');
  url.searchParams.set('sort_direction', 'asc');
  // The same pages as the connector's (include_v1_fields is on by default).
  url.searchParams.set('include_fields', (deals.includeFields ?? []).join(','));
  if (cursor) url.searchParams.set('cursor', cursor);
  return url;
}

/** Writes the records of a page as RECORD lines, one `JSON.stringify` each, in one write; returns how many. */
export async function writePage(page: Page): Promise<number> {
  const emittedAt = Date.now();
  let out = '';
  let records = 0;
  for (const data of page.data ?? []) {
    out += JSON.stringify({ type: 'RECORD', record: { stream: 'deals', data, emitted_at: emittedAt } }) + '\n';
    records++;
  }
  if (out) await write(out);
  return records;
}
