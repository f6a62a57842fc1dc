import { describe, it, expect } from 'vitest';
import { Writable } from 'node:stream';
import { createWriteStream, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, of, Subject, firstValueFrom } from 'rxjs';
import { createSink, encodeBatch, serializeBatch } from '../../src/sink.js';
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

  it('encodes a batch to the UTF-8 bytes of its serialised lines, in a buffer of any size', () => {
    const batch = [
      recordMessage('deals', { id: 1, title: 'Zoë’s “deal” — €5 💶', note: 'x'.repeat(5000) }, 5),
      ...Array.from({ length: 50 }, (_, i) => recordMessage('deals', { id: i, name: 'Ünïcødé ✓ '.repeat(i % 7), emoji: '🦀'.repeat(i) }, 6)),
      stateMessage('deals', { update_time: '2026-01-01T00:00:00Z' }, 51),
    ];
    const expected = Buffer.from(serializeBatch(batch), 'utf8');
    for (const size of [0, 1, 100, 4096, expected.length - 1, expected.length, expected.length * 2]) {
      const into = Buffer.alloc(size);
      const bytes = encodeBatch(batch, into);
      expect(bytes.equals(expected), `buffer of ${size} bytes`).toBe(true);
      // Filled in place when the lines fit.
      expect(bytes.buffer === into.buffer, `buffer of ${size} bytes`).toBe(size >= expected.length);
    }
    expect(encodeBatch(batch).equals(expected)).toBe(true);
    expect(encodeBatch([]).length).toBe(0);
  });

  it('on a file descriptor, fills the buffer of a completed write again instead of allocating one per batch', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sink-'));
    const file = join(dir, 'out.jsonl');
    const pages = Array.from({ length: 20 }, (_, p) => Array.from({ length: 100 }, (_, i) => recordMessage('deals', { id: p * 100 + i, name: 'ü'.repeat(i) }, 1)));
    const expected = pages.map(serializeBatch).join('');
    for (const onFd of [true, false]) {
      const fileStream = createWriteStream(file, { fd: openSync(file, 'w') });
      // Without a file descriptor (a Writable that may keep chunks after calling back), nothing is filled again.
      const w = onFd ? fileStream : new Writable({ write: (chunk: Buffer, _e, cb) => fileStream.write(Buffer.from(chunk), cb) });
      const seen = new Set<ArrayBufferLike>();
      const original = w.write.bind(w);
      w.write = ((chunk: Buffer, cb?: (err?: Error | null) => void) => { seen.add(chunk.buffer); return original(chunk, cb); }) as typeof w.write;
      const sink = createSink(w);
      for (const page of pages) {
        await lastValueFrom(of(page).pipe(sink.write()), { defaultValue: undefined });
        await new Promise((res) => setImmediate(res));
      }
      await new Promise((res) => fileStream.end(res));
      if (onFd) expect(seen.size).toBeLessThanOrEqual(3);
      else expect(seen.size).toBe(pages.length);
      expect(readFileSync(file, 'utf8')).toBe(expected);
      expect(sink.bytes()).toBe(Buffer.byteLength(expected));
    }
    rmSync(dir, { recursive: true, force: true });
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
