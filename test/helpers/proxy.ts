/**
 * A pass-through HTTP proxy in front of the emulator that answers some paths itself (403 Forbidden, as Pipedrive does
 * for a plan or permission a user lacks): one stream fails on its own while the others go on.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { trackServer } from './resources.js';

export interface Proxy {
  readonly url: string;
  close(): Promise<void>;
}

export async function forbiddingProxy(target: string, forbidden: RegExp): Promise<Proxy> {
  const to = new URL(target);
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (forbidden.test(path)) {
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ success: false, error: 'You do not have permission to view this', errorCode: 403 }));
      return;
    }
    const upstream = request({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: { ...req.headers, host: to.host } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => { res.writeHead(502); res.end(); });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    // Tracked: closed after its test file at the latest.
    close: trackServer(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); })),
  };
}
