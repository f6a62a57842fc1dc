/** Pages of records → batches of RECORD and STATE messages, with safe-to-resume cursors: the one owner of STATE. */
import { catchError, concatWith, defer, map, of, throwError } from 'rxjs';
import type { Observable, OperatorFunction } from 'rxjs';
import { recordMessage, stateMessage } from '../protocol.js';
import type { AirbyteMessage, JsonObject } from '../protocol.js';
import { cursorOf, maxCursor, toIsoCursor } from '../cursor.js';

export interface CheckpointOptions {
  stream: string;
  /** Absent: full refresh (`stream_state` is `{}` plus `extraState`). */
  cursorField?: string;
  /** Normalised start cursor from the input state or `replication_start_date`. */
  start?: string;
  /** True: records arrive in ascending cursor order (server-side incremental). */
  ordered: boolean;
  /** Emit a STATE after every page (incremental) or only at the end (full refresh). */
  perPage: boolean;
  /** `emitted_at` clock, called once per page (default `Date.now`). */
  now?: () => number;
  /** Merged into `stream_state` (what substreams need); it cannot override the cursor field. */
  extraState?: () => JsonObject;
  /** Merged into the final STATE only (a complete read's figures, e.g. the tokens it spent); not over the cursor. */
  finalState?: () => JsonObject;
}

/**
 * Turns pages of records into message batches: each page → `[RECORD…, STATE]` (`perPage`) or
 * `[RECORD…]`; on completion a final `[STATE]` (always: every stream emits at least one STATE).
 * `STATE.sourceStats.recordCount` = records since the previous STATE. The cursor in `stream_state`
 * is `{[cursorField]: 'YYYY-MM-DDTHH:MM:SSZ'}`:
 * - ordered: the cursor of the last record written (max of `start` and the records seen so far);
 * - unordered: `start` in every mid-stream STATE, and only the final STATE advances to
 *   max(`start`, highest seen).
 * No start and nothing seen → `{}`. A STATE never precedes the records it covers.
 *
 * On error (a failed request, a stop signal) it emits exactly one `[STATE]`, the last safe one — ordered: covering
 * the records written; unordered: `start`; full refresh: `{}` — then rethrows: the stream's last STATE is always
 * the one to resume from, and nobody downstream needs to look for it.
 *
 * ```text
 * perPage, ordered, cursor t:
 * pages:   -a------b------|          a = [r1(t1), r2(t2)], b = [r3(t3)]
 * result:  -A------B------(F|)       A = [R1, R2, S(t2, 2)], B = [R3, S(t3, 1)], F = [S(t3, 0)]
 *
 * not perPage:
 * pages:   -a------b------|
 * result:  -A------B------(F|)       A = [R1, R2], B = [R3], F = [S(t3, 3)]
 *
 * ordered, on error:
 * pages:   -a------#
 * result:  -A------(E#)              A = [R1, R2] (not perPage), E = [S(t2, 2)]
 * ```
 */
export function checkpoint(options: CheckpointOptions): OperatorFunction<readonly JsonObject[], AirbyteMessage[]> {
  const { stream, cursorField, ordered, perPage } = options;
  const start = options.start === undefined ? undefined : (toIsoCursor(options.start) ?? options.start);
  const now = options.now ?? Date.now;
  const extraState = options.extraState;

  return (source: Observable<readonly JsonObject[]>) =>
    defer(() => {
      let highest: string | undefined;
      let sinceState = 0;

      const state = (final: boolean): AirbyteMessage => {
        const extra = { ...extraState?.(), ...(final ? options.finalState?.() : {}) };
        const cursor = cursorField === undefined ? undefined : ordered || final ? maxCursor(start, highest) : start;
        const streamState: JsonObject = cursorField !== undefined && cursor !== undefined ? { ...extra, [cursorField]: cursor } : { ...extra };
        const message = stateMessage(stream, streamState, sinceState);
        sinceState = 0;
        return message;
      };

      const onPage = (page: readonly JsonObject[]): AirbyteMessage[] => {
        const emittedAt = now();
        const batch: AirbyteMessage[] = new Array<AirbyteMessage>(page.length);
        for (let i = 0; i < page.length; i++) {
          const data = page[i] as JsonObject;
          batch[i] = recordMessage(stream, data, emittedAt);
          if (cursorField !== undefined) highest = maxCursor(highest, cursorOf(data, cursorField));
        }
        sinceState += page.length;
        if (perPage) batch.push(state(false));
        return batch;
      };

      return source.pipe(
        map(onPage),
        // The last safe STATE, then the error: `state(false)` covers what was written (ordered) or holds `start`.
        catchError((error: unknown) => of([state(false)]).pipe(concatWith(throwError(() => error)))),
        concatWith(defer(() => of([state(true)]))),
      );
    });
}
