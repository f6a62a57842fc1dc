/**
 * `detect_deletes: on` end to end: the built CLI against the emulator, incremental reads one after the other with the
 * last states, deletions and merges between them. The tombstones must be exactly the ids the emulator removed
 * (`removedSince`), every time, and a destination that applies Airbyte's CDC deletes must end up with the ground
 * truth.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempFiles, ofType, type CliResult } from '../helpers/cli.js';
import { startTestEmulator, type Emulator } from '../helpers/emulator.js';
import { assertValidRecord } from '../helpers/schemas.js';
import { decodeIds } from '../../src/read/idSet.js';

type Rec = Record<string, unknown>;

const SWEPT = ['persons', 'organizations', 'products', 'activities', 'deals'] as const;
const SIZES = { deals: 700, persons: 1100, organizations: 260, products: 90, activities: 620 };

type Row = { row: Rec; cursor: string | null; extractedAt: number };

/** One connection: an emulator, its config and catalog, the last states, and its destination. */
interface Connection {
  emu: Emulator;
  config: string;
  catalog: string;
  streams: readonly string[];
  /** The last STATE of each stream after the previous read (the next read's --state). */
  lastStates: unknown[];
  /** An Incremental | Append + Deduped destination with CDC deletes, per stream: id → row. */
  destination: Map<string, Map<number, Row>>;
}

async function connect(seed: number, sizes: Record<string, number>, streams: readonly string[]): Promise<Connection> {
  const emu = await startTestEmulator({ seed, sizes });
  const files = tempFiles({
    'config.json': { ...emu.config({ num_workers: 3 }), detect_deletes: 'on' },
    'catalog.json': {
      streams: streams.map((name) => ({
        stream: { name, json_schema: {}, supported_sync_modes: ['full_refresh', 'incremental'] },
        sync_mode: 'incremental',
        destination_sync_mode: 'append_dedup',
      })),
    },
  });
  return { emu, config: files['config.json'] as string, catalog: files['catalog.json'] as string, streams, lastStates: [], destination: new Map() };
}

let conn: Connection;
let emu: Emulator;

const isTombstone = (r: Rec): boolean => Object.keys(r).sort().join() === '_ab_cdc_deleted_at,id,update_time';

interface Read {
  result: CliResult;
  records: Map<string, Rec[]>;
  emittedAt: Map<string, number[]>;
  states: Map<string, Rec>;
  started: string;
  ended: string;
}

const rfc3339 = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

async function read(c: Connection = conn): Promise<Read> {
  const files = tempFiles({ 'state.json': c.lastStates });
  const started = rfc3339(Date.now());
  const result = await runCli(['read', '--config', c.config, '--catalog', c.catalog, '--state', files['state.json'] as string]);
  const ended = rfc3339(Date.now() + 1000);
  expect(result.code, result.stderr.slice(-2000)).toBe(0);
  const records = new Map<string, Rec[]>();
  const emittedAt = new Map<string, number[]>();
  for (const m of ofType(result.messages, 'RECORD')) {
    const rec = m['record'] as { stream: string; data: Rec; emitted_at: number };
    (records.get(rec.stream) ?? (records.set(rec.stream, []), records.get(rec.stream) as Rec[])).push(rec.data);
    (emittedAt.get(rec.stream) ?? (emittedAt.set(rec.stream, []), emittedAt.get(rec.stream) as number[])).push(rec.emitted_at);
  }
  const states = new Map<string, Rec>();
  for (const m of ofType(result.messages, 'STATE')) {
    const s = m['state'] as { stream: { stream_descriptor: { name: string }; stream_state: Rec } };
    states.set(s.stream.stream_descriptor.name, m['state'] as Rec);
  }
  c.lastStates = [...states.values()];
  for (const stream of c.streams) applyToDestination(c, stream, records.get(stream) ?? [], emittedAt.get(stream) ?? []);
  return { result, records, emittedAt, states, started, ended };
}

/**
 * Airbyte's dedup with CDC deletes (Destinations V2): per primary key the latest record of the sync wins (cursor
 * descending, nulls last, then extraction time); it replaces the row only when it is newer than the row (a greater
 * cursor, or an equal one extracted later, or a cursor where the row has none); a winner with `_ab_cdc_deleted_at`
 * removes the row instead.
 */
function applyToDestination(c: Connection, stream: string, records: Rec[], emittedAt: number[]): void {
  const table = c.destination.get(stream) ?? (c.destination.set(stream, new Map()), c.destination.get(stream) as Map<number, Row>);
  const latest = new Map<number, Row>();
  const newer = (a: { cursor: string | null; extractedAt: number }, b: { cursor: string | null; extractedAt: number }): boolean =>
    (b.cursor === null && a.cursor !== null) || (a.cursor !== null && b.cursor !== null && (a.cursor > b.cursor || (a.cursor === b.cursor && a.extractedAt >= b.extractedAt)))
    || (a.cursor === null && b.cursor === null && a.extractedAt >= b.extractedAt);
  records.forEach((row, i) => {
    const entry = { row, cursor: typeof row['update_time'] === 'string' ? row['update_time'] : null, extractedAt: emittedAt[i] as number };
    const id = row['id'] as number;
    const seen = latest.get(id);
    if (!seen || newer(entry, seen)) latest.set(id, entry);
  });
  for (const [id, entry] of latest) {
    const row = table.get(id);
    if (row && !newer(entry, row)) continue;
    if (entry.row['_ab_cdc_deleted_at'] != null) table.delete(id);
    else table.set(id, entry);
  }
}

/** Ids the destination should hold: the ground truth, without the deals Pipedrive still lists as deleted. */
const liveTruth = (stream: string, c: Connection = conn): number[] =>
  [...c.emu.groundTruth(stream)].filter((r) => r['is_deleted'] !== true).map((r) => r['id'] as number).sort((a, b) => a - b);
const destinationIds = (stream: string, c: Connection = conn): number[] => [...(c.destination.get(stream)?.keys() ?? [])].sort((a, b) => a - b);

/** Everything the emulator removed so far, per stream; `removedFrom(snapshot)` the ids removed after it was taken. */
const removedSoFar = (c: Connection = conn): Map<string, number[]> =>
  new Map(c.streams.map((s) => [s, c.emu.removedSince(s, '2000-01-01T00:00:00Z') as number[]]));
const removedAfter = (before: Map<string, number[]>, stream: string, c: Connection = conn): number[] =>
  (c.emu.removedSince(stream, '2000-01-01T00:00:00Z') as number[]).filter((id) => !(before.get(stream) ?? []).includes(id));

const tombstones = (r: Read, stream: string): Rec[] => (r.records.get(stream) ?? []).filter(isTombstone);
const tombstoneIds = (r: Read, stream: string): number[] => tombstones(r, stream).map((t) => t['id'] as number).sort((a, b) => a - b);
const streamState = (r: Read, stream: string): Rec => (r.states.get(stream) as { stream: { stream_state: Rec } }).stream.stream_state;
const sweptIds = (r: Read, stream: string): number[] => [...decodeIds(streamState(r, stream)['id_sweep'])];

/** Every tombstone: the id, the stream's cursor as its STATE holds it, the sweep's time; valid against the schema. */
function expectWellFormed(r: Read, stream: string): void {
  const cursor = streamState(r, stream)['update_time'];
  for (const t of tombstones(r, stream)) {
    expect(t['update_time'], `${stream} ${String(t['id'])}`).toBe(cursor);
    expect(t['_ab_cdc_deleted_at'] as string >= r.started && (t['_ab_cdc_deleted_at'] as string) <= r.ended, String(t['_ab_cdc_deleted_at'])).toBe(true);
    assertValidRecord(stream, t);
  }
}

beforeAll(async () => {
  conn = await connect(14, SIZES, SWEPT);
  emu = conn.emu;
}, 30_000);

afterAll(async () => { await emu?.close(); });

describe('detect_deletes: on, read after read', () => {
  it('the first read records every id and sends no tombstone; each sweep pages by id, 500 ids a request', async () => {
    emu.resetLog();
    const r = await read();
    for (const stream of SWEPT) {
      expect(tombstones(r, stream), stream).toEqual([]);
      const truth = [...emu.groundTruth(stream)].map((x) => x['id'] as number).sort((a, b) => a - b);
      expect(sweptIds(r, stream), stream).toEqual(truth);
      expect(destinationIds(stream), stream).toEqual(liveTruth(stream));
      const sweeps = emu.requests.filter((q) => q.query['sort_by'] === 'id' && q.path === `/api/v2/${stream}`);
      expect(sweeps.length, stream).toBe(Math.ceil(truth.length / 500));
      expect(sweeps.every((q) => q.query['limit'] === '500' && q.tokenCost === 10 && q.query['updated_since'] === undefined), stream).toBe(true);
      if (stream === 'deals') expect(sweeps.every((q) => q.query['status'] === 'open,won,lost,deleted')).toBe(true);
    }
    expect(r.result.stderr).toMatch(/persons: id sweep saw 1100 ids in 3 requests \(30 API tokens\); first sweep/);
  }, 60_000);

  it('7 persons and 3 organizations deleted: exactly those 10 tombstones, nothing else; the destination equals the truth', async () => {
    const before = removedSoFar();
    const m = emu.mutate({ delete: { persons: 7, organizations: 3 } });
    const r = await read();
    expect(tombstoneIds(r, 'persons')).toEqual(removedAfter(before, 'persons'));
    expect(tombstoneIds(r, 'organizations')).toEqual(removedAfter(before, 'organizations'));
    expect(tombstoneIds(r, 'persons')).toEqual([...(m.deleted['persons'] as number[])].sort((a, b) => a - b));
    expect(tombstoneIds(r, 'organizations')).toHaveLength(3);
    for (const stream of ['products', 'activities', 'deals']) expect(tombstones(r, stream), stream).toEqual([]);
    // Nothing else is marked deleted either.
    const marked = SWEPT.flatMap((s) => (r.records.get(s) ?? []).filter((x) => x['_ab_cdc_deleted_at'] != null && x['is_deleted'] !== true));
    expect(marked).toHaveLength(10);
    for (const stream of SWEPT) {
      expectWellFormed(r, stream);
      expect(destinationIds(stream), stream).toEqual(liveTruth(stream));
    }
  }, 60_000);

  it('read again: no tombstone', async () => {
    const r = await read();
    for (const stream of SWEPT) {
      expect(tombstones(r, stream), stream).toEqual([]);
      expect(destinationIds(stream), stream).toEqual(liveTruth(stream));
    }
  }, 60_000);

  it('merges, deletes of every swept entity, new records deleted again, deals 30 days after their deletion: exact, twice', async () => {
    const before = removedSoFar();
    emu.mutate({ merge: { persons: 3, organizations: 2 }, delete: { products: 2, activities: 5, deals: 4 } });
    // The deals deleted up to 29 days before `now` leave every endpoint 30 days after their deletion.
    emu.mutate({ advance: 31 * 86400 });
    const r = await read();
    for (const stream of SWEPT) {
      expect(tombstoneIds(r, stream), stream).toEqual(removedAfter(before, stream));
      expectWellFormed(r, stream);
      expect(destinationIds(stream), stream).toEqual(liveTruth(stream));
    }
    expect(tombstoneIds(r, 'persons')).toHaveLength(3);
    expect(tombstoneIds(r, 'organizations')).toHaveLength(2);
    expect(tombstoneIds(r, 'deals').length).toBeGreaterThan(4);
    const again = await read();
    for (const stream of SWEPT) expect(tombstones(again, stream), stream).toEqual([]);
  }, 90_000);

});

describe('records created after a sweep', () => {
  it('get their tombstone when they are deleted before the next sweep', async () => {
    const small = await connect(15, { persons: 12, organizations: 6 }, ['persons', 'organizations']);
    try {
      await read(small);
      const before = removedSoFar(small);
      const added = small.emu.mutate({ add: { persons: 4 } }).added['persons'] as number[];
      const r1 = await read(small);
      expect((r1.records.get('persons') ?? []).map((p) => p['id'])).toEqual(expect.arrayContaining(added));
      // Delete persons one by one until one of the new ones is gone (the emulator picks them by its seed).
      for (let k = 0; k < 40 && !removedAfter(before, 'persons', small).some((id) => added.includes(id)); k++) {
        small.emu.mutate({ delete: { persons: 1 } });
      }
      const removed = removedAfter(before, 'persons', small);
      expect(removed.some((id) => added.includes(id))).toBe(true);
      const r2 = await read(small);
      expect(tombstoneIds(r2, 'persons')).toEqual(removed);
      expect(tombstones(r2, 'organizations')).toEqual([]);
      expect(destinationIds('persons', small)).toEqual(liveTruth('persons', small));
    } finally {
      await small.emu.close();
    }
  }, 60_000);
});
