/**
 * The floor of `npm run bench` (B): the least work a deals full refresh can do. It fetches the same v2
 * pages as the connector (`/api/v2/deals?limit=500&status=open,won,lost,deleted&sort_by=update_time&sort_direction=asc&include_fields=…`,
 * following `additional_data.next_cursor`) over a node:http keep-alive agent, one request at a time,
 * parses each page with `JSON.parse` and writes one `JSON.stringify`ed RECORD line per record to stdout
 * (one write per page, waiting for `drain` when stdout's buffer is full).
 *
 * Usage: `node dist/bench/floor.js <api_url> <api_token>`.
 */
import http from 'node:http';
import { get, pageUrl, writePage, type Page } from './floorHttp.js';

async function main(apiUrl: string, token: string): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  let cursor: string | null | undefined;
  let records = 0;
  do {
    const page = JSON.parse(await get(agent, pageUrl(apiUrl, cursor ?? undefined), token)) as Page;
    records += await writePage(page);
    cursor = page.additional_data?.next_cursor;
  } while (typeof cursor === 'string' && cursor !== '');
  agent.destroy();
  process.stderr.write(`floor: ${records} records\n`);
}

const [apiUrl, token] = process.argv.slice(2);
if (apiUrl === undefined || token === undefined) {
  process.stderr.write('usage: node dist/bench/floor.js <api_url> <api_token>\n');
  process.exitCode = 2;
} else {
  main(apiUrl, token).catch((err: unknown) => {
    process.stderr.write(`floor failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
