/**
 * The `discover` use case: the catalog of every stream with its schema (custom fields typed from the account's
 * `*Fields` endpoints, src/customFields/), primary key and sync modes.
 */
import { Observable, map } from 'rxjs';
import type { StreamDefinition } from '../streams/types.js';
import { supportsIncremental } from '../streams/index.js';
import { catalogMessage, type AirbyteMessage, type AirbyteStream } from './protocol.js';
import type { Session } from './session.js';
import { customFieldOptions, discoverSchemas, type ReadPages } from './customFields/index.js';
import { pagesOf } from './read/readStream.js';

/** Discover is interactive and custom fields only refine it: one retry, then the static schemas (CLI and Node API). */
export const DISCOVER_REQUESTS = { timeoutMs: 30_000, maxRetries: 1 } as const;

/** The catalog entry of one stream definition. */
export function airbyteStream(def: StreamDefinition, schema: Record<string, unknown>): AirbyteStream {
  const incremental = supportsIncremental(def);
  return {
    name: def.name,
    json_schema: schema,
    supported_sync_modes: incremental ? ['full_refresh', 'incremental'] : ['full_refresh'],
    source_defined_primary_key: def.primaryKey.map((k) => [...k]),
    ...(incremental ? { source_defined_cursor: true, default_cursor_field: [def.cursorField as string], is_resumable: true } : {}),
  };
}

/** One CATALOG message. Wrong credentials fail it; custom fields that cannot be read only WARN (static schemas). */
export function discover(session: Session): Observable<AirbyteMessage[]> {
  const readPages$: Observable<ReadPages> = session.roots().pipe(
    map((root) => (def: StreamDefinition) => pagesOf(def, { request: session.requester.request, root })),
  );
  return discoverSchemas(readPages$, customFieldOptions(session.config), (m) => session.log.warn(m)).pipe(
    map((streams) => [catalogMessage(streams.map(({ def, schema }) => airbyteStream(def, schema)))]),
  );
}
