/**
 * The Node API in-process against the emulator over real HTTP: records equal the ground truth, state round trips,
 * the AbortSignal (last safe STATEs, then the end), backpressure (a consumer that stops pulling stops the requests),
 * `break`, and the errors (thrown ConfigErrors for a read that cannot start, TRACE messages for a stream that fails).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { configErrorOf } from '../../helpers/errors.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestEmulator, type Emulator } from '../../helpers/emulator.js';
import { read, discover, check, ConfigError, type ReadMessage, type StreamName } from '../../../src/api/index.js';
import { configuredCatalog } from '../../../src/selection.js';
import { allStreams } from '../../../streams/index.js';
import { forbiddingProxy } from '../../helpers/proxy.js';
import { assertValidMessage } from '../../helpers/protocol.js';

let emu: Emulator;
beforeAll(async () => { emu = await startTestEmulator({ seed: 21, sizes: { deals: 3000, persons: 300, organizations: 50 } }); });
afterAll(async () => { await emu?.close(); });
afterEach(() => { emu.set({ latencyMs: 0, oauth: { accessTokenTtlRequests: Number.MAX_SAFE_INTEGER } }); });

type Rec = Record<string, unknown>;
const ids = (stream: string, msgs: readonly ReadMessage[]) => new Set(msgs.flatMap((m) => (m.type === 'RECORD' && m.record.stream === stream ? [m.record.data['id']] : [])));
const truthIds = (stream: string) => new Set([...emu.groundTruth(stream)].map((r) => r['id']));
const all = async <S extends StreamName>(it: AsyncIterable<ReadMessage<S>>): Promise<ReadMessage<S>[]> => {
  const out: ReadMessage<S>[] = [];
  for await (const m of it) out.push(m);
  return out;
};
const dealPages = () => emu.requests.filter((r) => r.path === '/api/v2/deals').length;
const statusesOf = (stream: string, msgs: readonly ReadMessage[]) => msgs.flatMap((m) => (m.type === 'TRACE' && m.trace.type === 'STREAM_STATUS' && m.trace.stream_status.stream_descriptor.name === stream ? [m.trace.stream_status.status] : []));

describe('read()', () => {
  it('yields the messages of the CLI: records equal the ground truth, every message valid, a summary at the end', async () => {
    const it = read({ config: emu.config(), streams: ['deals', 'persons'] });
    expect(it.summary()).toBeUndefined();
    const msgs = await all(it);
    for (const m of msgs) assertValidMessage(m);
    expect(ids('deals', msgs)).toEqual(truthIds('deals'));
    expect(ids('persons', msgs)).toEqual(truthIds('persons'));
    expect(statusesOf('deals', msgs)).toEqual(['STARTED', 'RUNNING', 'COMPLETE']);
    const summary = it.summary();
    expect(summary).toMatchObject({ failed: false, stopped: false });
    expect(summary?.tokens['check']).toBe(2);
    expect(summary?.tokens['deals']).toBeGreaterThan(0);
  });

  it('reads on from the state of the previous read: only what changed', async () => {
    const first = await all(read({ config: emu.config(), streams: ['persons'] }));
    const state = first.flatMap((m) => (m.type === 'STATE' ? [m.state] : []));
    const changes = emu.mutate({ touch: { persons: 4 } });
    const next = await all(read({ config: emu.config(), streams: ['persons'], state }));
    const got = ids('persons', next);
    for (const id of changes.touched['persons'] ?? []) expect(got.has(id)).toBe(true);
    expect(got.size).toBeLessThan(truthIds('persons').size);
  });

  it('takes a configured catalog instead of stream names', async () => {
    const msgs = await all(read({ config: emu.config(), catalog: configuredCatalog(['currencies']) }));
    expect(ids('currencies', msgs)).toEqual(truthIds('currencies'));
  });

  it('an AbortSignal stops it as SIGTERM stops the CLI: the last safe STATE, INCOMPLETE, then the end', async () => {
    emu.set({ latencyMs: 40 });
    const controller = new AbortController();
    const it = read({ config: emu.config({ num_workers: 1 }), streams: ['deals'], signal: controller.signal });
    const msgs: ReadMessage<'deals'>[] = [];
    let abortedAt = -1;
    for await (const m of it) {
      msgs.push(m);
      if (abortedAt < 0 && m.type === 'RECORD') {
        controller.abort();
        abortedAt = msgs.length;
      }
    }
    const after = msgs.slice(abortedAt);
    const lastState = [...after].reverse().find((m) => m.type === 'STATE');
    expect(lastState?.type === 'STATE' && lastState.state.stream.stream_state['update_time']).toBeTruthy();
    expect(statusesOf('deals', msgs).at(-1)).toBe('INCOMPLETE');
    const error = after.find((m) => m.type === 'TRACE' && m.trace.type === 'ERROR');
    expect(error?.type === 'TRACE' && error.trace.type === 'ERROR' && error.trace.error).toMatchObject({ failure_type: 'transient_error', message: expect.stringContaining('AbortSignal') as unknown });
    expect(ids('deals', msgs).size).toBeLessThan(truthIds('deals').size);
    expect(it.summary()).toMatchObject({ stopped: true });
    // Nothing more is asked once it has ended (the emulator logs a request when it answers: one may be in flight).
    const pages = dealPages();
    await sleep(300);
    const settled = dealPages();
    expect(settled).toBeLessThanOrEqual(pages + 1);
    await sleep(300);
    expect(dealPages()).toBe(settled);
  });

  it('backpressure: a consumer that stops pulling stops the requests; pulling again finishes the read', async () => {
    emu.resetLog();
    const it = read({ config: emu.config({ num_workers: 1 }), streams: ['deals'] });
    const first = await it.next();
    expect(first.done).toBe(false);
    await sleep(800);
    const whilePaused = dealPages();
    await sleep(400);
    // Deals has 6 pages of 500; while the consumer waits, at most the buffer (about two pages) and one in flight.
    expect(dealPages()).toBe(whilePaused);
    expect(whilePaused).toBeLessThanOrEqual(4);
    const rest = await all(it);
    expect(ids('deals', [first.value as ReadMessage<'deals'>, ...rest])).toEqual(truthIds('deals'));
    expect(dealPages()).toBe(Math.ceil(truthIds('deals').size / 500));
  });

  it('break ends it: the requests stop at once', async () => {
    emu.set({ latencyMs: 30 });
    emu.resetLog();
    let records = 0;
    for await (const m of read({ config: emu.config({ num_workers: 1 }), streams: ['deals'] })) {
      if (m.type === 'RECORD' && ++records === 10) break;
    }
    const pages = dealPages();
    await sleep(300);
    expect(dealPages()).toBeLessThanOrEqual(pages + 1);
    expect(pages).toBeLessThan(6);
  });

  it('a stream that fails is a TRACE ERROR and INCOMPLETE in the iteration; the others go on', async () => {
    const proxy = await forbiddingProxy(emu.url, /^\/api\/v2\/persons$/);
    try {
      const it = read({ config: emu.config({ api_url: proxy.url }), streams: ['deals', 'persons'] });
      const msgs = await all(it);
      expect(statusesOf('persons', msgs).at(-1)).toBe('INCOMPLETE');
      expect(statusesOf('deals', msgs).at(-1)).toBe('COMPLETE');
      expect(ids('deals', msgs)).toEqual(truthIds('deals'));
      const errors = msgs.flatMap((m) => (m.type === 'TRACE' && m.trace.type === 'ERROR' ? [m.trace.error] : []));
      expect(errors).toEqual([expect.objectContaining({ failure_type: 'config_error', stream_descriptor: { name: 'persons' } })]);
      expect(it.summary()?.failed).toBe(true);
    } finally {
      await proxy.close();
    }
  });

  it('with OAuth: onConfigChange gets every rotated config, which is also a CONTROL message', async () => {
    emu.set({ oauth: { accessTokenTtlRequests: 3 } });
    const changes: Rec[] = [];
    const msgs = await all(read({ config: emu.oauthConfig(), streams: ['deals'], onConfigChange: (c) => changes.push(c) }));
    const controls = msgs.flatMap((m) => (m.type === 'CONTROL' ? [m.control.connectorConfig.config] : []));
    expect(changes.length).toBeGreaterThanOrEqual(2);
    expect(changes).toEqual(controls);
    expect(ids('deals', msgs)).toEqual(truthIds('deals'));
    // The last config works for the next read.
    const again = await all(read({ config: changes.at(-1) as Rec, streams: ['currencies'] }));
    expect(ids('currencies', again)).toEqual(truthIds('currencies'));
  });
});

describe('read(): a read that cannot start throws', () => {
  const errorOf = configErrorOf;

  it('invalid input: a ConfigError from read() itself, before any request', () => {
    emu.resetLog();
    expect(errorOf(() => read({ config: { ...emu.config(), num_workers: 99 }, streams: ['deals'] })).message).toContain('num_workers');
    expect(errorOf(() => read({ config: emu.config(), streams: ['dealz' as StreamName] })).message).toMatch(/^streams: unknown stream 'dealz'\. Did you mean 'deals'\?/);
    expect(errorOf(() => read({ config: emu.config() })).message).toBe("read: give 'streams' (stream names or 'all') or 'catalog'");
    expect(errorOf(() => read({ config: emu.config(), streams: ['deals'], catalog: { streams: [] } })).message).toBe("read: give 'streams' or 'catalog', not both");
    expect(errorOf(() => read({ config: emu.config(), catalog: { streams: [{ stream: { name: 'deals' }, sync_mode: 'sideways' as never }] } })).message).toMatch(/^catalog: stream 'deals' has sync_mode/);
    expect(errorOf(() => read({ config: emu.config(), streams: ['deals'], state: [{ type: 'STREAM', stream: { stream_descriptor: { name: 'deals' }, stream_state: { update_time: 'soon' } } }] })).message).toMatch(/^state: stream 'deals' has an invalid update_time cursor/);
    expect(emu.requests).toHaveLength(0);
  });

  it('rejected credentials: the first next() rejects with a ConfigError naming the setting, without the token', async () => {
    const it = read({ config: { ...emu.config(), credentials: { auth_type: 'api_token', api_token: 'wrong-token-1234' } }, streams: 'all' });
    const err = await it.next().then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain('credentials.api_token');
    expect((err as Error).message).not.toContain('wrong-token-1234');
    expect(await it.next()).toEqual({ done: true, value: undefined });
    expect(it.summary()).toMatchObject({ failed: true, requests: 1 });
  });

  it('a rejected OAuth refresh token too', async () => {
    const config = emu.oauthConfig();
    const spent = { ...config, credentials: { ...(config['credentials'] as Rec), refresh_token: 'emulator-refresh-spent' } };
    await expect(all(read({ config: spent, streams: ['deals'] }))).rejects.toBeInstanceOf(ConfigError);
  });
});

describe('discover() and check()', () => {
  it('discover resolves to the catalog with typed custom fields; rejected credentials reject with a ConfigError', async () => {
    const catalog = await discover({ config: emu.config() });
    expect(catalog.streams).toHaveLength(allStreams.length);
    const deals = catalog.streams.find((s) => s.name === 'deals');
    const custom = (deals?.json_schema['properties'] as { custom_fields: { properties?: Rec } }).custom_fields;
    expect(Object.keys(custom.properties ?? {}).length).toBeGreaterThan(0);
    await expect(discover({ config: { ...emu.config(), credentials: { auth_type: 'api_token', api_token: 'wrong-token-1234' } } })).rejects.toBeInstanceOf(ConfigError);
  });

  it('discover rejects when aborted', async () => {
    emu.set({ latencyMs: 500 });
    const controller = new AbortController();
    const pending = discover({ config: emu.config(), signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('check resolves to the status, FAILED with a reason for bad credentials or config (never throws for them)', async () => {
    expect(await check({ config: emu.config() })).toEqual({ status: 'SUCCEEDED' });
    const bad = await check({ config: { ...emu.config(), credentials: { auth_type: 'api_token', api_token: 'wrong-token-1234' } } });
    expect(bad.status).toBe('FAILED');
    expect(bad.message).toContain('401');
    const invalid = await check({ config: { ...emu.config(), num_workers: 0 } });
    expect(invalid).toMatchObject({ status: 'FAILED', message: expect.stringContaining('num_workers') as unknown });
  });
});
