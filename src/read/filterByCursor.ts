/** Client-side incremental filtering of pages. */
import { identity, map, pipe } from 'rxjs';
import type { MonoTypeOperatorFunction } from 'rxjs';
import type { JsonObject } from '../protocol.js';
import { cursorOf, toIsoCursor } from '../cursor.js';

/**
 * For client-side incremental streams: keeps the records of each page whose cursor (normalised
 * with `toIsoCursor`, so v1 `YYYY-MM-DD HH:MM:SS` and v2 RFC 3339 compare alike) is `>= since`
 * (inclusive). `since` undefined (or not a parsable timestamp) → pass-through. Records without a
 * parsable cursor are kept (never lose a record). Empty pages still pass, so checkpoints still
 * happen.
 *
 * ```text
 * since = 2024-01-02T00:00:00Z
 * pages:   -a----b----c|     a = [01-01, 01-02 10:00:00], b = [01-01], c = [garbage]
 * result:  -x----y----z|     x = [01-02 10:00:00],        y = [],      z = [garbage]
 * ```
 */
export function filterByCursor(cursorField: string, since: string | undefined): MonoTypeOperatorFunction<readonly JsonObject[]> {
  const from = since === undefined ? undefined : toIsoCursor(since);
  if (from === undefined) return identity;
  return pipe(
    map((page: readonly JsonObject[]) =>
      page.filter((record) => {
        const cursor = cursorOf(record, cursorField);
        return cursor === undefined || cursor >= from;
      }),
    ),
  );
}
