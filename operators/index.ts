/** The reusable RxJS operators of the read pipeline (one per file, named for its export). */
export { paginate, nextCursorRequest, nextOffsetRequest } from './paginate.js';
export type { NextRequest } from './paginate.js';
export { retryRateLimited } from './retryRateLimited.js';
export type { RetryOptions } from './retryRateLimited.js';
export { filterByCursor } from './filterByCursor.js';
export { cursorOf } from './cursorOf.js';
export { checkpoint } from './checkpoint.js';
export type { CheckpointOptions } from './checkpoint.js';
export { withStreamStatus } from './withStreamStatus.js';
export type { StreamStatusOptions } from './withStreamStatus.js';
export { mergeStreams } from './mergeStreams.js';
export { createRateBudget } from './rateBudget.js';
export type { RateBudget, RateBudgetOptions } from './rateBudget.js';
