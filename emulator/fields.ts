/**
 * Custom fields (40-hex keys) per entity, their values on records (v2: under `custom_fields`; v1: at
 * the record root with Pipedrive's subfield keys), and the field definitions served by the
 * `*Fields` endpoints.
 */
import { CITIES, type City } from './names.js';
import { hex40, Rng } from './rng.js';
import { ymd } from './time.js';

export type CustomType = 'varchar' | 'text' | 'phone' | 'double' | 'int' | 'enum' | 'set' | 'monetary' | 'date' | 'user' | 'org' | 'people' | 'address';

export interface FieldOption {
  id: number;
  label: string;
  color: string | null;
}

export interface CustomField {
  key: string;
  /** The label (changed by `mutate({ renameField })`; the key stays). */
  name: string;
  /** When the field was last renamed (seconds), if ever. */
  renamedAt?: number;
  type: CustomType;
  options: FieldOption[] | null;
  /** Index in its entity's list (salt of the value generator). */
  j: number;
}

const SPECS: Record<string, [string, CustomType][]> = {
  deal: [
    ['Lead source detail', 'varchar'], ['Internal notes', 'text'], ['Score', 'double'], ['Seats', 'int'],
    ['Region', 'enum'], ['Interests', 'set'], ['Contract value', 'monetary'], ['Renewal date', 'date'],
    ['Account manager', 'user'], ['Partner organization', 'org'], ['Champion', 'people'], ['Delivery address', 'address'],
    ['Hotline', 'phone'],
  ],
  person: [
    ['Preferred language', 'enum'], ['Hobbies', 'set'], ['Twitter handle', 'varchar'], ['Budget', 'monetary'],
    ['Birthday reminder', 'date'], ['Assistant', 'people'], ['Home address', 'address'], ['NPS', 'int'],
  ],
  organization: [
    ['Tier', 'enum'], ['Certifications', 'set'], ['VAT number', 'varchar'], ['Annual budget', 'monetary'],
    ['Founded', 'date'], ['Key account manager', 'user'], ['Parent company', 'org'], ['Credit score', 'double'],
  ],
  product: [['Vendor SKU', 'varchar'], ['Warranty months', 'int'], ['Product line', 'enum'], ['Launch date', 'date'], ['Weight kg', 'double']],
  project: [['Project code', 'varchar'], ['Budget', 'monetary'], ['Risk', 'enum'], ['Go-live', 'date']],
};

const OPTION_LABELS: Record<string, string[]> = {
  Region: ['EMEA', 'North America', 'LATAM', 'APAC'],
  Interests: ['Automation', 'Reporting', 'Mobile', 'Integrations', 'AI'],
  'Preferred language': ['English', 'Estonian', 'German', 'Portuguese', 'Spanish'],
  Hobbies: ['Sailing', 'Chess', 'Running', 'Cooking'],
  Tier: ['Gold', 'Silver', 'Bronze'],
  Certifications: ['ISO 9001', 'ISO 27001', 'SOC 2', 'GDPR'],
  'Product line': ['Core', 'Add-ons', 'Services'],
  Risk: ['Low', 'Medium', 'High'],
};

const COLORS = ['green', 'yellow', 'red', 'blue', 'purple'];

export interface FieldCtx {
  seed: number;
  users: number;
  organizations: number;
  persons: number;
}

export class CustomFields {
  readonly byEntity: Record<string, CustomField[]> = {};
  private optionSeq = 1;

  constructor(readonly ctx: FieldCtx) {
    for (const [entity, specs] of Object.entries(SPECS)) {
      this.byEntity[entity] = specs.map(([name, type], j) => {
        const labels = OPTION_LABELS[name];
        const options =
          type === 'enum' || type === 'set'
            ? (labels ?? ['A', 'B', 'C']).map((label, k) => ({ id: this.optionSeq++, label, color: COLORS[k % COLORS.length]! }))
            : null;
        return { key: hex40('pipedrive-emulator', ctx.seed, entity, name), name, type, options, j };
      });
    }
  }

  list(entity: string): CustomField[] {
    return this.byEntity[entity] ?? [];
  }

  /**
   * Renames custom field `key` (default: the entity's first custom field) of an entity (`deal`, `person`, …)
   * at time `sec`; returns the key and both labels.
   */
  rename(entity: string, key: string | undefined, label: string, sec: number): { key: string; from: string; to: string } {
    const list = this.list(entity);
    const f = key === undefined ? list[0] : list.find((x) => x.key === key);
    if (!f) throw new Error(`renameField: ${entity} has no custom field ${key ?? '(none)'}`);
    if (typeof label !== 'string' || label.trim() === '') throw new Error('renameField: label must be a non-empty string');
    const from = f.name;
    f.name = label;
    f.renamedAt = sec;
    return { key: f.key, from, to: label };
  }

  /** The raw (API-independent) value of field f on record i of an entity, or null. */
  private raw(code: number, i: number, f: CustomField, baseSec: number): RawValue {
    const r = new Rng(this.ctx.seed, 7000 + code * 64 + f.j, i);
    if (r.chance(0.25)) return null;
    switch (f.type) {
      case 'varchar':
        return `${f.name.split(' ')[0]}-${r.hex(6).toUpperCase()}`;
      case 'text':
        return r.pick(['Prefers email contact.', 'Key account, handle with care.', 'Budget approved for next quarter.', 'Asked for a reference customer.']);
      case 'phone':
        return `+372 5${r.int(100000, 999999)}`;
      case 'double':
        return r.money(0, 100, 2);
      case 'int':
        return r.int(1, 500);
      case 'enum':
        return r.pick(f.options!).id;
      case 'set': {
        const ids = f.options!.filter(() => r.chance(0.4)).map((o) => o.id);
        return ids.length ? ids : [f.options![0]!.id];
      }
      case 'monetary':
        return { value: r.money(500, 250000, 2), currency: r.pick(['EUR', 'EUR', 'USD', 'GBP']) };
      case 'date':
        return ymd(baseSec + r.int(-200, 400) * 86400);
      case 'user':
        return r.int(1, this.ctx.users);
      case 'org':
        return r.int(1, this.ctx.organizations);
      case 'people':
        return r.int(1, this.ctx.persons);
      case 'address': {
        const c = r.pick(CITIES);
        return { city: c, number: String(r.int(1, 120)), apt: r.chance(0.3) ? String(r.int(1, 40)) : null };
      }
    }
  }

  /** v2 `custom_fields` object of record i. */
  v2(entity: string, code: number, i: number, baseSec: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const f of this.list(entity)) {
      const v = this.raw(code, i, f, baseSec);
      out[f.key] = f.type === 'address' && v !== null ? addressObject(v as AddressRaw) : v;
    }
    return out;
  }

  /** v1 root-level custom field keys of record i (monetary and address carry subfield keys). */
  v1(entity: string, code: number, i: number, baseSec: number, into: Record<string, unknown>): void {
    for (const f of this.list(entity)) {
      const v = this.raw(code, i, f, baseSec);
      if (f.type === 'monetary') {
        const m = v as { value: number; currency: string } | null;
        into[f.key] = m ? m.value : null;
        into[`${f.key}_currency`] = m ? m.currency : null;
      } else if (f.type === 'address') {
        const a = v === null ? null : addressObject(v as AddressRaw);
        into[f.key] = a ? a['value'] : null;
        for (const sub of ADDRESS_SUBFIELDS) into[`${f.key}_${sub}`] = a ? a[sub] ?? null : null;
        into[`${f.key}_formatted_address`] = a ? a['value'] : null;
      } else if (f.type === 'set') {
        // v1 returns multiple options as a comma-separated string of option ids.
        into[f.key] = v === null ? null : (v as number[]).join(',');
      } else {
        into[f.key] = v;
      }
    }
  }
}

type RawValue = string | number | number[] | { value: number; currency: string } | AddressRaw | null;

interface AddressRaw {
  city: City;
  number: string;
  apt: string | null;
}

export const ADDRESS_SUBFIELDS = [
  'subpremise', 'street_number', 'route', 'sublocality', 'locality', 'admin_area_level_1', 'admin_area_level_2', 'country', 'postal_code',
] as const;

function addressObject(a: AddressRaw): Record<string, string | null> {
  const c = a.city;
  return {
    value: `${c.route} ${a.number}${a.apt ? `-${a.apt}` : ''}, ${c.postal} ${c.locality}, ${c.country}`,
    country: c.country,
    admin_area_level_1: c.admin1,
    admin_area_level_2: c.admin2,
    locality: c.locality,
    sublocality: c.sublocality,
    route: c.route,
    street_number: a.number,
    subpremise: a.apt,
    postal_code: c.postal,
  };
}

/** A full address object (v2 shape) from a city pick, for organization/person/activity addresses. */
export function makeAddress(r: Rng): Record<string, string | null> {
  const a = addressObject({ city: r.pick(CITIES), number: String(r.int(1, 120)), apt: r.chance(0.3) ? String(r.int(1, 40)) : null });
  // The record schemas declare every address part a non-nullable string.
  if (a['subpremise'] === null) a['subpremise'] = '';
  return a;
}

// ---------------------------------------------------------------------------------------------
// Field definitions of the *Fields endpoints.

/** Pipedrive field type of a system field, by name and schema type. */
export function systemFieldType(name: string, schemaType: string): string {
  const byName: Record<string, string> = {
    id: 'int', title: 'varchar', name: 'varchar', first_name: 'varchar', last_name: 'varchar', subject: 'varchar',
    description: 'text', note: 'text', notes: 'text', public_description: 'text', content: 'text',
    owner_id: 'user', creator_user_id: 'user', creator_id: 'user', user_id: 'user', assignee_ids: 'user',
    person_id: 'people', person_ids: 'people', org_id: 'org', org_ids: 'org', organization_id: 'org',
    deal_id: 'deal', deal_ids: 'deals', lead_id: 'lead', project_id: 'project', stage_id: 'stage',
    status: 'status', visible_to: 'visible_to', value: 'monetary', emails: 'varchar', phones: 'phone',
    address: 'address', postal_address: 'address', location: 'address', label_ids: 'set', billing_frequency: 'billing_frequency',
    prices: 'price_list', board_id: 'projects_board', phase_id: 'projects_phase', picture_id: 'picture',
    expected_close_date: 'date', due_date: 'date', start_date: 'date', end_date: 'date', birthday: 'date',
    due_time: 'time', duration: 'time', type: 'varchar', currency: 'varchar', website: 'varchar', linkedin: 'varchar',
    industry: 'enum', lost_reason: 'varchar_options', origin: 'varchar', channel: 'enum',
  };
  if (byName[name]) return byName[name]!;
  if (name.endsWith('_time')) return 'date';
  switch (schemaType) {
    case 'integer':
      return 'int';
    case 'number':
      return 'double';
    case 'boolean':
      return 'boolean';
    case 'array':
      return 'set';
    case 'object':
      return 'json';
    default:
      return 'varchar';
  }
}

const INDUSTRIES = [
  'Agriculture', 'Automotive', 'Banking', 'Construction', 'Consulting', 'Education', 'Energy', 'Entertainment', 'Food & beverage',
  'Government', 'Healthcare', 'Hospitality', 'Insurance', 'Logistics', 'Manufacturing', 'Media', 'Real estate', 'Retail', 'Software',
  'Telecommunications',
];

export function titleCase(key: string): string {
  const s = key.replace(/_ids?$/, (m) => (m === '_ids' ? 's' : '')).replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Activity type keys and labels (`/v1/activityTypes` `key_string` and `name`), the options of activities' `type`. */
export const ACTIVITY_TYPE_OPTIONS: readonly [string, string][] = [
  ['call', 'Call'], ['meeting', 'Meeting'], ['task', 'Task'], ['deadline', 'Deadline'], ['email', 'Email'], ['lunch', 'Lunch'],
  ['demo', 'Demo'], ['site_visit', 'Site visit'], ['follow_up', 'Follow-up'],
];

/**
 * Options of the built-in fields that have them, by entity (`deal`, `person`, `organization`, `product`,
 * `activity`, `project`) and field code; null for fields without options.
 */
export function systemOptions(name: string, entity = ''): { id: string | number; label: string; color: null }[] | null {
  if (entity === 'activity' && name === 'type') return ACTIVITY_TYPE_OPTIONS.map(([id, label]) => ({ id, label, color: null }));
  if (entity === 'activity' && name === 'priority') return ['Low', 'Medium', 'High'].map((label, k) => ({ id: k, label, color: null }));
  if (entity === 'product' && name === 'billing_frequency') {
    return ['one-time', 'annually', 'semi-annually', 'quarterly', 'monthly', 'weekly'].map((id) => ({ id, label: id.charAt(0).toUpperCase() + id.slice(1), color: null }));
  }
  if (entity === 'organization' && name === 'industry') {
    return Array.from({ length: 20 }, (_, k) => ({ id: k + 1, label: INDUSTRIES[k]!, color: null }));
  }
  switch (name) {
    case 'status':
      return ['open', 'won', 'lost', 'deleted'].map((id) => ({ id, label: id.charAt(0).toUpperCase() + id.slice(1), color: null }));
    case 'visible_to':
      return [
        { id: '1', label: 'Owner & followers', color: null },
        { id: '3', label: 'Entire company', color: null },
      ];
    case 'label_ids':
      return [
        { id: 1, label: 'Hot', color: null },
        { id: 2, label: 'Warm', color: null },
        { id: 3, label: 'Cold', color: null },
      ];
    default:
      return null;
  }
}
