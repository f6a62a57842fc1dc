/**
 * Naming custom fields: their 40-hex keys, or readable snake_case names from their labels, made unique against the
 * stream's built-in fields and each other, keeping the names the configured catalog already has. Pure functions (the built-in names come from the stream's schema).
 */
import type { ApiVersion, StreamDefinition } from '../../streams/types.js';
import { loadSchema } from '../../streams/index.js';
import { isObject, type CustomFieldDef } from './definitions.js';
import type { CustomFieldNaming, CustomFieldOptions } from './options.js';
import { v1Subfields } from './schema.js';
import type { CatalogNames } from './catalogNames.js';

/**
 * A readable snake_case name from a field label: accents dropped, letters and digits kept (any script), everything
 * else one `_`; a leading digit gets a `_` in front; an empty result becomes `field_<first 8 of the key>`.
 */
export function snakeName(label: string, key: string): string {
  const base = label
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '_')
    .replace(/^_+|_+$/g, '');
  if (base === '') return `field_${key.slice(0, 8)}`;
  return /^\p{N}/u.test(base) ? `_${base}` : base;
}

/**
 * The column name of every custom field, by key. `key` naming: the key itself. `name` naming: the snake_case label,
 * made unique deterministically: fields are taken in creation order (v1 field `id`; v2 definitions carry no id, so
 * by key), and a name that is taken — by a built-in field of the stream (`reserved`), by an earlier custom field or,
 * in API v1, by one of the `<name>_<suffix>` subfield keys — gets the first free suffix `_2`, `_3`, ….
 *
 * With the names of the configured catalog (`known`, src/customFields/catalogNames.ts), every key the catalog knows
 * keeps its catalog name, whatever its label is now (a renamed field keeps the destination's column); the other keys
 * get fresh names that collide with none of the catalog's names (also those of fields deleted since), the built-in
 * ones and each other. A catalog name is given up only when it cannot be kept: another key of the catalog has it,
 * or (API v1, where custom fields sit at the record root) a built-in field now uses it.
 */
export function customFieldNames(
  defs: readonly CustomFieldDef[],
  api: ApiVersion,
  naming: CustomFieldNaming,
  reserved: ReadonlySet<string>,
  known?: CatalogNames,
): Map<string, string> {
  const names = new Map<string, string>();
  if (naming === 'key') {
    for (const f of defs) names.set(f.key, f.key);
    return names;
  }
  const taken = new Set(reserved);
  for (const n of known?.names ?? []) taken.add(n);
  const ordered = [...defs].sort((a, b) =>
    (a.id ?? Number.MAX_SAFE_INTEGER) - (b.id ?? Number.MAX_SAFE_INTEGER) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const claimsOf = (f: CustomFieldDef): ((n: string) => string[]) => {
    const suffixes = api === 'v1' ? v1Subfields(f).map((s) => s.code) : [];
    return (n) => [n, ...suffixes.map((s) => `${n}_${s}`)];
  };
  // Catalog names first: they are the destination's columns.
  const kept = new Set<string>();
  for (const f of ordered) {
    const name = known?.byKey.get(f.key);
    if (name === undefined) continue;
    const claims = claimsOf(f)(name);
    if (claims.some((c) => kept.has(c) || (api === 'v1' && reserved.has(c)))) continue;
    for (const c of claims) {
      kept.add(c);
      taken.add(c);
    }
    names.set(f.key, name);
  }
  for (const f of ordered) {
    if (names.has(f.key)) continue;
    const claims = claimsOf(f);
    const base = snakeName(f.label, f.key);
    let name = base;
    for (let i = 2; claims(name).some((c) => taken.has(c)); i++) name = `${base}_${i}`;
    for (const c of claims(name)) taken.add(c);
    names.set(f.key, name);
  }
  return names;
}

/** What a stream needs to know about its custom fields: definitions, names and option labels. */
export interface StreamCustomFields {
  readonly api: ApiVersion;
  readonly opts: CustomFieldOptions;
  readonly fields: readonly { readonly def: CustomFieldDef; readonly name: string }[];
}

/** The built-in top-level field names of a stream (its static schema): custom names never take them. */
export function builtinNames(def: Pick<StreamDefinition, 'name' | 'schema'>): Set<string> {
  const props = loadSchema(def)['properties'];
  return new Set(isObject(props) ? Object.keys(props) : []);
}

/**
 * Names the custom fields of one stream. `reserved` defaults to the stream's built-in field names; `known` are the
 * names of the configured catalog (at read).
 */
export function streamCustomFields(
  def: Pick<StreamDefinition, 'name' | 'schema' | 'api'>,
  defs: readonly CustomFieldDef[],
  opts: CustomFieldOptions,
  reserved: ReadonlySet<string> = builtinNames(def),
  known?: CatalogNames,
): StreamCustomFields {
  const names = customFieldNames(defs, def.api, opts.naming, reserved, known);
  return { api: def.api, opts, fields: defs.map((d) => ({ def: d, name: names.get(d.key) ?? d.key })) };
}
