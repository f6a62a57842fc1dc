/**
 * The changes `npm run demo` makes between its full and its incremental read (also the incremental read of
 * `npm run bench`'s token comparison): touched, added and deleted records per entity of the emulator.
 */
import type { MutationChange } from '../emulator/mutations.js';

export const DEMO_CHANGES: MutationChange = {
  touch: { deals: 40, persons: 25, organizations: 10, notes: 15 },
  add: { deals: 12, persons: 5 },
  delete: { deals: 4 },
};
