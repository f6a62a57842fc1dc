/**
 * The per-page transform of a read: renames custom field keys (`custom_field_names: name`) and resolves option
 * labels (`resolve_option_labels`). Works on whole pages (arrays); the identity (same array, no per-record work) when
 * neither option is on. Pure functions.
 */
import type { JsonObject } from '../protocol.js';
import { isObject, isOptionField, type CustomFieldDef } from './definitions.js';
import type { StreamCustomFields } from './names.js';
import { transformsRecords } from './options.js';

type Resolver = (value: unknown) => unknown;

/** Option id → label; an id without a label (a deleted option) is kept as its text. */
function optionResolver(f: CustomFieldDef): Resolver {
  const labels = new Map(f.options.map((o) => [String(o.id), o.label]));
  const one = (id: unknown): string => {
    const k = String(id).trim();
    return labels.get(k) ?? k;
  };
  if (f.type === 'enum') {
    return (v) => {
      if (v === null || v === undefined) return v;
      return v === '' ? null : one(v);
    };
  }
  return (v) => {
    if (v === null || v === undefined) return v;
    const ids: unknown[] = Array.isArray(v) ? v : typeof v === 'string' ? (v.trim() === '' ? [] : v.split(',')) : [v];
    return ids.length === 0 && !Array.isArray(v) ? null : ids.map(one);
  };
}

const identity = (records: readonly JsonObject[]): readonly JsonObject[] => records;

interface Compiled {
  readonly name: string;
  readonly resolve: Resolver | undefined;
}

/**
 * The per-page transform of a stream's records: renames custom field keys (`name` naming) and resolves option labels
 * (`resolve_option_labels`). The identity (the same array back, no per-record work) when neither option is on.
 * API v2 records get a new `custom_fields` object; API v1 records are rebuilt with renamed root keys (including
 * `<key>_<suffix>` subfield keys, also ones the definition does not list). Keys of fields created after the
 * definitions were read pass through unchanged.
 */
export function customFieldTransform(cf: StreamCustomFields): (records: readonly JsonObject[]) => readonly JsonObject[] {
  const { opts } = cf;
  if (!transformsRecords(opts)) return identity;
  const rename = opts.naming === 'name';
  const byKey = new Map<string, Compiled>();
  for (const { def, name } of cf.fields) {
    byKey.set(def.key, { name, resolve: opts.resolveLabels && isOptionField(def) ? optionResolver(def) : undefined });
  }
  const resolving = [...byKey].filter(([, c]) => c.resolve !== undefined) as [string, { name: string; resolve: Resolver }][];
  if (!rename && resolving.length === 0) return identity;

  if (cf.api === 'v2') {
    return (records) => {
      for (const r of records) {
        const cfs = r['custom_fields'];
        if (!isObject(cfs)) continue;
        if (rename) {
          const out: Record<string, unknown> = {};
          for (const k of Object.keys(cfs)) {
            const c = byKey.get(k);
            const v = cfs[k];
            if (c) out[c.name] = c.resolve ? c.resolve(v) : v;
            else out[k] = v;
          }
          r['custom_fields'] = out;
        } else {
          for (const [k, c] of resolving) if (k in cfs) cfs[k] = c.resolve(cfs[k]);
        }
      }
      return records;
    };
  }
  if (!rename) {
    return (records) => {
      for (const r of records) for (const [k, c] of resolving) if (k in r) r[k] = c.resolve(r[k]);
      return records;
    };
  }
  return (records) =>
    records.map((r) => {
      const out: JsonObject = {};
      for (const k of Object.keys(r)) {
        const v = r[k];
        const c = byKey.get(k);
        if (c) {
          out[c.name] = c.resolve ? c.resolve(v) : v;
          continue;
        }
        // `<key>_<suffix>` subfield keys follow their field's name.
        const parent = k.length > 41 && k.charCodeAt(40) === 95 /* _ */ ? byKey.get(k.slice(0, 40)) : undefined;
        out[parent ? parent.name + k.slice(40) : k] = v;
      }
      return out;
    });
}

