/** rxjs-marbles wired to vitest's expect (rxjs-marbles 7 has no vitest entry). */
import { expect } from 'vitest';
import { configure } from 'rxjs-marbles';

export const { cases, marbles, fakeSchedulers, observe } = configure({
  assertDeepEqual: (a: unknown, e: unknown) => expect(a).toStrictEqual(e),
  frameworkMatcher: true,
});
