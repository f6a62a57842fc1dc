/** Rate-limit headers and 429s, the daily token budget, latency and injected faults. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { startTestEmulator, type Emulator } from '../helpers/emulator.js';
import { get } from './helpers.js';

let emu: Emulator;

beforeAll(async () => {
  emu = await startTestEmulator({ seed: 8 });
});
afterAll(async () => {
  await emu?.close();
});

describe('burst rate limit', () => {
  it('sends x-ratelimit-* on every response, also without a configured limit', async () => {
    const r = await get(emu, '/api/v2/deals', { limit: 1 });
    expect(Number(r.headers.get('x-ratelimit-limit'))).toBeGreaterThan(0);
    expect(r.headers.get('x-ratelimit-remaining')).not.toBeNull();
    expect(r.headers.get('x-ratelimit-reset')).not.toBeNull();
    const unauth = await get(emu, '/api/v2/deals', {}, {});
    expect(unauth.headers.get('x-ratelimit-limit')).not.toBeNull();
  });

  it('counts down remaining in a rolling window and answers 429 with Pipedrive\'s envelope when exceeded', async () => {
    emu.set({ rateLimit: { burst: 5, windowMs: 1500 } });
    try {
      const remaining: number[] = [];
      for (let k = 0; k < 5; k++) {
        const r = await get(emu, '/v1/currencies');
        expect(r.status).toBe(200);
        expect(r.headers.get('x-ratelimit-limit')).toBe('5');
        remaining.push(Number(r.headers.get('x-ratelimit-remaining')));
      }
      expect(remaining).toEqual([4, 3, 2, 1, 0]);
      const over = await get(emu, '/v1/currencies');
      expect(over.status).toBe(429);
      expect(over.body).toMatchObject({ success: false, error: 'Request over limit', errorCode: 429 });
      expect(over.headers.get('x-ratelimit-remaining')).toBe('0');
      const reset = Number(over.headers.get('x-ratelimit-reset'));
      expect(reset).toBeGreaterThanOrEqual(1);
      expect(reset).toBeLessThanOrEqual(2);
      expect(over.headers.get('retry-after')).toBe(String(reset));
      expect(over.headers.get('x-daily-ratelimit-limit')).toBeNull();
      expect(emu.requests.at(-1)).toMatchObject({ status: 429, tokenCost: 0 });
      // A slot frees when the oldest request leaves the window.
      await new Promise((r) => setTimeout(r, 1600));
      expect((await get(emu, '/v1/currencies')).status).toBe(200);
    } finally {
      emu.set({ rateLimit: null });
    }
  });

  it('the admin knob sets the limit too', async () => {
    await fetch(`${emu.url}/__admin/knobs`, { method: 'POST', body: JSON.stringify({ rateLimit: { burst: 1 } }) });
    try {
      expect((await get(emu, '/v1/currencies')).status).toBe(200);
      expect((await get(emu, '/v1/currencies')).status).toBe(429);
    } finally {
      await fetch(`${emu.url}/__admin/knobs`, { method: 'POST', body: JSON.stringify({ rateLimit: null }) });
    }
    expect((await get(emu, '/v1/currencies')).status).toBe(200);
  });
});

describe('daily token budget', () => {
  it('charges each endpoint\'s x-token-cost and answers a distinguishable 429 when used up', async () => {
    emu.set({ dailyBudget: 45 });
    try {
      const a = await get(emu, '/api/v2/deals', { limit: 1 }); // 10
      expect(a.status).toBe(200);
      expect(a.headers.get('x-daily-ratelimit-limit')).toBe('45');
      expect(a.headers.get('x-daily-ratelimit-remaining')).toBe('35');
      expect(a.headers.get('x-daily-requests-left')).toBe('35');
      expect(Number(a.headers.get('x-daily-ratelimit-reset'))).toBeGreaterThan(0);
      const b = await get(emu, '/v1/notes', { limit: 1 }); // 20
      expect(b.headers.get('x-daily-ratelimit-remaining')).toBe('15');
      expect(emu.requests.slice(-2).map((r) => r.tokenCost)).toEqual([10, 20]);
      const c = await get(emu, '/v1/notes', { limit: 1 }); // 20 > 15 left
      expect(c.status).toBe(429);
      expect(c.body).toMatchObject({ success: false, error: 'Daily API token budget exceeded', errorCode: 429 });
      expect(c.body.error_info).toMatch(/resets at 00:00 UTC/);
      expect(c.headers.get('x-daily-ratelimit-remaining')).toBe('15');
      expect(Number(c.headers.get('retry-after'))).toBe(Number(c.headers.get('x-daily-ratelimit-reset')));
      // Burst headers are still there, and not exhausted: the two 429s are distinguishable.
      expect(Number(c.headers.get('x-ratelimit-remaining'))).toBeGreaterThan(0);
      // A cheaper request still fits.
      const d = await get(emu, '/api/v2/pipelines'); // 5
      expect(d.status).toBe(200);
      expect(d.headers.get('x-daily-ratelimit-remaining')).toBe('10');
    } finally {
      emu.set({ dailyBudget: null });
    }
  });
});

describe('latency', () => {
  it('adds latency per request', async () => {
    emu.set({ latencyMs: 120 });
    try {
      const t = Date.now();
      await get(emu, '/v1/currencies');
      expect(Date.now() - t).toBeGreaterThanOrEqual(110);
    } finally {
      emu.set({ latencyMs: 0 });
    }
  });
});

/** A raw request that reports resets instead of throwing. */
function raw(url: string): Promise<{ kind: 'reset' } | { kind: 'ok'; status: number; body: string; type: string }> {
  return new Promise((resolve) => {
    const req = request(url, { headers: { 'x-api-token': 'emulator-token' }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ kind: 'ok', status: res.statusCode ?? 0, body, type: String(res.headers['content-type']) }));
      res.on('error', () => resolve({ kind: 'reset' }));
    });
    req.on('error', () => resolve({ kind: 'reset' }));
    req.end();
  });
}

describe('faults', () => {
  it('produce 5xx (HTML or JSON), connection resets and truncated bodies in the configured shares', async () => {
    const e = await startTestEmulator({ seed: 21, faults: { error5xx: 0.2, reset: 0.2, truncate: 0.2 } });
    try {
      const counts = { ok: 0, e5: 0, html: 0, reset: 0, truncated: 0 };
      for (let k = 0; k < 200; k++) {
        const r = await raw(`${e.url}/api/v2/deals?limit=3`);
        if (r.kind === 'reset') counts.reset++;
        else if (r.status >= 500) {
          counts.e5++;
          if (r.type.startsWith('text/html')) counts.html++;
        } else {
          try {
            JSON.parse(r.body);
            counts.ok++;
          } catch {
            counts.truncated++;
          }
        }
      }
      for (const k of ['ok', 'e5', 'reset', 'truncated'] as const) expect(counts[k], k).toBeGreaterThan(15);
      expect(counts.html).toBeGreaterThan(0);
      expect(counts.html).toBeLessThan(counts.e5);
      expect(e.requests.filter((r) => r.status === 0).length).toBe(counts.reset);
    } finally {
      await e.close();
    }
  });

  it('are deterministic from the seed (same request sequence, same faults)', async () => {
    const run = async (): Promise<string> => {
      const e = await startTestEmulator({ seed: 33, faults: { error5xx: 0.3, reset: 0.1 } });
      try {
        const out: string[] = [];
        for (let k = 0; k < 40; k++) {
          const r = await raw(`${e.url}/v1/users`);
          out.push(r.kind === 'reset' ? 'R' : String(r.status));
        }
        return out.join(',');
      } finally {
        await e.close();
      }
    };
    expect(await run()).toBe(await run());
  });

  it('can be switched off at run time', async () => {
    const e = await startTestEmulator({ seed: 21, faults: { error5xx: 1 } });
    try {
      expect((await get(e, '/v1/users')).status).toBeGreaterThanOrEqual(500);
      e.set({ faults: {} });
      expect((await get(e, '/v1/users')).status).toBe(200);
    } finally {
      await e.close();
    }
  });
});
