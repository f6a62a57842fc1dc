import { describe, it, expect } from 'vitest';
import { map } from 'rxjs';
import { marbles } from './helpers/marbles.js';

describe('marbles helper', () => {
  it('runs a marble test in virtual time', marbles((m) => {
    const src = m.cold('-a-b|', { a: 1, b: 2 });
    m.expect(src.pipe(map((x) => x * 2))).toBeObservable('-a-b|', { a: 2, b: 4 });
  }));
  it('vitest works', () => { expect(1 + 1).toBe(2); });
});
