/**
 * The id sweep of `detect_deletes` (src/read/idSweep.ts) in-process against the emulator: interrupted sweeps (a stop,
 * a failed request, a spent daily budget, the token cap) never produce tombstones and the next complete run finds the deletions;
 * records written by an interrupted run are remembered; a damaged state is not trusted; the option and the sync mode
 * decide whether anything is swept.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Subject, defer, throwError } from 'rxjs';
import { createAxiosPort } from '../../../src/http/axios.js';
import type { HttpPort, HttpRequest } from '../../../src/http/port.js';
import { HttpError, InterruptedError } from '../../../src/errors.js';
import type { JsonObject } from '../../../src/protocol.js';
import { decodeIds, encodeIds } from '../../../src/read/idSet.js';
import { SWEEP_STATE_KEY, sweepDefinition, sweepKey } from '../../../src/read/idSweep.js';
import { allStreams, streamByName } from '../../../streams/index.js';
import { startTestEmulator, type Emulator } from '../../helpers/emulator.js';
import { readInProcess, records, states, statuses, type InProcessRead } from '../../helpers/read.js';

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

const isSweep = (req: HttpRequest): boolean => req.params?.['sort_by'] === 'id';
const isTombstone = (r: JsonObject): boolean => Object.keys(r).sort().join() === '_ab_cdc_deleted_at,id,update_time';
const tombstoneIds = (r: InProcessRead, stream = 'persons'): number[] =>
  records(r.messages, stream).filter(isTombstone).map((t) => t['id'] as number).sort((a, b) => a - b);
const lastState = (r: InProcessRead, stream = 'persons'): JsonObject => states(r.messages, stream).at(-1)!.stream.stream_state;
const sweptIds = (state: JsonObject): number[] => [...decodeIds(state[SWEEP_STATE_KEY])];
const truthIds = (e: Emulator, stream = 'persons'): number[] => [...e.groundTruth(stream)].map((p) => p['id'] as number).sort((a, b) => a - b);

/** A port that calls `onSweep(n)` before the n-th sweep request (1-based); it may answer instead. */
function sweepPort(onSweep: (n: number, req: HttpRequest) => ReturnType<HttpPort> | void): HttpPort {
  const base = createAxiosPort({ timeoutMs: 5000 });
  let n = 0;
  return (req) => defer(() => (isSweep(req) ? (onSweep(++n, req) ?? base(req)) : base(req)));
}

async function start(sizes: Record<string, number> = { persons: 1200, organizations: 100 }): Promise<{ e: Emulator; config: Record<string, unknown> }> {
  emu = await startTestEmulator({ seed: 21, sizes });
  return { e: emu, config: { ...emu.config(), detect_deletes: 'on' } };
}

const incremental = (state?: JsonObject, name = 'persons') => ({ name, syncMode: 'incremental' as const, ...(state ? { state } : {}) });

describe('sweep definitions', () => {
  it('persons, organizations, products, activities and deals sweep their own v2 list by id; nothing else sweeps', () => {
    const swept = allStreams.filter((d) => d.sweep).map((d) => d.name).sort();
    expect(swept).toEqual(['activities', 'deals', 'organizations', 'persons', 'products']);
    for (const name of swept) {
      const def = streamByName(name)!;
      const s = sweepDefinition(def);
      expect(sweepKey(def)).toBe('id');
      expect(s).toMatchObject({ api: 'v2', path: def.path, paging: { kind: 'cursor' }, pageSize: 500, tokenCost: 10, incremental: 'none' });
      expect(s.params).toEqual(name === 'deals' ? { status: 'open,won,lost,deleted', sort_by: 'id' } : { sort_by: 'id' });
    }
  });
});

describe('interrupted sweeps never make tombstones, and the next run finds the deletions', () => {
  it('a stop during the sweep: no tombstone, the STATE keeps the previous set; the next run sends exactly the deletions', async () => {
    const { e, config } = await start();
    const first = await readInProcess({ config, streams: [incremental()] });
    const s1 = lastState(first);
    expect(sweptIds(s1)).toEqual(truthIds(e));
    const gone = (e.mutate({ delete: { persons: 7 } }).deleted['persons'] as number[]).sort((a, b) => a - b);
    const stop$ = new Subject<Error>();
    const stopped = await readInProcess({
      config,
      streams: [incremental(s1)],
      stop$,
      port: sweepPort((n) => { if (n === 2) stop$.next(new InterruptedError('stopped by the test')); }),
    });
    expect(tombstoneIds(stopped)).toEqual([]);
    expect(statuses(stopped.messages, 'persons').at(-1)).toBe('INCOMPLETE');
    expect(lastState(stopped)[SWEEP_STATE_KEY]).toEqual(s1[SWEEP_STATE_KEY]);
    const next = await readInProcess({ config, streams: [incremental(lastState(stopped))] });
    expect(tombstoneIds(next)).toEqual(gone);
    expect(sweptIds(lastState(next))).toEqual(truthIds(e));
    const again = await readInProcess({ config, streams: [incremental(lastState(next))] });
    expect(tombstoneIds(again)).toEqual([]);
  });

  it('a failed sweep request: the stream fails without tombstones; the next run sends exactly the deletions', async () => {
    const { e, config } = await start();
    const s1 = lastState(await readInProcess({ config, streams: [incremental()] }));
    const gone = (e.mutate({ merge: { persons: 2 }, delete: { persons: 3 } }));
    const expected = [...(gone.deleted['persons'] as number[]), ...gone.merged['persons']!.map((m) => m.id as number)].sort((a, b) => a - b);
    const failed = await readInProcess({
      config,
      streams: [incremental(s1)],
      port: sweepPort((n, req) => (n === 3 ? throwError(() => new HttpError({ status: 400, method: 'GET', path: new URL(req.url).pathname, body: 'Bad request' })) : undefined)),
    });
    expect(failed.failed).toBe(true);
    expect(tombstoneIds(failed)).toEqual([]);
    expect(statuses(failed.messages, 'persons').at(-1)).toBe('INCOMPLETE');
    expect(lastState(failed)[SWEEP_STATE_KEY]).toEqual(s1[SWEEP_STATE_KEY]);
    const next = await readInProcess({ config, streams: [incremental(lastState(failed))] });
    expect(tombstoneIds(next)).toEqual(expected);
  });

  it('a daily budget spent in the middle of the sweep: the read stops without tombstones; the next run sends them', async () => {
    const { e, config } = await start();
    const s1 = lastState(await readInProcess({ config, streams: [incremental()] }));
    const gone = (e.mutate({ delete: { persons: 4 } }).deleted['persons'] as number[]).sort((a, b) => a - b);
    // The incremental read is one page (10 tokens), the sweep three: the budget lets one sweep page through.
    e.set({ dailyBudget: 20 });
    e.resetLog();
    const spent = await readInProcess({ config, streams: [incremental(s1)] });
    expect(spent.failed).toBe(true);
    expect(tombstoneIds(spent)).toEqual([]);
    expect(e.requests.filter((q) => q.query['sort_by'] === 'id' && q.status === 200)).toHaveLength(1);
    expect(lastState(spent)[SWEEP_STATE_KEY]).toEqual(s1[SWEEP_STATE_KEY]);
    e.set({ dailyBudget: null });
    const next = await readInProcess({ config, streams: [incremental(lastState(spent))] });
    expect(tombstoneIds(next)).toEqual(gone);
  });

  it('max_tokens_per_read reached in the middle of the sweep: the read stops without tombstones; the next run sends them', async () => {
    const { e, config } = await start();
    const s1 = lastState(await readInProcess({ config, streams: [incremental()] }));
    const gone = (e.mutate({ delete: { persons: 5 } }).deleted['persons'] as number[]).sort((a, b) => a - b);
    e.resetLog();
    // One incremental page (10 tokens) and one of the three sweep pages fit under the cap.
    const capped = await readInProcess({ config: { ...config, max_tokens_per_read: 25 }, streams: [incremental(s1)] });
    expect(capped.failed).toBe(true);
    expect(tombstoneIds(capped)).toEqual([]);
    expect(e.requests.filter((q) => q.query['sort_by'] === 'id')).toHaveLength(1);
    expect(statuses(capped.messages, 'persons').at(-1)).toBe('INCOMPLETE');
    expect(lastState(capped)[SWEEP_STATE_KEY]).toEqual(s1[SWEEP_STATE_KEY]);
    const next = await readInProcess({ config, streams: [incremental(lastState(capped))] });
    expect(tombstoneIds(next)).toEqual(gone);
  });

  it('records an interrupted run wrote are remembered: deleted before the next complete sweep, they get tombstones', async () => {
    const { e, config } = await start({ persons: 14 });
    const s1 = lastState(await readInProcess({ config, streams: [incremental()] }));
    const before = e.removedSince('persons', '2000-01-01T00:00:00Z');
    const added = e.mutate({ add: { persons: 4 } }).added['persons'] as number[];
    const stop$ = new Subject<Error>();
    const stopped = await readInProcess({
      config,
      streams: [incremental(s1)],
      stop$,
      port: sweepPort((n) => { if (n === 1) stop$.next(new InterruptedError('stopped by the test')); }),
    });
    expect(records(stopped.messages, 'persons').map((p) => p['id'])).toEqual(expect.arrayContaining(added));
    const mid = lastState(stopped);
    expect(sweptIds(mid)).toEqual([...truthIds(e)].sort((a, b) => a - b));
    expect(mid[SWEEP_STATE_KEY]).toMatchObject({ count: 18, swept_at: (s1[SWEEP_STATE_KEY] as JsonObject)['swept_at'] });
    // Delete persons one at a time until one of the new ones is gone (the emulator picks them by its seed).
    const removed = (): number[] => (e.removedSince('persons', '2000-01-01T00:00:00Z') as number[]).filter((id) => !before.includes(id));
    for (let k = 0; k < 40 && !removed().some((id) => added.includes(id)); k++) e.mutate({ delete: { persons: 1 } });
    expect(removed().some((id) => added.includes(id))).toBe(true);
    const next = await readInProcess({ config, streams: [incremental(mid)] });
    expect(tombstoneIds(next)).toEqual(removed());
  });

  it('a first run that is interrupted keeps no set: the next run is a first run again (ids recorded, no tombstones)', async () => {
    const { e, config } = await start();
    const stop$ = new Subject<Error>();
    const stopped = await readInProcess({
      config,
      streams: [incremental()],
      stop$,
      port: sweepPort((n) => { if (n === 2) stop$.next(new InterruptedError('stopped by the test')); }),
    });
    const mid = lastState(stopped);
    expect(mid[SWEEP_STATE_KEY]).toBeUndefined();
    expect(mid['update_time']).toBeDefined();
    e.mutate({ delete: { persons: 3 } });
    const next = await readInProcess({ config, streams: [incremental(mid)] });
    expect(tombstoneIds(next)).toEqual([]);
    expect(next.stderr).toMatch(/persons: id sweep saw 1197 ids in 3 requests \(30 API tokens\); first sweep \(no previous one in the state\): ids recorded, no tombstones/);
    expect(sweptIds(lastState(next))).toEqual(truthIds(e));
  });
});

describe('what is swept', () => {
  it('a damaged id_sweep in the state is not trusted: a WARN, no tombstones, a new set', async () => {
    const { e, config } = await start();
    const s1 = lastState(await readInProcess({ config, streams: [incremental()] }));
    e.mutate({ delete: { persons: 2 } });
    const damaged = { ...s1, [SWEEP_STATE_KEY]: { ...(s1[SWEEP_STATE_KEY] as JsonObject), count: 5 } };
    const r = await readInProcess({ config, streams: [incremental(damaged)] });
    expect(tombstoneIds(r)).toEqual([]);
    expect(r.stderr).toMatch(/WARN persons: the state's id_sweep cannot be read \(it holds more ids than its count 5\), so this run only records the ids/);
    expect(sweptIds(lastState(r))).toEqual(truthIds(e));
  });

  it('detect_deletes off, full refresh, or a stream without a sweep: no sweep request and no id_sweep in the state', async () => {
    const { e, config } = await start({ persons: 600, notes: 50 });
    const s1 = lastState(await readInProcess({ config, streams: [incremental()] }));
    e.mutate({ delete: { persons: 2 } });
    e.resetLog();
    const off = await readInProcess({ config: { ...config, detect_deletes: 'off' }, streams: [incremental(s1)] });
    expect(lastState(off)[SWEEP_STATE_KEY]).toBeUndefined();
    const defaults = await readInProcess({ config: e.config(), streams: [incremental(s1)] });
    expect(lastState(defaults)[SWEEP_STATE_KEY]).toBeUndefined();
    const full = await readInProcess({ config, streams: [{ name: 'persons', syncMode: 'full_refresh' }] });
    expect(lastState(full)).toEqual({ tokens_spent: 20 });
    const notes = await readInProcess({ config, streams: [incremental(undefined, 'notes')] });
    expect(lastState(notes, 'notes')[SWEEP_STATE_KEY]).toBeUndefined();
    for (const r of [off, defaults, full, notes]) expect(records(r.messages).filter(isTombstone)).toEqual([]);
    expect(e.requests.filter((q) => q.query['sort_by'] === 'id')).toEqual([]);
  });

  it('tombstones come in pages of 500, each page followed by its STATE; only the STATE after the last one holds the new set', async () => {
    const { e, config } = await start({ persons: 1600 });
    const s1 = lastState(await readInProcess({ config, streams: [incremental()] }));
    const gone = (e.mutate({ delete: { persons: 1100 } }).deleted['persons'] as number[]).sort((a, b) => a - b);
    const r = await readInProcess({ config, streams: [incremental(s1)] });
    expect(tombstoneIds(r)).toEqual(gone);
    expect(r.stderr).toMatch(/WARN persons: 1100 of 1600 known ids are gone at once/);
    // The messages after the incremental page: 500 tombstones + STATE, 500 + STATE, 100 + STATE, final STATE.
    const persons = r.messages.filter((m) => m.type === 'RECORD' || m.type === 'STATE');
    const firstTombstone = persons.findIndex((m) => m.type === 'RECORD' && isTombstone((m['record'] as { data: JsonObject }).data));
    const tail = persons.slice(firstTombstone);
    const shape = tail.map((m) => (m.type === 'STATE' ? 'S' : 'T')).join('').replace(/T+/g, (t) => String(t.length));
    expect(shape).toBe('500S500S100SS');
    const sweepStates = tail.filter((m) => m.type === 'STATE').map((m) => (m['state'] as { stream: { stream_state: JsonObject } }).stream.stream_state[SWEEP_STATE_KEY]);
    expect(sweepStates[0]).toEqual(s1[SWEEP_STATE_KEY]);
    expect(sweepStates[1]).toEqual(s1[SWEEP_STATE_KEY]);
    expect(sweepStates[2]).toEqual(sweepStates[3]);
    expect(sweepStates[2]).toMatchObject({ ...encodeIds(Float64Array.from(truthIds(e))) });
  });
});
