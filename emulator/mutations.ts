/**
 * Mutations of the emulated company (`emu.mutate(...)`, `POST /__admin/mutate`): touches, additions, field
 * changes, merges, deletes, undeletes, custom-field renames and the passing of time. Every mutation advances the
 * clock by 5 s (plus `advance`); changed records get that time as `update_time`, and changes of deal, person and
 * organization fields are written to their change logs (`changelog.ts`).
 */
import { API_AGENT, CF_ENTITY, CHANGELOG_ENTITIES, currentText, history, type ChangelogEntity } from './changelog.js';
import type { ChangeEntry, Overlay } from './entity.js';
import type { Rec, Records } from './records.js';
import { hash4 } from './rng.js';
import { isoZ, ymd } from './time.js';
import { DEAL_RETENTION, STAGES_PER_PIPELINE, type World } from './world.js';

/** A field change: `mutate({ change: { deals: { field: 'stage_id', count: 5 } } })`. */
export interface ChangeSpec {
  /**
   * The field, by its change-log key: deals `stage_id`, `value`, `user_id` (or `owner_id`), `status`
   * (`open`/`won`/`lost`), `title`, `expected_close_date`; persons `owner_id`, `name`, `email`, `phone`, `org_id`;
   * organizations `owner_id`, `name`; or a custom field's 40-hex key.
   */
  field: string;
  /** How many records to change (chosen by the seed; default 1 unless `ids` is given). */
  count?: number;
  /** Exactly these record ids. */
  ids?: number[];
  /** The new value as the v2 record holds it (default: a seeded next value: the next stage, a higher value, …). */
  value?: unknown;
  /** Consecutive changes of the field in the same second (default 1): the log gets that many entries. */
  times?: number;
}

export interface RenameSpec {
  /** `deals`, `persons`, `organizations`, `products` or `projects` (leads share the deal fields). */
  entity: string;
  /** The field's 40-hex key (default: the entity's first custom field). */
  key?: string;
  label: string;
}

export interface MutationChange {
  /** Seconds the clock moves forward first (e.g. `31 * 86400`: deals deleted before then are gone). */
  advance?: number;
  touch?: Record<string, number>;
  add?: Record<string, number>;
  change?: Record<string, ChangeSpec | ChangeSpec[]>;
  /** Merges n pairs of persons or organizations: the first of each pair is merged into the second and gone. */
  merge?: Record<string, number>;
  delete?: Record<string, number>;
  /** Restores n deleted deals (not yet gone) to their status before the deletion. */
  undelete?: Record<string, number>;
  renameField?: RenameSpec | RenameSpec[];
}

export interface MutationResult {
  /** The mutation's time (RFC 3339): the `update_time` of every record it changed. */
  time: string;
  touched: Record<string, unknown[]>;
  added: Record<string, unknown[]>;
  changed: Record<string, unknown[]>;
  merged: Record<string, { id: unknown; into: unknown }[]>;
  deleted: Record<string, unknown[]>;
  undeleted: Record<string, unknown[]>;
  renamed: { entity: string; key: string; from: string; to: string }[];
}

const CUSTOM_KEY = /^[0-9a-f]{40}$/;
/** Entities whose custom fields `renameField` knows, to their `*Fields` name. */
const RENAMEABLE: Record<string, string> = { deals: 'deal', persons: 'person', organizations: 'organization', products: 'product', projects: 'project' };

function isLog(name: string): name is ChangelogEntity {
  return (CHANGELOG_ENTITIES as readonly string[]).includes(name);
}

export class Mutator {
  constructor(
    readonly w: World,
    readonly r: Records,
  ) {}

  mutate(change: MutationChange): MutationResult {
    const w = this.w;
    if (change.advance !== undefined) {
      if (!Number.isInteger(change.advance) || change.advance < 0) throw new Error('advance must be a non-negative integer (seconds)');
      w.clock += change.advance;
    }
    w.clock += 5;
    const t = w.clock;
    const m = ++w.mutations;
    const res: MutationResult = { time: isoZ(t), touched: {}, added: {}, changed: {}, merged: {}, deleted: {}, undeleted: {}, renamed: [] };
    for (const [name, n] of Object.entries(change.touch ?? {})) {
      const e = w.entity(name);
      const chosen = this.pick(name, n, m, 0, (i) => name !== 'deals' || !w.dealDeleted(i));
      for (const i of chosen) {
        e.mutate(i, { upd: t });
        if (isLog(name)) this.touchField(name, i, t, m);
      }
      res.touched[name] = chosen.map((i) => w.idOf(name, i));
    }
    for (const [name, n] of Object.entries(change.add ?? {})) {
      const e = w.entity(name);
      const ids: unknown[] = [];
      for (let k = 0; k < n; k++) ids.push(w.idOf(name, e.append(t)));
      res.added[name] = ids;
    }
    for (const [name, specs] of Object.entries(change.change ?? {})) {
      if (!isLog(name)) throw new Error(`change: ${name} has no change log (deals, persons, organizations)`);
      for (const [k, spec] of (Array.isArray(specs) ? specs : [specs]).entries()) {
        const chosen = spec.ids
          ? spec.ids.map((id) => {
              const i = w.indexOfNumericId(name, id);
              if (i === null) throw new Error(`change: no ${name} ${id}`);
              return i;
            })
          : this.pick(name, spec.count ?? 1, m, 2 + k, (i) => name !== 'deals' || !w.dealDeleted(i));
        for (const i of chosen) this.changeField(name, i, spec, t, m);
        res.changed[name] = [...(res.changed[name] ?? []), ...chosen.map((i) => w.idOf(name, i))];
      }
    }
    for (const [name, n] of Object.entries(change.merge ?? {})) {
      if (name !== 'persons' && name !== 'organizations') throw new Error(`merge: only persons and organizations merge (got ${name})`);
      const chosen = this.pick(name, 2 * n, m, 20, () => true);
      const pairs: { id: unknown; into: unknown }[] = [];
      for (let k = 0; k + 1 < chosen.length; k += 2) {
        this.mergeInto(name, chosen[k]!, chosen[k + 1]!, t);
        pairs.push({ id: w.idOf(name, chosen[k]!), into: w.idOf(name, chosen[k + 1]!) });
      }
      res.merged[name] = pairs;
    }
    for (const [name, n] of Object.entries(change.delete ?? {})) {
      const e = w.entity(name);
      if (name === 'deals') {
        const chosen = this.pick(name, n, m, 0, (i) => !w.dealDeleted(i) && !w.dealArchived(i));
        for (const i of chosen) this.setStatus(i, 'deleted', t, { deletedAt: t });
        res.deleted[name] = chosen.map((i) => w.idOf(name, i));
      } else {
        const chosen = this.pick(name, n, m, 0, () => true);
        for (const i of chosen) e.mutate(i, { upd: t, removed: true, removedAt: t });
        res.deleted[name] = chosen.map((i) => w.idOf(name, i));
      }
    }
    for (const [name, n] of Object.entries(change.undelete ?? {})) {
      if (name !== 'deals') throw new Error(`undelete: only deals can be restored (other entities are gone once deleted; got ${name})`);
      const chosen = this.pick(name, n, m, 30, (i) => w.dealDeleted(i));
      for (const i of chosen) {
        const last = [...history(w, this.r, 'deals', i)].reverse().find((c) => c.field === 'status' && c.nu === 'deleted');
        this.setStatus(i, last?.old === 'won' || last?.old === 'lost' ? last.old : 'open', t, { deletedAt: null });
      }
      res.undeleted[name] = chosen.map((i) => w.idOf(name, i));
    }
    for (const spec of [change.renameField ?? []].flat()) {
      const cf = RENAMEABLE[spec.entity];
      if (!cf) throw new Error(`renameField: entity must be one of ${Object.keys(RENAMEABLE).join(', ')}`);
      res.renamed.push({ entity: spec.entity, ...w.cf.rename(cf, spec.key, spec.label, t) });
    }
    return res;
  }

  /** n distinct live records chosen by the seed and the mutation number. */
  private pick(name: string, n: number, m: number, salt: number, allowed: (i: number) => boolean): number[] {
    const e = this.w.entity(name);
    const out: number[] = [];
    const seen = new Set<number>();
    const count = e.count;
    for (let k = 0; out.length < n && k < n * 50 + 100; k++) {
      const i = hash4(this.w.seed, e.code, 100000 + m + salt * 7919, k) % Math.max(1, count);
      if (seen.has(i) || !e.exists(i) || !allowed(i)) continue;
      seen.add(i);
      out.push(i);
    }
    for (let i = 0; out.length < n && i < count; i++) {
      if (!seen.has(i) && e.exists(i) && allowed(i)) {
        seen.add(i);
        out.push(i);
      }
    }
    return out;
  }

  private record(name: ChangelogEntity, i: number): Rec {
    return name === 'deals' ? this.r.deal(i) : name === 'persons' ? this.r.person(i) : this.r.organization(i);
  }

  /** Writes one change-log entry (made through the API by user 1, the token's user). */
  private log(name: ChangelogEntity, i: number, t: number, field: string, old: string | null, nu: string | null, extra: Overlay = {}): void {
    const c: ChangeEntry = { id: this.w.nextChangeId++, t, field, old, nu, user: 1, source: 'api', agent: API_AGENT, bulk: false };
    this.w.entity(name).mutate(i, { ...extra, upd: t, changes: [c] });
  }

  /** A touch of a deal, person or organization changes its first text custom field. */
  private touchField(name: ChangelogEntity, i: number, t: number, m: number): void {
    const f = this.w.cf.list(CF_ENTITY[name]).find((x) => x.type === 'varchar');
    if (!f) return;
    const rec = this.record(name, i);
    const value = `${f.name.split(' ')[0]}-T${m}-${(hash4(this.w.seed, m, i, 7) % 65536).toString(16).toUpperCase()}`;
    this.log(name, i, t, f.key, currentText(name, rec, f.key), value, { fields: { [f.key]: value } });
  }

  private changeField(name: ChangelogEntity, i: number, spec: ChangeSpec, t: number, m: number): void {
    const times = spec.times ?? 1;
    if (!Number.isInteger(times) || times < 1) throw new Error('change: times must be a positive integer');
    const key = name === 'deals' && spec.field === 'owner_id' ? 'user_id' : spec.field;
    this.checkField(name, key);
    const pairs = new Set<string>();
    for (let k = 0; k < times; k++) {
      const rec = this.record(name, i);
      const old = currentText(name, rec, key);
      const value = spec.value !== undefined && k === times - 1 ? spec.value : this.nextValue(name, i, key, rec, m * 64 + k);
      const fields = this.fieldsFor(name, key, value, t);
      if (name === 'deals' && key === 'status') {
        if (value !== 'open' && value !== 'won' && value !== 'lost') throw new Error('change: deal status must be open, won or lost (deletes: `delete`, restores: `undelete`)');
        this.setStatus(i, value, t, {});
        continue;
      }
      const nu = currentText(name, { ...rec, ...recordView(name, key, value) }, key);
      if (nu === old || pairs.has(`${old}\u0000${nu}`)) throw new Error(`change: ${name} ${i + 1} ${key}: the new value repeats a change of this second (use fewer times or another value)`);
      pairs.add(`${old}\u0000${nu}`);
      this.log(name, i, t, key, old, nu, { fields });
      if (name === 'deals' && key === 'stage_id') {
        const before = Number(rec['pipeline_id']);
        const after = Math.floor((Number(value) - 1) / STAGES_PER_PIPELINE) + 1;
        if (after !== before) this.log(name, i, t, 'pipeline_id', String(before), String(after));
      }
    }
  }

  /** Sets a deal's status (and its close time), logging the change. */
  private setStatus(i: number, status: 'open' | 'won' | 'lost' | 'deleted', t: number, extra: Overlay): void {
    if (!['open', 'won', 'lost', 'deleted'].includes(status)) throw new Error(`change: deal status must be open, won or lost (got ${String(status)})`);
    const old = this.w.dealStatus(i);
    if (old === status) throw new Error(`change: deal ${i + 1} is already ${status}`);
    const fields: Rec = { status };
    if (status === 'won' || status === 'lost') fields['_close'] = t;
    this.log('deals', i, t, 'status', old, status, { ...extra, fields });
  }

  /** Throws unless `change` supports field `key` of the entity. */
  private checkField(name: ChangelogEntity, key: string): void {
    if (CUSTOM_KEY.test(key)) {
      if (!this.w.cf.list(CF_ENTITY[name]).some((f) => f.key === key)) throw new Error(`change: ${name} has no custom field ${key}`);
      return;
    }
    const allowed: Record<ChangelogEntity, string[]> = {
      deals: ['stage_id', 'value', 'user_id', 'status', 'title', 'expected_close_date'],
      persons: ['owner_id', 'name', 'email', 'phone', 'org_id'],
      organizations: ['owner_id', 'name'],
    };
    if (!allowed[name].includes(key)) throw new Error(`change: ${name} field must be one of ${allowed[name].join(', ')} or a custom field key (got ${key})`);
  }

  /** The overlay fields (record keys) that hold a new value of changelog field `key`. */
  private fieldsFor(name: ChangelogEntity, key: string, value: unknown, t: number): Rec {
    if (CUSTOM_KEY.test(key)) return { [key]: value };
    if (name === 'deals' && key === 'stage_id') {
      const stages = this.w.entity('stages').base;
      if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > stages) throw new Error(`change: stage_id must be a stage id 1..${stages}`);
      return { stage_id: value, _stage: t };
    }
    return recordView(name, key, value);
  }

  /** A seeded next value of a field (what `change` sets without an explicit `value`). */
  private nextValue(name: ChangelogEntity, i: number, key: string, rec: Rec, salt: number): unknown {
    const w = this.w;
    const h = hash4(w.seed, 500 + w.entity(name).code, i, salt);
    const users = w.entity('users').base;
    const f = w.cf.list(CF_ENTITY[name]).find((x) => x.key === key);
    if (f) {
      const cur = (rec['custom_fields'] as Rec)[key];
      switch (f.type) {
        case 'enum': {
          const opts = f.options!;
          const at = opts.findIndex((o) => o.id === cur);
          return opts[(at + 1) % opts.length]!.id;
        }
        case 'set':
          return [f.options![h % f.options!.length]!.id];
        case 'int':
          return (typeof cur === 'number' ? cur : 0) + 1 + (h % 50);
        case 'double':
          return Math.round(((typeof cur === 'number' ? cur : 0) + 1 + (h % 1000) / 100) * 100) / 100;
        case 'date':
          return ymd(w.nowSec + (h % 400) * 86400);
        case 'user':
          return (((typeof cur === 'number' ? cur : 0) % users) + 1);
        case 'org':
        case 'people': {
          const n = w.entity(f.type === 'org' ? 'organizations' : 'persons').base;
          return ((typeof cur === 'number' ? cur : 0) % n) + 1;
        }
        case 'monetary':
          return { value: Math.round(((cur as Rec | null)?.['value'] as number | undefined ?? 0) + 100 + (h % 10000)), currency: 'EUR' };
        case 'address':
          throw new Error(`change: address custom fields are not supported by the emulator (${key})`);
        default:
          return `${f.name.split(' ')[0]}-C${salt}-${(h % 65536).toString(16).toUpperCase()}`;
      }
    }
    switch (key) {
      case 'stage_id': {
        const s = Number(rec['stage_id']) - 1;
        return Math.floor(s / STAGES_PER_PIPELINE) * STAGES_PER_PIPELINE + ((s % STAGES_PER_PIPELINE) + 1) % STAGES_PER_PIPELINE + 1;
      }
      case 'value':
        return Number(rec['value']) + 100 * (1 + (h % 50));
      case 'user_id':
      case 'owner_id':
        if (users < 2) throw new Error('change: owner changes need at least 2 users');
        return (Number(rec['owner_id']) % users) + 1;
      case 'status':
        return rec['status'] === 'open' ? 'won' : 'open';
      case 'title':
      case 'name':
        return `${String(rec[key]).replace(/ \(rev \d+\)$/, '')} (rev ${salt})`;
      case 'expected_close_date':
        return ymd((rec[key] ? Date.parse(`${String(rec[key])}T00:00:00Z`) / 1000 : w.nowSec) + 7 * 86400);
      case 'email':
        return `contact${i + 1}.rev${salt}@example.com`;
      case 'phone':
        return `+372 5${100000 + (h % 900000)}`;
      case 'org_id': {
        const n = w.entity('organizations').base;
        return ((Number(rec['org_id'] ?? 0)) % n) + 1;
      }
      default:
        throw new Error(`change: unknown field ${key}`);
    }
  }

  /** Merges record `loser` into `into`: the loser is gone, the survivor is updated and logs the change. */
  private mergeInto(name: 'persons' | 'organizations', loser: number, into: number, t: number): void {
    const w = this.w;
    const lost = this.record(name, loser);
    const keep = this.record(name, into);
    w.entity(name).mutate(loser, { upd: t, removed: true, removedAt: t });
    if (name === 'persons') {
      // The survivor gets the merged person's e-mail address too.
      const emails = [...(keep['emails'] as Rec[]), ...(lost['emails'] as Rec[]).map((x) => ({ ...x, primary: false }))];
      this.log(name, into, t, 'email', currentText(name, keep, 'email'), currentText(name, { emails }, 'email'), { fields: { emails } });
    } else {
      // The survivor takes the merged organization's name (as chosen in Pipedrive's merge dialog).
      const nu = lost['name'] === keep['name'] ? `${String(keep['name'])} (merged)` : String(lost['name']);
      this.log(name, into, t, 'name', String(keep['name']), nu, { fields: { name: nu } });
    }
  }
}

/** The record fields (v2 keys) that show a new value of changelog field `key`. */
function recordView(name: ChangelogEntity, key: string, value: unknown): Rec {
  if (CUSTOM_KEY.test(key)) return { custom_fields: { [key]: value } };
  switch (key) {
    case 'user_id':
      return { owner_id: value };
    case 'name':
      if (name === 'persons') {
        const parts = String(value).split(' ');
        return { name: value, first_name: parts[0] ?? '', last_name: parts.slice(1).join(' ') };
      }
      return { name: value };
    case 'email':
      return { emails: [{ value, primary: true, label: 'work' }] };
    case 'phone':
      return { phones: value === null || value === '' ? [] : [{ value, primary: true, label: 'mobile' }] };
    default:
      return { [key]: value };
  }
}

/**
 * Ids of an entity's records that left every endpoint at or after `sinceSec` (hard deletes, merges, and deals
 * deleted more than 30 days before the clock), in id order.
 */
export function removedSince(w: World, name: string, sinceSec: number): unknown[] {
  const e = w.entity(name);
  const out: number[] = [];
  if (name === 'deals') {
    for (let i = 0; i < e.count; i++) {
      const at = w.dealDeletedAt(i);
      if (at !== null && w.clock - at > DEAL_RETENTION && at + DEAL_RETENTION >= sinceSec) out.push(i);
    }
  }
  for (const [i, o] of e.ov) if (o.removed && (o.removedAt ?? -Infinity) >= sinceSec) out.push(i);
  return [...new Set(out)].sort((a, b) => a - b).map((i) => w.idOf(name, i));
}
