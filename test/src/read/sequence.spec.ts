import { describe, expect, it } from 'vitest';
import { numberFromOldest } from '../../../src/read/sequence.js';
import { flattenRecords } from '../../../src/read/requests.js';

const seq = { field: 'change_seq', groupBy: ['time', 'field_key'] } as const;
const entry = (time: string, field_key: string, old_value: string | null, new_value: string | null) => ({ field_key, old_value, new_value, time });

describe('numberFromOldest', () => {
  it('numbers the records of a group from the oldest (the last in API order), each group on its own', () => {
    const page = [
      entry('2024-02-01 10:00:05', 'stage_id', '2', '3'),
      entry('2024-02-01 10:00:05', 'value', '10', '20'),
      entry('2024-02-01 10:00:05', 'stage_id', '1', '2'),
      entry('2024-02-01 10:00:04', 'stage_id', '3', '1'),
    ];
    expect(numberFromOldest(page, seq).map((r) => r['change_seq'])).toEqual([1, 0, 0, 0]);
  });

  it('tells apart entries that are equal in everything but their place (a → b → a → b in one second)', () => {
    const page = [entry('t', 'x', 'a', 'b'), entry('t', 'x', 'b', 'a'), entry('t', 'x', 'a', 'b')];
    const keys = numberFromOldest(page, seq).map((r) => JSON.stringify([r['time'], r['field_key'], r['change_seq']]));
    expect(new Set(keys).size).toBe(3);
    expect(numberFromOldest(page, seq).map((r) => r['change_seq'])).toEqual([2, 1, 0]);
  });

  it('keeps the numbers of the entries it numbered before when newer entries arrive (a later read)', () => {
    const before = [entry('t1', 'x', 'b', 'c'), entry('t1', 'x', 'a', 'b')];
    const after = [entry('t2', 'x', 'd', 'e'), entry('t1', 'x', 'c', 'd'), ...before];
    const first = numberFromOldest(before, seq);
    const second = numberFromOldest(after, seq);
    expect(second.slice(2)).toEqual(first);
    expect(second.map((r) => r['change_seq'])).toEqual([0, 2, 1, 0]);
  });

  it('leaves its input alone and keeps the order', () => {
    const page = [entry('t', 'x', 'a', 'b')];
    const out = numberFromOldest(page, seq);
    expect(page[0]).not.toHaveProperty('change_seq');
    expect(out).toEqual([{ ...page[0], change_seq: 0 }]);
    expect(numberFromOldest([], seq)).toEqual([]);
  });

  it('treats a missing group field as null (one group)', () => {
    expect(numberFromOldest([{ time: 't' }, { time: 't', field_key: null }], seq).map((r) => r['change_seq'])).toEqual([1, 0]);
  });
});

describe('flattenRecords', () => {
  const flatten = { items: 'options', parentKey: 'field_code', as: 'field_key' } as const;

  it('gives the items of every record, each with the record key first', () => {
    const fields = [
      { field_code: 'status', options: [{ id: 'open', label: 'Open' }, { id: 'won', label: 'Won' }] },
      { field_code: 'title', options: null },
      { field_code: 'abc', options: [{ id: 1, label: 'A', color: null }] },
      { field_code: 'plain' },
    ];
    const out = flattenRecords(fields, flatten);
    expect(out).toEqual([
      { field_key: 'status', id: 'open', label: 'Open' },
      { field_key: 'status', id: 'won', label: 'Won' },
      { field_key: 'abc', id: 1, label: 'A', color: null },
    ]);
    expect(Object.keys(out[0] as object)[0]).toBe('field_key');
  });

  it('skips items that are not objects and keeps a missing record key as null', () => {
    expect(flattenRecords([{ options: [1, 'x', null, [2], { id: 3 }] }], flatten)).toEqual([{ field_key: null, id: 3 }]);
  });
});
