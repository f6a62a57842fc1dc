/**
 * Small loopback servers that misbehave the way real APIs, proxies and networks do (issue 12): each test gives a
 * handler; the server records every request, and `close()` ends every open connection (a handler that never answers
 * must not keep the test process alive).
 */
import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo, Socket } from 'node:net';

export interface Seen {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string>;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

export type Handler = (req: Seen, res: ServerResponse) => void;

export interface BadServer {
  readonly url: string;
  readonly requests: Seen[];
  close(): Promise<void>;
}

/** A self-signed certificate for 127.0.0.1 (openssl), made once per process. */
let selfSigned: { key: Buffer; cert: Buffer } | undefined;
function certificate(): { key: Buffer; cert: Buffer } {
  if (selfSigned) return selfSigned;
  const dir = mkdtempSync(join(tmpdir(), 'spd-tls-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
      '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    selfSigned = { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
    return selfSigned;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function startBadServer(handler: Handler, opts: { tls?: boolean } = {}): Promise<BadServer> {
  const requests: Seen[] = [];
  const sockets = new Set<Socket>();
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const seen: Seen = { method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(seen);
      handler(seen, res);
    });
  };
  const server: Server = opts.tls ? createHttps(certificate(), onRequest) : createHttp(onRequest);
  server.on('connection', (s: Socket) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  server.on('secureConnection', (s: Socket) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

/** Answers JSON. */
export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** A v2 page. */
export const v2Page = (data: unknown[], next: string | null) => ({ success: true, data, additional_data: { next_cursor: next } });
