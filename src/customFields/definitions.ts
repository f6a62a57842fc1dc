/**
 * Custom field definitions: parsing the records of a `*Fields` endpoint into the custom fields it describes
 * (label, `field_type`, options, subfields). Pure functions.
 */
import type { ApiVersion } from '../../streams/types.js';

export interface FieldOption {
  readonly id: number | string;
  readonly label: string;
}

export interface SubField {
  /** API v2: the property inside the value object (`currency`); API v1: the key suffix after `<key>_`. */
  readonly code: string;
  /** The subfield's `field_type` (`double`, `varchar`, `date`, …). */
  readonly type: string;
}

/** One custom field as the `*Fields` endpoint describes it. */
export interface CustomFieldDef {
  /** The 40-hex key (v2 `field_code`, v1 `key`). */
  readonly key: string;
  /** The display name (v2 `field_name`, v1 `name`). */
  readonly label: string;
  readonly type: string;
  readonly options: readonly FieldOption[];
  /** The subfields the definition lists (empty when it lists none). */
  readonly subfields: readonly SubField[];
  /** v1 field `id` (creation order), used to order name collisions; v2 definitions have none. */
  readonly id?: number;
}

const HASH_KEY = /^[0-9a-f]{40}$/;

/** A JSON object (not null, not an array). */
export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** Option fields: their values are option ids. */
export const isOptionField = (f: CustomFieldDef): boolean => f.type === 'enum' || f.type === 'set';

const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function parseOptions(raw: unknown): FieldOption[] {
  if (!Array.isArray(raw)) return [];
  const out: FieldOption[] = [];
  for (const o of raw) {
    if (!isObject(o)) continue;
    const id = o['id'];
    const label = o['label'];
    if ((typeof id === 'number' || typeof id === 'string') && typeof label === 'string') out.push({ id, label });
  }
  return out;
}

/**
 * The custom fields among the records of a `*Fields` endpoint. API v2: `is_custom_field: true`; API v1 has no such
 * marker: custom fields are the ones whose `key` is a 40-hex hash (built-in keys are names such as `title`), and
 * deleted ones (`active_flag: false`) are left out.
 */
export function parseFieldDefinitions(api: ApiVersion, records: readonly unknown[]): CustomFieldDef[] {
  const out: CustomFieldDef[] = [];
  for (const r of records) {
    if (!isObject(r)) continue;
    if (api === 'v2') {
      const key = text(r['field_code']);
      if (key === undefined || !(r['is_custom_field'] === true || (r['is_custom_field'] === undefined && HASH_KEY.test(key)))) continue;
      const subfields: SubField[] = [];
      if (Array.isArray(r['subfields'])) {
        for (const s of r['subfields']) {
          const code = isObject(s) ? text(s['field_code']) : undefined;
          if (code !== undefined && isObject(s)) subfields.push({ code, type: text(s['field_type']) ?? 'varchar' });
        }
      }
      out.push({ key, label: text(r['field_name']) ?? key, type: text(r['field_type']) ?? 'varchar', options: parseOptions(r['options']), subfields });
    } else {
      const key = text(r['key']);
      if (key === undefined || !HASH_KEY.test(key) || r['active_flag'] === false || r['is_subfield'] === true) continue;
      const subfields: SubField[] = [];
      if (Array.isArray(r['subfields'])) {
        for (const s of r['subfields']) {
          const sk = isObject(s) ? text(s['key']) : undefined;
          if (sk !== undefined && isObject(s) && sk.startsWith(`${key}_`)) subfields.push({ code: sk.slice(key.length + 1), type: text(s['field_type']) ?? 'varchar' });
        }
      }
      const id = r['id'];
      out.push({
        key,
        label: text(r['name']) ?? key,
        type: text(r['field_type']) ?? 'varchar',
        options: parseOptions(r['options']),
        subfields,
        ...(typeof id === 'number' ? { id } : {}),
      });
    }
  }
  return out;
}

