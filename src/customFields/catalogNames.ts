/**
 * The custom-field names a configured catalog already has. In `custom_field_names: name` mode `discover` annotates
 * every custom-field property with its Pipedrive key (`x-pipedrive-field-key`, and `x-pipedrive-subfield` on the
 * v1 `<name>_<subfield>` properties); the platform passes the schema back to `read`, which keeps those names for the
 * keys it knows (src/customFields/names.ts). Pure functions.
 */
import type { ApiVersion } from '../../streams/types.js';
import { isObject } from './definitions.js';

/** The schema keyword that names a custom-field property's Pipedrive key. */
export const FIELD_KEY = 'x-pipedrive-field-key';
/** On a v1 subfield property (`<name>_currency`): the subfield's code (`currency`). */
export const SUBFIELD = 'x-pipedrive-subfield';

const HASH_KEY = /^[0-9a-f]{40}$/;

export interface CatalogNames {
  /** Pipedrive key → the name the catalog gives that field. */
  readonly byKey: ReadonlyMap<string, string>;
  /** Every annotated property name (fields and v1 subfields, also of fields deleted since): new names avoid them. */
  readonly names: ReadonlySet<string>;
}

/** The annotated custom-field properties of a stream's catalog schema: inside `custom_fields` (API v2) or at the root (v1). */
function customFieldProperties(schema: unknown, api: ApiVersion): Record<string, unknown> | undefined {
  const props = isObject(schema) ? schema['properties'] : undefined;
  if (!isObject(props)) return undefined;
  if (api === 'v1') return props;
  const holder = props['custom_fields'];
  const inner = isObject(holder) ? holder['properties'] : undefined;
  return isObject(inner) ? inner : undefined;
}

/**
 * The names a catalog schema gives custom fields, from their `x-pipedrive-field-key` annotations; undefined when the
 * schema has none (no catalog schema, a catalog discovered in `key` mode or before the annotations existed). When two
 * properties claim one key, the first keeps it.
 */
export function catalogNames(schema: unknown, api: ApiVersion): CatalogNames | undefined {
  const props = customFieldProperties(schema, api);
  if (!props) return undefined;
  const byKey = new Map<string, string>();
  const names = new Set<string>();
  for (const [name, prop] of Object.entries(props)) {
    if (!isObject(prop)) continue;
    const key = prop[FIELD_KEY];
    if (typeof key !== 'string' || !HASH_KEY.test(key) || name === '') continue;
    names.add(name);
    if (prop[SUBFIELD] === undefined && !byKey.has(key)) byKey.set(key, name);
  }
  return names.size > 0 ? { byKey, names } : undefined;
}
