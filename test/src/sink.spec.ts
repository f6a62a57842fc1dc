import { describe, it, expect } from 'vitest';
import { Writable } from 'node:stream';
import { lastValueFrom, of, Subject, firstValueFrom } from 'rxjs';
import { createSink, serializeBatch } from '../../src/sink.js';
import { recordMessage, stateMessage } from '../../src/protocol.js';

function slowWritable(highWaterMark: number) {
  const chunks: string[] = [];
  let release: (() => void) | undefined;
  const w = new Writable({
    highWaterMark,
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString());
      release = cb;
    },
  });
  return { w, chunks, release: () => { const r = release; release = undefined; r?.(); } };
}

describe('sink', () => {
  it('serialises one JSON line per message, in order', () => {
    const text = serializeBatch([recordMessage('deals', { id: 1 }, 5), stateMessage('deals', {}, 1)]);
    expect(text.split('\n')).toEqual([
      '{"type":"RECORD","record":{"stream":"deals","data":{"id":1},"emitted_at":5}}',
      '{"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"deals"},"stream_state":{}},"sourceStats":{"recordCount":1}}}',
      '',
    ]);
  });

  it('writes one chunk per batch and waits for drain when the buffer is full', async () => {
    const { w, chunks, release } = slowWritable(10);
    const sink = createSink(w);
    const batches = new Subject<ReturnType<typeof recordMessage>[]>();
    let done = false;
    const p = lastValueFrom(batches.pipe(sink.write()), { defaultValue: undefined }).then(() => { done = true; });
    batches.next([recordMessage('a', { id: 1 }, 1), recordMessage('a', { id: 2 }, 1)]);
    expect(chunks).toHaveLength(1);
    // The buffer is over its high-water mark: ready() must wait for drain.
    let ready = false;
    const r = firstValueFrom(sink.ready()).then(() => { ready = true; });
    await new Promise((res) => setTimeout(res, 10));
    expect(ready).toBe(false);
    release();
    await r;
    expect(ready).toBe(true);
    batches.next([recordMessage('a', { id: 3 }, 1)]);
    batches.complete();
    release();
    await new Promise((res) => setTimeout(res, 10));
    release();
    await p;
    expect(done).toBe(true);
    expect(chunks.join('').trim().split('\n')).toHaveLength(3);
  });

  it('reports a closed output (EPIPE) and stops writing without throwing', async () => {
    const w = new Writable({ write(_c, _e, cb) { cb(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })); } });
    const sink = createSink(w);
    let closed = false;
    sink.closed$.subscribe(() => { closed = true; });
    await lastValueFrom(of([recordMessage('a', { id: 1 }, 1)], [recordMessage('a', { id: 2 }, 1)]).pipe(sink.write()), { defaultValue: undefined });
    await new Promise((res) => setTimeout(res, 10));
    expect(closed).toBe(true);
    await firstValueFrom(sink.ready());
  });
});
