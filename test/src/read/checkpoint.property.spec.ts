/**
 * Resumability of checkpoint's STATEs, for any data, paging and interruption:
 * a read interrupted anywhere, then resumed from its last STATE (the server returning every record
 * whose cursor is >= the state cursor), delivers every record at least once.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { NEVER, concat, from, map, throwError, timer } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { concatMapEager, failWhen } from '../../../operators/index.js';
import type { Observable } from 'rxjs';
import { checkpoint } from '../../../src/read/checkpoint.js';
import { filterByCursor } from '../../../src/read/filterByCursor.js';
import type { AirbyteMessage, JsonObject } from '../../../src/protocol.js';
import { toIsoCursor } from '../../../src/cursor.js';

const BASE = Date.UTC(2024, 0, 1);
const iso = (n: number) => new Date(BASE + n * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
const v1 = (n: number) => iso(n).replace('T', ' ').replace('Z', '');

interface Row { id: number; t: number; v1: boolean; order: number }

const arbScenario = fc.record({
  rows: fc.array(fc.record({ t: fc.integer({ min: 0, max: 30 }), v1: fc.boolean(), order: fc.integer() }), { maxLength: 40 }),
  start: fc.option(fc.integer({ min: 0, max: 30 }), { nil: undefined }),
  ordered: fc.boolean(),
  perPage: fc.boolean(),
  cuts: fc.array(fc.nat(), { maxLength: 12 }),
  /** 'error': the source fails after `at` pages; 'cut': the output stops after `at` messages (SIGTERM); 'none': completes. */
  interruption: fc.constantFrom('error', 'cut', 'none'),
  at: fc.nat(),
});

type Scenario = typeof arbScenario extends fc.Arbitrary<infer U> ? U : never;

function run(s: Scenario) {
  const rows: Row[] = s.rows.map((r, id) => ({ id, ...r }));
  const data = rows.map((r): JsonObject => ({ id: r.id, update_time: r.v1 ? v1(r.t) : iso(r.t) }));
  const start = s.start === undefined ? undefined : iso(s.start);
  const cursorOf = (r: JsonObject) => toIsoCursor(r['update_time']) as string;

  // What the first read is responsible for: every record at or after start.
  const due = data.filter((r) => start === undefined || cursorOf(r) >= start);

  // Server-side incremental: the server filters and sorts; client-side: the server returns everything in its own order.
  const served = s.ordered
    ? [...due].sort((a, b) => cursorOf(a).localeCompare(cursorOf(b)) || (a['id'] as number) - (b['id'] as number))
    : [...data].sort((a, b) => (rows[a['id'] as number]!.order - rows[b['id'] as number]!.order));
  const bounds = [...s.cuts.map((c) => c % (served.length + 1)), 0, served.length].sort((a, b) => a - b);
  const pages: JsonObject[][] = [];
  for (let i = 1; i < bounds.length; i++) pages.push(served.slice(bounds[i - 1], bounds[i]));

  const failAt = s.interruption === 'error' ? s.at % (pages.length + 1) : pages.length;
  const source: Observable<JsonObject[]> = s.interruption === 'error'
    ? concat(from(pages.slice(0, failAt)), throwError(() => new Error('interrupted')))
    : from(pages);
  const filtered = s.ordered || start === undefined ? source : source.pipe(filterByCursor('update_time', start));

  let out: AirbyteMessage[] = [];
  let failed = false;
  filtered.pipe(checkpoint({
    stream: 's',
    cursorField: 'update_time',
    ...(start !== undefined ? { start } : {}),
    ordered: s.ordered,
    perPage: s.perPage,
    now: () => 0,
  })).subscribe({ next: (b) => out.push(...b), error: () => { failed = true; } });
  if (s.interruption === 'cut') out = out.slice(0, s.at % (out.length + 1));
  return { data, due, start, out, failed, cursorOf };
}

describe('checkpoint: resuming from the last STATE never skips a record', () => {
  it('holds for any data, paging and interruption point', () => {
    fc.assert(fc.property(arbScenario, (s) => {
      const { data, due, start, out, cursorOf } = run(s);
      const lastState = out.map((x, i) => [x, i] as const).filter(([x]) => x.type === 'STATE').at(-1);

      // Records the platform has committed: those written before the last STATE.
      const committed = new Set<unknown>();
      if (lastState) for (const x of out.slice(0, lastState[1])) if (x.type === 'RECORD') committed.add(x.record.data['id']);

      // sourceStats.recordCount adds up to exactly the committed records.
      const counted = out.reduce((n, x) => n + (x.type === 'STATE' ? x.state.sourceStats.recordCount : 0), 0);
      expect(counted).toBe(committed.size);

      // Resume as the platform would: from the last STATE, or from the original input if there is none.
      const resumeFrom = lastState && lastState[0].type === 'STATE'
        ? toIsoCursor(lastState[0].state.stream.stream_state['update_time'])
        : start;
      if (lastState && lastState[0].type === 'STATE' && resumeFrom !== undefined && start !== undefined) {
        expect(resumeFrom >= start).toBe(true); // never moves backwards past the input cursor
      }
      const resumed = new Set(data.filter((r) => resumeFrom === undefined || cursorOf(r) >= resumeFrom).map((r) => r['id']));

      for (const r of due) {
        expect(committed.has(r['id']) || resumed.has(r['id'])).toBe(true);
      }
    }), { numRuns: 2000 });
  });

  it('a completed read commits every due record and ends on the highest cursor', () => {
    fc.assert(fc.property(arbScenario, (s) => {
      const { due, start, out, failed, cursorOf } = run({ ...s, interruption: 'none' });
      expect(failed).toBe(false);
      const last = out.at(-1);
      expect(last?.type).toBe('STATE');
      const written = new Set(out.flatMap((x) => (x.type === 'RECORD' ? [x.record.data['id']] : [])));
      expect(written.size).toBe(due.length);
      const highest = due.map(cursorOf).reduce<string | undefined>((a, b) => (a === undefined || b > a ? b : a), start);
      const cursor = last?.type === 'STATE' ? last.state.stream.stream_state['update_time'] : undefined;
      expect(cursor).toBe(highest);
    }), { numRuns: 500 });
  });
});

describe('checkpoint after a concurrent fan-out: resuming from the last STATE never skips a record', () => {
  /**
   * The children of each parent come from one request each, answered after an arbitrary delay, up to `concurrency`
   * at once (concatMapEager, as readStream's childPages); the read is stopped at an arbitrary moment (failWhen, as a
   * signal or a spent budget does). Whatever the completion order and the moment, the records written before the
   * last STATE plus a resumed read from it hold every due record.
   */
  const arbFan = fc.record({
    parents: fc.array(fc.record({
      children: fc.array(fc.record({ t: fc.integer({ min: 0, max: 30 }), v1: fc.boolean() }), { maxLength: 5 }),
      delay: fc.integer({ min: 1, max: 20 }),
    }), { maxLength: 15 }),
    concurrency: fc.integer({ min: 1, max: 8 }),
    start: fc.option(fc.integer({ min: 0, max: 30 }), { nil: undefined }),
    stopAt: fc.option(fc.integer({ min: 0, max: 120 }), { nil: undefined }),
  });

  it('holds for any completion order, concurrency and stop', () => {
    fc.assert(fc.property(arbFan, (s) => {
      let next = 0;
      const children = s.parents.map((p) => p.children.map((c): JsonObject => ({ id: next++, update_time: c.v1 ? v1(c.t) : iso(c.t) })));
      const all = children.flat();
      const start = s.start === undefined ? undefined : iso(s.start);
      const cursorOf = (r: JsonObject) => toIsoCursor(r['update_time']) as string;
      const due = all.filter((r) => start === undefined || cursorOf(r) >= start);

      const scheduler = new TestScheduler(() => undefined);
      const out: AirbyteMessage[] = [];
      scheduler.run(() => {
        const stop$ = s.stopAt === undefined ? NEVER : timer(s.stopAt, scheduler).pipe(map(() => new Error('stopped')));
        const pages = from(s.parents.map((p, i) => ({ p, i }))).pipe(
          concatMapEager(({ p, i }) => timer(p.delay, scheduler).pipe(map(() => children[i] as JsonObject[])), s.concurrency),
        );
        const filtered = start === undefined ? pages : pages.pipe(filterByCursor('update_time', start));
        filtered.pipe(failWhen(stop$), checkpoint({
          stream: 's', cursorField: 'update_time', ...(start !== undefined ? { start } : {}), ordered: false, perPage: true, now: () => 0,
        })).subscribe({ next: (b) => out.push(...b), error: () => undefined });
      });

      const lastState = out.map((x, i) => [x, i] as const).filter(([x]) => x.type === 'STATE').at(-1);
      // Every stream emits a STATE, stopped or not.
      expect(lastState).toBeDefined();
      const committed = new Set<unknown>();
      for (const x of out.slice(0, lastState?.[1] ?? 0)) if (x.type === 'RECORD') committed.add(x.record.data['id']);
      const resumeFrom = lastState?.[0].type === 'STATE' ? toIsoCursor(lastState[0].state.stream.stream_state['update_time']) : start;
      if (start !== undefined && resumeFrom !== undefined) expect(resumeFrom >= start).toBe(true);
      const resumed = new Set(all.filter((r) => resumeFrom === undefined || cursorOf(r) >= resumeFrom).map((r) => r['id']));
      for (const r of due) expect(committed.has(r['id']) || resumed.has(r['id']), `record ${String(r['id'])}`).toBe(true);
      // The records come in parent order, whatever order the requests completed in.
      const written = out.flatMap((x) => (x.type === 'RECORD' ? [x.record.data['id'] as number] : []));
      expect(written).toEqual([...written].sort((a, b) => a - b));
    }), { numRuns: 1500 });
  });
});
