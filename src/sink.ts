/**
 * The single stdout writer. Batches of Airbyte messages become one write each (one
 * `JSON.stringify` per message), in order. Producers ask `ready()` before fetching more, so
 * a slow reader of stdout pauses the HTTP requests instead of growing memory. A closed stdout
 * (EPIPE, e.g. `| head -1`) is reported on `closed$` so the command can stop quietly.
 */
import { Observable, ReplaySubject, concatMap, defer, fromEvent, map, of, take, EMPTY, takeUntil, race, ignoreElements } from 'rxjs';
import type { Writable } from 'node:stream';
import type { AirbyteMessage } from './protocol.js';

export interface Sink {
  /**
   * Operator that writes each batch and emits nothing; it waits for `drain` when the stream's buffer
   * is full, and completes when the source completes (or early when stdout closes).
   *
   * ```
   * batches: -a--b---c|
   * write:   -A--B---C|      (A = lines of a, written in one call)
   * ```
   */
  write(): (source: Observable<readonly AirbyteMessage[]>) => Observable<never>;
  /** Emits once (and completes) when the output can take more; immediately if it can now. */
  ready(): Observable<void>;
  /** Emits once when the output is closed by its reader. */
  readonly closed$: Observable<void>;
  /** Bytes written so far. */
  readonly bytes: () => number;
}

export function serializeBatch(batch: readonly AirbyteMessage[]): string {
  let out = '';
  for (const m of batch) out += JSON.stringify(m) + '\n';
  return out;
}

export function createSink(out: Writable): Sink {
  const closed = new ReplaySubject<void>(1);
  let isClosed = false;
  let bytes = 0;
  const onClosed = (): void => {
    if (isClosed) return;
    isClosed = true;
    closed.next();
    closed.complete();
  };
  out.on('error', (err: NodeJS.ErrnoException) => {
    // EPIPE / ERR_STREAM_DESTROYED: the reader went away (`| head -1`). Anything else is the same for us:
    // nothing more can be written.
    void err;
    onClosed();
  });
  out.on('close', onClosed);

  const drained = (): Observable<void> =>
    race(fromEvent(out, 'drain').pipe(take(1), map(() => undefined)), closed.pipe(take(1)));

  const ready = (): Observable<void> =>
    defer(() => (isClosed || !out.writableNeedDrain ? of(undefined) : drained()));

  const write = () => (source: Observable<readonly AirbyteMessage[]>): Observable<never> =>
    source.pipe(
      takeUntil(closed),
      concatMap((batch) => {
        if (isClosed || batch.length === 0) return EMPTY;
        const text = serializeBatch(batch);
        bytes += text.length;
        return out.write(text) ? EMPTY : drained();
      }),
      ignoreElements(),
    );

  return { write, ready, closed$: closed.asObservable(), bytes: () => bytes };
}
