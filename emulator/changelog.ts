/**
 * Field history of deals, persons and organizations: what `GET /v1/{deals|persons|organizations}/{id}/changelog`
 * returns (and the `dealChange` entries of `/v1/deals/{id}/flow`).
 *
 * A record's history is a seeded part, generated on demand from (seed, entity, index) and consistent with the
 * record as the seed made it (each field's newest entry holds the field's value, the newest entry is at the
 * record's update time, a stage move at its `stage_change_time`, a win or loss at its close time, a deletion at
 * its deletion time), followed by the entries that mutations wrote into the record's overlay. Nothing is stored
 * for records no mutation touched.
 */
import type { ChangeEntry } from './entity.js';
import type { CustomField } from './fields.js';
import type { Rec, Records } from './records.js';
import { Rng } from './rng.js';
import { v1Time, ymd } from './time.js';
import { STAGES_PER_PIPELINE, type World } from './world.js';

/** Entities that have a change log, by the entity name of the world. */
export const CHANGELOG_ENTITIES = ['deals', 'persons', 'organizations'] as const;
export type ChangelogEntity = (typeof CHANGELOG_ENTITIES)[number];

/** The `*Fields` entity name of the custom fields of each change-log entity. */
export const CF_ENTITY: Record<ChangelogEntity, string> = { deals: 'deal', persons: 'person', organizations: 'organization' };

/** Browser user agent of changes made in the web app. */
export const APP_AGENT = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36';
const MOBILE_AGENT = 'Pipedrive/8.14.0 (iPhone; iOS 17.5; Scale/3.00)';
/** User agent of the changes the emulator's mutations make (through the API). */
export const API_AGENT = 'pipedrive-emulator/1.0';

/** System fields each entity's seeded history changes (changelog keys are the v1 field keys). */
const SYSTEM_KEYS: Record<ChangelogEntity, string[]> = {
  deals: ['value', 'user_id', 'expected_close_date', 'title'],
  persons: ['owner_id', 'email', 'phone', 'org_id', 'name'],
  organizations: ['owner_id', 'name', 'address'],
};
/** System fields that can be empty. */
const NULLABLE = new Set(['phone', 'org_id', 'address', 'expected_close_date']);
/** Custom field types whose changes the seeded history contains. */
const CUSTOM_TYPES = new Set(['varchar', 'enum', 'int', 'double', 'text', 'phone', 'date', 'user', 'org', 'people']);

/** Text of a record value as the change log shows it (numbers and ids as strings, sets comma-separated). */
export function valueText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'object' && x !== null ? String((x as Rec)['value'] ?? '') : String(x))).join(', ');
  if (typeof v === 'object') {
    const o = v as Rec;
    if ('value' in o) return valueText(o['value']);
  }
  return JSON.stringify(v);
}

/** The value of changelog field `key` in a record of the entity (API v2 shape), as change-log text. */
export function currentText(entity: ChangelogEntity, rec: Rec, key: string): string | null {
  if (/^[0-9a-f]{40}$/.test(key)) return valueText((rec['custom_fields'] as Rec | undefined)?.[key]);
  switch (key) {
    case 'user_id':
      return valueText(rec['owner_id']);
    case 'email':
      return valueText((rec['emails'] as Rec[] | undefined) ?? []) || null;
    case 'phone':
      return valueText((rec['phones'] as Rec[] | undefined) ?? []) || null;
    case 'address':
      return valueText(rec['address']);
    default:
      void entity;
      return valueText(rec[key]);
  }
}

/** The custom fields of an entity the history may change. */
function customKeys(w: World, entity: ChangelogEntity): CustomField[] {
  return w.cf.list(CF_ENTITY[entity]).filter((f) => CUSTOM_TYPES.has(f.type));
}

/** A value different from `cur` for field `key` (a plausible earlier value), or null when `nullable` and chosen. */
function earlier(w: World, r: Records, entity: ChangelogEntity, key: string, cur: string | null, rng: Rng, nullable: boolean): string | null {
  if (nullable && cur !== null && rng.chance(0.3)) return null;
  const users = w.entity('users').base;
  for (let attempt = 0; attempt < 8; attempt++) {
    const v = candidate(w, r, entity, key, cur, rng, users);
    if (v !== cur) return v;
  }
  return cur === null ? 'n/a' : null;
}

function candidate(w: World, r: Records, entity: ChangelogEntity, key: string, cur: string | null, rng: Rng, users: number): string | null {
  const field = w.cf.list(CF_ENTITY[entity]).find((f) => f.key === key);
  if (field) {
    switch (field.type) {
      case 'enum':
        return String(rng.pick(field.options!).id);
      case 'int':
        return String(rng.int(1, 500));
      case 'double':
        return String(rng.money(0, 100, 2));
      case 'date':
        return ymd(w.startSec + rng.int(0, 1000) * 86400);
      case 'user':
        return String(rng.int(1, users));
      case 'org':
        return String(rng.int(1, w.entity('organizations').base));
      case 'people':
        return String(rng.int(1, w.entity('persons').base));
      case 'phone':
        return `+372 5${rng.int(100000, 999999)}`;
      default:
        return `${field.name.split(' ')[0]}-${rng.hex(6).toUpperCase()}`;
    }
  }
  switch (key) {
    case 'stage_id': {
      const s = Number(cur ?? 1) - 1;
      const p = Math.floor(s / STAGES_PER_PIPELINE);
      return String(p * STAGES_PER_PIPELINE + ((s % STAGES_PER_PIPELINE) + STAGES_PER_PIPELINE - 1 - rng.int(0, 1)) % STAGES_PER_PIPELINE + 1);
    }
    case 'value':
      return String(Math.max(0, Number(cur ?? 0) - 250 * rng.int(1, 40)));
    case 'user_id':
    case 'owner_id':
      return String(rng.int(1, users));
    case 'expected_close_date':
      return ymd(Date.parse(`${cur ?? '2025-01-01'}T00:00:00Z`) / 1000 - rng.int(1, 8) * 7 * 86400);
    case 'title':
      return `${(cur ?? 'Deal').replace(/ #\d+$/, '')} #${rng.int(2, 99)}`;
    case 'status':
      return 'open';
    case 'email':
      return `contact${rng.int(1, 99999)}@example.net`;
    case 'phone':
      return `+372 5${rng.int(100000, 999999)}`;
    case 'org_id':
      return String(rng.int(1, w.entity('organizations').base));
    case 'name':
      return entity === 'persons' ? `${r.personFirst(rng.int(0, 9999))} ${r.personLast(rng.int(0, 9999))}` : r.orgName(rng.int(0, 99999));
    case 'address':
      return `${rng.pick(['Main Street', 'Harbour Road', 'Station Square'])} ${rng.int(1, 99)}, ${rng.int(10000, 99999)} ${rng.pick(['Tallinn', 'Tartu', 'Lisbon', 'Berlin'])}`;
    default:
      return rng.hex(8);
  }
}

/** The raw record (before mutations) of a change-log entity. */
function rawRecord(r: Records, entity: ChangelogEntity, i: number): Rec {
  return entity === 'deals' ? r.deal(i, true) : entity === 'persons' ? r.person(i, true) : r.organization(i, true);
}

/** The base update time (before mutations) of record i: where its seeded history ends. */
function baseUpdate(w: World, r: Records, entity: ChangelogEntity, i: number): number {
  return entity === 'deals' ? r.dealBaseUpd(i) : w.entity(entity).timeline.upd(i);
}

/**
 * The seeded history of record i, oldest first: empty for records never updated (or added by mutations);
 * otherwise 1 to 7 entries between its add time (exclusive) and its base update time (the newest entry), ids
 * `(i + 1) * 16 + j` in chronological order. About 12% of updated records change one field twice in their
 * last second.
 */
export function seededHistory(w: World, r: Records, entity: ChangelogEntity, i: number): ChangeEntry[] {
  const e = w.entity(entity);
  if (i >= e.base) return [];
  const a = e.timeline.add(i);
  const u = baseUpdate(w, r, entity, i);
  if (u <= a) return [];
  const rng = new Rng(w.seed, 3000 + e.code, i);
  const rec = rawRecord(r, entity, i);
  const users = w.entity('users').base;
  const customs = customKeys(w, entity).map((f) => f.key);
  const system = SYSTEM_KEYS[entity].filter((k) => !(users < 2 && (k === 'user_id' || k === 'owner_id')));
  const fields = [...system, ...customs];
  const between = (): number => (u - a > 1 ? a + 1 + Math.floor((u - a - 1) * rng.next()) : u);
  const events: { t: number; field: string }[] = [];
  let lastDone = false;
  if (entity === 'deals') {
    const sct = Math.floor(Date.parse(rec['stage_change_time'] as string) / 1000);
    if (sct > a) {
      if (sct - a > 2 && rng.chance(0.4)) events.push({ t: a + 1 + Math.floor((sct - a - 1) * rng.next()), field: 'stage_id' });
      events.push({ t: sct, field: 'stage_id' });
      if (sct === u) lastDone = true;
    }
  }
  for (let k = rng.int(0, 2); k > 0; k--) events.push({ t: between(), field: rng.pick(fields) });
  const double = rng.chance(0.12);
  if (double) events.push({ t: u, field: fields[0]! }, { t: u, field: fields[0]! });
  const status = entity === 'deals' ? (rec['status'] as string) : 'open';
  if (status !== 'open') events.push({ t: u, field: 'status' });
  // After a double change the last change is of another field, so no (old, new) pair repeats within a second.
  else if (!lastDone) events.push({ t: u, field: double ? rng.pick(fields.slice(1)) : rng.pick(fields) });
  // Chronological, stable within a second (insertion order = the order the changes happened).
  const order = events.map((ev, k) => ({ ...ev, k })).sort((x, y) => x.t - y.t || x.k - y.k);
  const owner = Number(rec['owner_id']) || 1;
  const bulk = w.bulkUpdated(entity, i);
  const out: ChangeEntry[] = order.map((ev, j) => {
    const src = rng.next();
    const source = bulk && ev.t === u ? 'app' : src < 0.7 ? 'app' : src < 0.9 ? 'mobile' : 'api';
    return {
      id: (i + 1) * 16 + j,
      t: ev.t,
      field: ev.field,
      old: null,
      nu: null,
      user: rng.chance(0.7) ? owner : rng.int(1, users),
      source,
      agent: source === 'app' ? APP_AGENT : source === 'mobile' ? MOBILE_AGENT : null,
      bulk: bulk && ev.t === u,
    };
  });
  // Values, newest first: each field's newest entry ends at the record's value; older entries chain back.
  const cur = new Map<string, string | null>();
  const seen = new Map<string, number>();
  for (const c of out) seen.set(c.field, (seen.get(c.field) ?? 0) + 1);
  for (let j = out.length - 1; j >= 0; j--) {
    const c = out[j]!;
    const v = cur.has(c.field) ? cur.get(c.field)! : currentText(entity, rec, c.field);
    c.nu = v;
    const left = seen.get(c.field)! - 1;
    seen.set(c.field, left);
    // A field's oldest change may be its first value (old null) where the field can be empty.
    c.old = earlier(w, r, entity, c.field, v, rng, left === 0 && (NULLABLE.has(c.field) || /^[0-9a-f]{40}$/.test(c.field)));
    cur.set(c.field, c.old);
  }
  return out;
}

/** The whole history of record i, oldest first: seeded entries, then those written by mutations. */
export function history(w: World, r: Records, entity: ChangelogEntity, i: number): ChangeEntry[] {
  const base = seededHistory(w, r, entity, i);
  const added = w.entity(entity).ov.get(i)?.changes;
  return added ? [...base, ...added] : base;
}

/** A change-log entry in the shape of `GET /v1/…/{id}/changelog`. */
export function changelogRecord(c: ChangeEntry): Rec {
  return {
    field_key: c.field,
    old_value: c.old,
    new_value: c.nu,
    actor_user_id: c.user,
    time: v1Time(c.t),
    change_source: c.source,
    change_source_user_agent: c.agent,
    is_bulk_update_flag: c.bulk,
  };
}

/** The parent id field a change-log stream adds to each entry. */
export const PARENT_KEY: Record<ChangelogEntity, string> = { deals: 'deal_id', persons: 'person_id', organizations: 'organization_id' };
