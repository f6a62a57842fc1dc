/**
 * The protocol writer: the CLI opens one per command on process.stdout, and nothing else writes there. Batches of
 * Airbyte messages become one write each (one `JSON.stringify` per message, encoded straight into one UTF-8 buffer
 * per batch), in order. Producers ask `ready()` before fetching more, so a slow reader of stdout pauses the HTTP
 * requests instead of growing memory. A closed stdout (EPIPE, e.g. `| head -1`) is reported on `closed$` so the
 * command can stop quietly.
 */
import { Observable, ReplaySubject, concatMap, defer, fromEvent, lastValueFrom, map, of, take, EMPTY, takeUntil, race, ignoreElements } from 'rxjs';
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
  /**
   * Writes every batch of `messages$` and resolves when they are handed to the output (or the output closed; the
   * rest is then dropped). Rejects with the error of `messages$`.
   */
  writeAll(messages$: Observable<readonly AirbyteMessage[]>): Promise<void>;
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

/**
 * The lines of `batch` as UTF-8 bytes, as `serializeBatch` would write them: one `JSON.stringify` per message, each
 * line encoded as soon as it is made. No string of the whole batch is built (nor flattened again when it is
 * written), so a page costs its message strings, which die young, and bytes outside the JS heap. Fills `into` (from
 * its start) while the lines fit, else a larger buffer; returns a view of the bytes written.
 */
export function encodeBatch(batch: readonly AirbyteMessage[], into: Buffer = Buffer.allocUnsafeSlow(4096)): Buffer {
  let buf = into;
  let at = 0;
  for (const m of batch) {
    const line = JSON.stringify(m);
    // A UTF-16 code unit takes at most 3 bytes in UTF-8: the exact length is only needed near the end of the buffer.
    if (buf.length - at < line.length * 3 + 1) {
      const need = at + Buffer.byteLength(line) + 1;
      if (need > buf.length) {
        const bigger = Buffer.allocUnsafeSlow(Math.max(need, buf.length * 2));
        buf.copy(bigger, 0, 0, at);
        buf = bigger;
      }
    }
    at += buf.write(line, at);
    buf[at++] = 0x0a;
  }
  return buf.subarray(0, at);
}

export function createSink(out: Writable): Sink {
  const closed = new ReplaySubject<void>(1);
  let isClosed = false;
  let bytes = 0;
  let sizeHint = 4096;
  /** A buffer whose write has completed, free for the next batch. */
  let spare: Buffer | undefined;
  // A stream on a file descriptor (stdout as a file, pipe or terminal) has written a chunk when it calls back; another
  // Writable (a Transform passing chunks on) may still hold it, so its buffers are never filled again.
  const reuse = typeof (out as { fd?: unknown }).fd === 'number';
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
        // The buffer of a write that has completed is filled again (stdout, written to a file descriptor, is done
        // with a chunk when it calls back): pages do not leave a trail of buffers for the garbage collector.
        const into = spare !== undefined && spare.length >= sizeHint ? spare : Buffer.allocUnsafeSlow(sizeHint);
        if (into === spare) spare = undefined;
        const chunk = encodeBatch(batch, into);
        // The next batch is most likely a page of the same size: a little room to spare avoids growing the buffer.
        sizeHint = Math.max(4096, chunk.length + (chunk.length >> 3));
        bytes += chunk.length;
        const whole = Buffer.from(chunk.buffer, chunk.byteOffset);
        const written = out.write(chunk, () => {
          if (reuse && (spare === undefined || spare.length < whole.length)) spare = whole;
        });
        return written ? EMPTY : drained();
      }),
      ignoreElements(),
    );

  const writeAll = (messages$: Observable<readonly AirbyteMessage[]>): Promise<void> =>
    lastValueFrom(messages$.pipe(write(), takeUntil(closed)), { defaultValue: undefined });

  return { write, writeAll, ready, closed$: closed.asObservable(), bytes: () => bytes };
}
