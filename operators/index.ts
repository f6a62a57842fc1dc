/**
 * The generic RxJS operators of the read pipeline, one per file, named for its export. They import nothing but
 * `rxjs` (and `./types.js`): what knows Pipedrive or builds Airbyte messages lives in `src/`.
 */
export { paginate, RepeatedRequestError } from './paginate.js';
export type { NextRequest } from './types.js';
export { retryWithBackoff } from './retryWithBackoff.js';
export type { RetryWithBackoffOptions } from './retryWithBackoff.js';
export { mergeStreams } from './mergeStreams.js';
export { failWhen } from './failWhen.js';
export { concatMapEager } from './concatMapEager.js';
