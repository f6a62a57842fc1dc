import { describe, expect, it } from 'vitest';
import { Observable, Subject, firstValueFrom, of, throwError, concat, timeout } from 'rxjs';
import { toAsyncIterator } from '../../../src/api/iterate.js';

const drain = async <T>(it: AsyncIterable<T>): Promise<T[]> => {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
};

describe('toAsyncIterator', () => {
  it('starts on the first next(), yields every message of every batch in order, skipping empty batches', async () => {
    let subscribed = 0;
    const it = toAsyncIterator(() => new Observable<number[]>((s) => {
      subscribed++;
      s.next([1, 2]);
      s.next([]);
      s.next([3]);
      s.complete();
    }));
    expect(subscribed).toBe(0);
    expect(await drain(it)).toEqual([1, 2, 3]);
    expect(subscribed).toBe(1);
    expect(await it.next()).toEqual({ done: true, value: undefined });
  });

  it('throws the error after the messages that came before it, then ends', async () => {
    const it = toAsyncIterator(() => concat(of([1, 2]), throwError(() => new Error('boom'))));
    expect(await it.next()).toEqual({ done: false, value: 1 });
    expect(await it.next()).toEqual({ done: false, value: 2 });
    await expect(it.next()).rejects.toThrow('boom');
    expect(await it.next()).toEqual({ done: true, value: undefined });
  });

  it('ready() waits while highWater messages are buffered and goes on when the consumer takes one below it', async () => {
    const source = new Subject<number[]>();
    let ready: () => Observable<void> = () => of(undefined);
    const it = toAsyncIterator((r) => { ready = r; return source; }, 3);
    const first = it.next();
    source.next([1, 2, 3, 4]);
    expect(await first).toEqual({ done: false, value: 1 });
    // 3 buffered = highWater: ready() waits.
    let went = false;
    const sub = ready().subscribe(() => { went = true; });
    await Promise.resolve();
    expect(went).toBe(false);
    expect((await it.next()).value).toBe(2);
    expect(went).toBe(true);
    sub.unsubscribe();
    // Below the mark: at once.
    await expect(firstValueFrom(ready().pipe(timeout(100)))).resolves.toBeUndefined();
    source.complete();
    expect(await drain(it)).toEqual([3, 4]);
  });

  it('return() (a break) unsubscribes and ends the pending and later next() calls', async () => {
    let unsubscribed = false;
    const it = toAsyncIterator(() => new Observable<number[]>((s) => {
      s.next([1]);
      return () => { unsubscribed = true; };
    }));
    for await (const x of it) {
      expect(x).toBe(1);
      break;
    }
    expect(unsubscribed).toBe(true);
    expect(await it.next()).toEqual({ done: true, value: undefined });
  });

  it('next() calls that overlap get the messages in order', async () => {
    const source = new Subject<number[]>();
    const it = toAsyncIterator(() => source);
    const a = it.next();
    const b = it.next();
    const c = it.next();
    source.next([1, 2]);
    source.complete();
    expect(await Promise.all([a, b, c])).toEqual([{ done: false, value: 1 }, { done: false, value: 2 }, { done: true, value: undefined }]);
  });
});
