/**
 * Custom-field names that survive renames (`custom_field_names: name`): discover annotates each property with its
 * Pipedrive key, `catalogNames` reads them back from a configured catalog, and `customFieldNames` keeps them for the
 * keys the catalog knows, giving the other keys names that collide with nothing.
 */
import { describe, expect, it } from 'vitest';
import {
  FIELD_KEY, SUBFIELD, catalogNames, customFieldNames, customFieldTransform, streamCustomFields, withCustomFields,
  type CustomFieldDef,
} from '../../../src/customFields/index.js';
import { loadSchema, streamByName } from '../../../streams/index.js';
import type { JsonObject } from '../../../src/protocol.js';

const hex = (n: number): string => n.toString(16).padStart(40, '0');
const field = (n: number, label: string, type: string, extra: Partial<CustomFieldDef> = {}): CustomFieldDef =>
  ({ key: hex(n), label, type, options: [], subfields: [], ...extra });

const deals = streamByName('deals')!;
const leads = streamByName('leads')!;
const NAME = { naming: 'name', resolveLabels: false } as const;
const KEY = { naming: 'key', resolveLabels: false } as const;

/** The schema discover prints for these definitions (name mode). */
const discovered = (def: typeof deals, defs: CustomFieldDef[]): JsonObject =>
  withCustomFields(loadSchema(def), streamCustomFields(def, defs, NAME)) as JsonObject;

describe('discover annotates custom-field properties with their key (name mode only)', () => {
  const defs = [field(1, 'Region', 'enum'), field(2, 'Budget', 'monetary')];

  it('v2: each property inside custom_fields carries x-pipedrive-field-key', () => {
    const cf = ((discovered(deals, defs)['properties'] as JsonObject)['custom_fields'] as JsonObject)['properties'] as Record<string, JsonObject>;
    expect(cf['region']?.[FIELD_KEY]).toBe(hex(1));
    expect(cf['budget']?.[FIELD_KEY]).toBe(hex(2));
    expect((cf['budget']?.['properties'] as Record<string, JsonObject>)['currency']?.[FIELD_KEY]).toBeUndefined();
  });

  it('v1: the field and its <name>_<subfield> properties carry the key, subfields also x-pipedrive-subfield', () => {
    const props = discovered(leads, defs)['properties'] as Record<string, JsonObject>;
    expect(props['budget']).toMatchObject({ [FIELD_KEY]: hex(2) });
    expect(props['budget']?.[SUBFIELD]).toBeUndefined();
    expect(props['budget_currency']).toMatchObject({ [FIELD_KEY]: hex(2), [SUBFIELD]: 'currency' });
    expect(props['title']?.[FIELD_KEY]).toBeUndefined();
  });

  it('key mode: no annotation, the schema as before', () => {
    const schema = withCustomFields(loadSchema(deals), streamCustomFields(deals, defs, KEY));
    expect(JSON.stringify(schema)).not.toContain(FIELD_KEY);
  });
});

describe('catalogNames', () => {
  it('reads key → name from the annotated properties (v2 inside custom_fields, v1 at the root)', () => {
    const defs = [field(1, 'Region', 'enum'), field(2, 'Budget', 'monetary')];
    const v2 = catalogNames(discovered(deals, defs), 'v2');
    expect(v2?.byKey).toEqual(new Map([[hex(1), 'region'], [hex(2), 'budget']]));
    expect(v2?.names).toEqual(new Set(['region', 'budget']));
    const v1 = catalogNames(discovered(leads, defs), 'v1');
    expect(v1?.byKey).toEqual(new Map([[hex(1), 'region'], [hex(2), 'budget']]));
    expect(v1?.names).toEqual(new Set(['region', 'budget', 'budget_currency']));
  });

  it('nothing to keep without annotations: no schema, {}, a key-mode or older catalog, junk', () => {
    for (const schema of [undefined, null, {}, { properties: [] }, loadSchema(deals), { properties: { custom_fields: { properties: { region: { [FIELD_KEY]: 'not a key' } } } } }]) {
      expect(catalogNames(schema, 'v2')).toBeUndefined();
    }
  });

  it('when two properties claim one key, the first keeps it', () => {
    const schema = { properties: { custom_fields: { properties: { a: { [FIELD_KEY]: hex(1) }, b: { [FIELD_KEY]: hex(1) } } } } };
    expect(catalogNames(schema, 'v2')).toEqual({ byKey: new Map([[hex(1), 'a']]), names: new Set(['a', 'b']) });
  });
});

describe('customFieldNames with the catalog names', () => {
  const reserved = new Set(['id', 'title', 'value', 'custom_fields', 'activities_count']);

  it('a renamed field keeps its catalog name; a new field gets a fresh name that collides with none', () => {
    const before = [field(1, 'Region', 'enum'), field(2, 'Tier', 'varchar')];
    const known = catalogNames(discovered(deals, before), 'v2');
    // Region was renamed to "Sales region"; a new field is labelled "Region".
    const now = [field(1, 'Sales region', 'enum'), field(2, 'Tier', 'varchar'), field(3, 'Region', 'varchar')];
    const names = customFieldNames(now, 'v2', 'name', reserved, known);
    expect(names).toEqual(new Map([[hex(1), 'region'], [hex(2), 'tier'], [hex(3), 'region_2']]));
    // Without the catalog, labels decide (what discover offers).
    expect(customFieldNames(now, 'v2', 'name', reserved)).toEqual(new Map([[hex(1), 'sales_region'], [hex(2), 'tier'], [hex(3), 'region']]));
  });

  it("names of fields deleted since stay taken (the destination has their column); built-in names too", () => {
    const known = catalogNames(discovered(deals, [field(1, 'Region', 'enum'), field(9, 'Old', 'varchar')]), 'v2');
    const names = customFieldNames([field(1, 'Region', 'enum'), field(4, 'Old', 'int'), field(5, 'Title', 'varchar')], 'v2', 'name', reserved, known);
    expect(names).toEqual(new Map([[hex(1), 'region'], [hex(4), 'old_2'], [hex(5), 'title_2']]));
  });

  it('swapped labels: each key keeps its own column', () => {
    const known = catalogNames(discovered(deals, [field(1, 'Alpha', 'varchar'), field(2, 'Beta', 'varchar')]), 'v2');
    const names = customFieldNames([field(1, 'Beta', 'varchar'), field(2, 'Alpha', 'varchar')], 'v2', 'name', reserved, known);
    expect(names).toEqual(new Map([[hex(1), 'alpha'], [hex(2), 'beta']]));
  });

  it('v2 keeps a catalog name that a built-in now also has (values sit inside custom_fields); v1 gives it up (same level)', () => {
    const defs = [field(1, 'Activities count', 'int', { id: 1 })];
    const known = { byKey: new Map([[hex(1), 'activities_count']]), names: new Set(['activities_count']) };
    expect(customFieldNames(defs, 'v2', 'name', reserved, known).get(hex(1))).toBe('activities_count');
    expect(customFieldNames(defs, 'v1', 'name', reserved, known).get(hex(1))).toBe('activities_count_2');
  });

  it('v1: a kept name claims its subfield names; a new field never takes them', () => {
    const known = catalogNames(discovered(leads, [field(1, 'Budget', 'monetary', { id: 1 })]), 'v1');
    const names = customFieldNames([field(1, 'Money', 'monetary', { id: 1 }), field(2, 'Budget currency', 'varchar', { id: 2 })], 'v1', 'name', reserved, known);
    expect(names).toEqual(new Map([[hex(1), 'budget'], [hex(2), 'budget_currency_2']]));
  });

  it('key mode ignores the catalog', () => {
    const known = { byKey: new Map([[hex(1), 'region']]), names: new Set(['region']) };
    expect(customFieldNames([field(1, 'Region', 'enum')], 'v2', 'key', reserved, known)).toEqual(new Map([[hex(1), hex(1)]]));
  });

  it('the transform writes the kept names', () => {
    const known = catalogNames(discovered(deals, [field(1, 'Region', 'enum')]), 'v2');
    const cf = streamCustomFields(deals, [field(1, 'Sales region', 'enum'), field(3, 'Region', 'varchar')], NAME, undefined, known);
    const [out] = customFieldTransform(cf)([{ id: 1, custom_fields: { [hex(1)]: 2, [hex(3)]: 'x' } }]);
    expect(out).toEqual({ id: 1, custom_fields: { region: 2, region_2: 'x' } });
  });
});
