/**
 * The pipelined floor of `npm run bench` (B2): the least work a deals full refresh can do while overlapping the
 * network with the output, as the connector does. It fetches the same v2 pages as the connector
 * (`/api/v2/deals?limit=500&status=open,won,lost,deleted&sort_by=update_time&sort_direction=asc&include_fields=…`, following
 * `additional_data.next_cursor`) over a node:http keep-alive agent, parses each page with `JSON.parse`, sends the
 * request for page n + 1 before it writes page n, builds one `JSON.stringify`ed RECORD line per record and writes
 * each page with one write, waiting for `drain` when stdout's buffer is full.
 *
 * Usage: `node dist/bench/floor-pipelined.js <api_url> <api_token>`.
 */
import http from 'node:http';
import { get, pageUrl, writePage, type Page } from './floorHttp.js';

async function main(apiUrl: string, token: string): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  let records = 0;
  let next: Promise<string> | undefined = get(agent, pageUrl(apiUrl, undefined), token);
  while (next !== undefined) {
    const page = JSON.parse(await next) as Page;
    const cursor = page.additional_data?.next_cursor;
    // Page n + 1 is on its way (the emulator prepares it) while page n is serialised and written.
    next = typeof cursor === 'string' && cursor !== '' ? get(agent, pageUrl(apiUrl, cursor), token) : undefined;
    records += await writePage(page);
  }
  agent.destroy();
  process.stderr.write(`floor-pipelined: ${records} records\n`);
}

const [apiUrl, token] = process.argv.slice(2);
if (apiUrl === undefined || token === undefined) {
  process.stderr.write('usage: node dist/bench/floor-pipelined.js <api_url> <api_token>\n');
  process.exitCode = 2;
} else {
  main(apiUrl, token).catch((err: unknown) => {
    process.stderr.write(`floor-pipelined failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
