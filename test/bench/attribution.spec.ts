/** The bench's attribution of the emulator's request log to streams, and its parsing of retry WARN lines. */
import { describe, expect, it } from 'vitest';
import type { RequestLogEntry } from '../../emulator/server.js';
import { allStreams, streamByName, type StreamDefinition } from '../../streams/index.js';
import { attribute, disjointOrder, patternsOf } from '../../bench/attribution.js';
import { retryStats } from '../../bench/fanout.js';

const entry = (path: string, tokenCost: number): RequestLogEntry => ({ method: 'GET', path, query: {}, status: 200, tokenCost, auth: 'token', at: 0 });
const def = (name: string): StreamDefinition => {
  const d = streamByName(name);
  if (!d) throw new Error(`no stream ${name}`);
  return d;
};

describe('disjointOrder', () => {
  it('keeps every stream and never puts two streams that share an endpoint side by side', () => {
    const order = disjointOrder(allStreams);
    expect(order.map((d) => d.name).sort()).toEqual(allStreams.map((d) => d.name).sort());
    for (let i = 1; i < order.length; i++) {
      const a = new Set(patternsOf(order[i - 1] as StreamDefinition).map((p) => p.key));
      const shared = patternsOf(order[i] as StreamDefinition).filter((p) => a.has(p.key));
      expect(shared, `${order[i - 1]?.name} next to ${order[i]?.name}`).toEqual([]);
    }
  });
});

describe('attribute', () => {
  it('gives a fan-out stream its parent pages and keeps the catalog order', () => {
    const order = [def('deals'), def('currencies'), def('deal_flow'), def('users'), def('deal_products')];
    const log = [
      entry('/v1/deals/summary', 40), entry('/api/v2/deals', 10), entry('/api/v2/deals', 10),
      entry('/v1/currencies', 20),
      entry('/api/v2/deals', 10), entry('/api/v2/deals', 10), entry('/v1/deals/1/flow', 40), entry('/v1/deals/2/flow', 40),
      entry('/v1/users', 20),
      entry('/api/v2/deals', 10), entry('/api/v2/deals', 10), entry('/api/v2/deals/products', 10),
    ];
    const { perStream, unattributed } = attribute(order, log);
    expect(Object.fromEntries(perStream)).toEqual({
      deals: { requests: 3, tokens: 60, parentRequests: 0 },
      currencies: { requests: 1, tokens: 20, parentRequests: 0 },
      deal_flow: { requests: 4, tokens: 100, parentRequests: 2 },
      users: { requests: 1, tokens: 20, parentRequests: 0 },
      deal_products: { requests: 3, tokens: 30, parentRequests: 2 },
    });
    expect(unattributed).toEqual({ requests: 0, tokens: 0 });
  });

  it('leaves requests no stream explains in order unattributed instead of skipping streams', () => {
    const order = [def('currencies'), def('deals'), def('users')];
    // A summary asked before any stream starts (as a cost preview would), and a request of no stream.
    const log = [entry('/v1/deals/summary', 40), entry('/v1/currencies', 20), entry('/v1/deals/summary', 40), entry('/api/v2/deals', 10), entry('/v1/nothing', 0), entry('/v1/users', 20)];
    const { perStream, unattributed } = attribute(order, log);
    expect(perStream.get('currencies')?.requests).toBe(1);
    expect(perStream.get('deals')).toEqual({ requests: 2, tokens: 50, parentRequests: 0 });
    expect(perStream.get('users')?.requests).toBe(1);
    expect(unattributed).toEqual({ requests: 2, tokens: 40 });
  });

  it('matches {id} paths and both v1 roots', () => {
    const order = [def('mail')];
    const log = [entry('/v1/mailbox/mailThreads', 20), entry('/api/v1/mailbox/mailThreads/7/mailMessages', 20), entry('/v1/mailbox/mailThreads/8/mailMessages', 20)];
    expect(attribute(order, log).perStream.get('mail')).toEqual({ requests: 3, tokens: 60, parentRequests: 1 });
  });
});

describe('retryStats', () => {
  it('sums the delays of the connector\'s retry lines per stream, largest first, and collects first retries', () => {
    const stderr = [
      '2026-12-01T10:00:00.000Z INFO Starting',
      '2026-12-01T10:00:01.000Z WARN deal_flow: retry 1 in 1200 ms after: HTTP 503 Service Unavailable',
      '2026-12-01T10:00:02.000Z WARN deal_flow: retry 2 in 2500 ms after: socket hang up',
      '2026-12-01T10:00:03.000Z WARN notes: retry 1 in 1000 ms after: Unexpected end of JSON input',
      '2026-12-01T10:00:04.000Z WARN deal_flow: skipped deals 3: HTTP 404',
    ].join('\n');
    expect(retryStats(stderr)).toEqual({
      count: 3,
      totalMs: 4700,
      perStream: [{ stream: 'deal_flow', count: 2, ms: 3700 }, { stream: 'notes', count: 1, ms: 1000 }],
      firstDelays: [1200, 1000],
    });
  });
});
