/**
 * Reading custom field definitions: each `*Fields` endpoint a set of streams links to (`StreamDefinition.customFields`)
 * is read once, every page, through a `readPages` function the caller gives (the read engine's, with its auth, rate
 * budget and retries), and parsed.
 */
import { EMPTY, Observable, catchError, concat, from, map, mergeMap, of, reduce, throwError } from 'rxjs';
import type { StreamDefinition } from '../../streams/types.js';
import { ConfigError, HttpError, RateLimitError } from '../errors.js';
import { statusRule } from '../http/statusPolicy.js';
import { parseFieldDefinitions, type CustomFieldDef } from './definitions.js';

/** Every page of records of a stream, in order. */
export type ReadPages = (def: StreamDefinition) => Observable<readonly unknown[]>;

export interface FieldDefinitions {
  /** Custom field definitions by field-definition stream name (`deal_fields`, …). */
  readonly byStream: ReadonlyMap<string, readonly CustomFieldDef[]>;
  /** Field-definition streams that could not be read (403 without admin rights, 404, 402, …), with the error. */
  readonly errors: ReadonlyMap<string, unknown>;
}

/** Most accounts can read deal fields (activity fields need admin rights with OAuth): they are asked first. */
const FETCH_ORDER = ['deal_fields', 'person_fields', 'organization_fields', 'product_fields', 'lead_fields', 'project_fields', 'note_fields', 'activity_fields'];

/** A failure that concerns one endpoint only (the plan lacks it, the user may not read it): other endpoints go on. */
function endpointOnly(err: unknown): boolean {
  return err instanceof HttpError && !(err instanceof RateLimitError) && statusRule(err.status).scope === 'endpoint';
}

/** A failure that no endpoint survives: the credentials (or the OAuth refresh, or a setting) are wrong. */
export function isCredentialFailure(err: unknown): boolean {
  return err instanceof ConfigError || (err instanceof HttpError && statusRule(err.status).scope === 'credentials');
}

/** The distinct field-definition streams that `streams` link to, most readable first. */
export function fieldDefinitionStreams(streams: readonly StreamDefinition[]): StreamDefinition[] {
  const byName = new Map<string, StreamDefinition>();
  for (const s of streams) if (s.customFields) byName.set(s.customFields.name, s.customFields);
  const rank = (d: StreamDefinition): number => {
    const i = FETCH_ORDER.indexOf(d.name);
    return i < 0 ? FETCH_ORDER.length : i;
  };
  return [...byName.values()].sort((a, b) => rank(a) - rank(b));
}

/**
 * Reads the custom field definitions the given streams need (each `*Fields` endpoint once; the first alone, then
 * up to four at a time, so that an unreachable API or bad credentials fail once). An endpoint that fails for itself
 * only (statusPolicy scope `endpoint`: 400, 402, 403, 404, 405, 410) is reported in `errors` and the others go on;
 * any other failure (401, network, 5xx or 429 after retries) fails the whole Observable.
 */
export function fetchCustomFields(readPages: ReadPages, streams: readonly StreamDefinition[]): Observable<FieldDefinitions> {
  const one = (def: StreamDefinition): Observable<[string, readonly CustomFieldDef[] | undefined, unknown]> =>
    readPages(def).pipe(
      reduce((all: unknown[], page) => (all.push(...page), all), []),
      map((records): [string, readonly CustomFieldDef[] | undefined, unknown] => [def.name, parseFieldDefinitions(def.api, records), undefined]),
      catchError((err: unknown) => (endpointOnly(err) ? of<[string, undefined, unknown]>([def.name, undefined, err]) : throwError(() => err))),
    );
  const [first, ...rest] = fieldDefinitionStreams(streams);
  const all = first === undefined ? EMPTY : concat(one(first), from(rest).pipe(mergeMap(one, 4)));
  return all.pipe(
    reduce(
      (acc, [name, defs, err]) => {
        if (defs) acc.byStream.set(name, defs);
        else acc.errors.set(name, err);
        return acc;
      },
      { byStream: new Map<string, readonly CustomFieldDef[]>(), errors: new Map<string, unknown>() },
    ),
  );
}
