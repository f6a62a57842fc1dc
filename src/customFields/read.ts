/**
 * Custom fields in a read: with `custom_field_names: name` or `resolve_option_labels`, the definitions of the
 * selected streams are read once before the streams start, and each stream gets its per-page transform — or, when
 * its definitions cannot be read, fails on its own rather than send records whose shape differs from the catalog.
 */
import { Observable, catchError, map, of, throwError } from 'rxjs';
import type { StreamDefinition } from '../../streams/types.js';
import { ConnectorError, RateLimitError, endsRead, failureTypeOf, messageOf } from '../errors.js';
import type { FailureType, JsonObject } from '../protocol.js';
import { fetchCustomFields, type FieldDefinitions, type ReadPages } from './fetch.js';
import { builtinNames, streamCustomFields } from './names.js';
import { catalogNames } from './catalogNames.js';
import { transformsRecords, type CustomFieldOptions } from './options.js';
import { customFieldTransform } from './transform.js';

/** A per-page function of records. */
export type PageTransform = (records: readonly JsonObject[]) => readonly JsonObject[];

/**
 * A stream's custom-field stage: its per-page transform, or an error when its definitions could not be read.
 * `catalogSchema` is the stream's schema in the configured catalog: in `name` mode its names are kept for the keys
 * it knows (src/customFields/catalogNames.ts).
 */
export type CustomFieldStage = (def: StreamDefinition, catalogSchema?: unknown) => Observable<PageTransform>;

/** A stream that needs custom field definitions it could not get: it fails with this, keeping the cause's type. */
export class CustomFieldsError extends ConnectorError {
  override readonly name = 'CustomFieldsError';
  constructor(message: string, readonly failureType: FailureType) {
    super(message);
  }
}

function definitionsError(stream: string, source: string, err: unknown): unknown {
  // A reason to end the whole read (a spent daily budget, the token cap) must stay what it is: the read engine stops
  // every stream on it.
  if (err instanceof RateLimitError || endsRead(err)) return err;
  return new CustomFieldsError(
    `${stream}: the custom field definitions (${source}) could not be read, so custom_field_names 'name' and ` +
      `resolve_option_labels cannot be applied; set custom_field_names to 'key' and resolve_option_labels to false, ` +
      `or give the user access to them: ${messageOf(err)}`,
    failureTypeOf(err),
  );
}

const identity: PageTransform = (records) => records;

/**
 * Reads the definitions the given streams need (none, and no request, when neither option is on) and gives each
 * stream its stage. A failure to read them fails only the streams that need them.
 */
export function customFieldStages(
  readPages: ReadPages,
  streams: readonly StreamDefinition[],
  opts: CustomFieldOptions,
): Observable<CustomFieldStage> {
  if (!transformsRecords(opts) || !streams.some((s) => s.customFields)) return of(() => of(identity));
  const stageOf = (fields: FieldDefinitions | undefined, failure: unknown): CustomFieldStage => (def, catalogSchema) => {
    const source = def.customFields;
    if (!source) return of(identity);
    const err = failure ?? fields?.errors.get(source.name);
    if (err !== undefined) return throwError(() => definitionsError(def.name, source.name, err));
    const known = opts.naming === 'name' ? catalogNames(catalogSchema, def.api) : undefined;
    return of(customFieldTransform(streamCustomFields(def, fields?.byStream.get(source.name) ?? [], opts, builtinNames(def), known)));
  };
  return fetchCustomFields(readPages, streams).pipe(
    map((fields) => stageOf(fields, undefined)),
    catchError((err: unknown) => of(stageOf(undefined, err))),
  );
}
