/** The schemas `discover` prints: every stream's static schema, with the account's custom fields typed. */
import { Observable, catchError, map, mergeMap, of, throwError } from 'rxjs';
import type { StreamDefinition } from '../../streams/types.js';
import { allStreams, loadSchema } from '../../streams/index.js';
import { messageOf } from '../errors.js';
import { fetchCustomFields, isCredentialFailure, type FieldDefinitions, type ReadPages } from './fetch.js';
import { streamCustomFields } from './names.js';
import type { CustomFieldOptions } from './options.js';
import { withCustomFields } from './schema.js';

export interface DiscoveredStream {
  readonly def: StreamDefinition;
  readonly schema: Record<string, unknown>;
}

/** Every stream's schema, with the custom fields of `fields` added (static schemas where they are missing). */
export function streamSchemas(
  fields: FieldDefinitions | undefined,
  opts: CustomFieldOptions,
  streams: readonly StreamDefinition[] = allStreams,
): DiscoveredStream[] {
  return streams.map((def) => {
    const schema = loadSchema(def);
    const defs = def.customFields ? fields?.byStream.get(def.customFields.name) : undefined;
    return { def, schema: defs && defs.length > 0 ? withCustomFields(schema, streamCustomFields(def, defs, opts)) : schema };
  });
}

/**
 * Custom fields are read from Pipedrive (`readPages$` gives the page reader once the base URL is known) and added to
 * their streams. Custom fields never make discover fail on their own: an endpoint that cannot be read, a network
 * failure or a spent rate limit is logged as a warning and those streams keep their static schema (`custom_fields`
 * stays an open object). Wrong credentials (401, a rejected OAuth refresh, a bad setting) do fail it: a catalog would
 * hide a config that cannot sync.
 */
export function discoverSchemas(
  readPages$: Observable<ReadPages>,
  opts: CustomFieldOptions,
  warn: (message: string) => void,
  streams: readonly StreamDefinition[] = allStreams,
): Observable<DiscoveredStream[]> {
  return readPages$.pipe(
    mergeMap((readPages) => fetchCustomFields(readPages, streams)),
    map((fields) => {
      for (const [source, err] of fields.errors) {
        const affected = streams.filter((s) => s.customFields?.name === source).map((s) => s.name);
        warn(`Custom fields of ${affected.join(', ')} are not typed: ${source} could not be read: ${messageOf(err)}`);
      }
      return streamSchemas(fields, opts, streams);
    }),
    catchError((err: unknown) => {
      if (isCredentialFailure(err)) return throwError(() => err);
      warn(`Custom fields are not typed (the catalog has the static schemas): the field definitions could not be read: ${messageOf(err)}`);
      return of(streamSchemas(undefined, opts, streams));
    }),
  );
}
