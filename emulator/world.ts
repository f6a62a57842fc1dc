/**
 * The emulated Pipedrive company: sizes, seeded timelines, relations between entities and the
 * mutation overlay. Records themselves are built on demand by `records.ts`.
 */
import { Entity, type Timeline } from './entity.js';
import { CustomFields } from './fields.js';
import { hash4, unit, uuid } from './rng.js';

export const STAGES_PER_PIPELINE = 5;
export const PHASES_PER_BOARD = 4;
export const ACTIVITY_TYPE_COUNT = 9;
export const PERMISSION_SET_COUNT = 6;

/** Default record counts; every key can be overridden with `sizes`. */
export const DEFAULT_SIZES: Record<string, number> = {
  users: 12,
  pipelines: 3,
  boards: 2,
  organizations: 150,
  persons: 400,
  products: 60,
  deals: 500,
  activities: 800,
  notes: 400,
  leads: 150,
  files: 120,
  call_logs: 120,
  mail_threads: 160,
  projects: 40,
  tasks: 160,
  project_templates: 6,
  filters: 12,
  goals: 6,
  roles: 5,
  legacy_teams: 4,
  lead_labels: 6,
};

/** Entity name → hash code (stable: changing it changes every generated value). */
const CODES: Record<string, number> = {
  users: 1, pipelines: 2, stages: 3, boards: 4, phases: 5, organizations: 6, persons: 7, products: 8, deals: 9,
  activities: 10, notes: 11, leads: 12, files: 13, call_logs: 14, mail_threads: 15, projects: 16, tasks: 17,
  project_templates: 18, filters: 19, goals: 20, roles: 21, legacy_teams: 22, lead_labels: 23, activity_types: 24,
  permission_sets: 25,
};

export interface WorldOptions {
  seed: number;
  sizes: Partial<Record<string, number>>;
  now: Date;
}

const DAY = 86400;
/** Pipedrive keeps deleted deals for 30 days (`status=deleted`); after that they are gone. */
export const DEAL_RETENTION = 30 * DAY;
/** First id of change-log entries written by mutations (seeded entries use (index + 1) * 16 + j). */
export const MUTATION_CHANGE_ID = 2 ** 30;

export type DealStatus = 'open' | 'won' | 'lost' | 'deleted';

export class World {
  readonly seed: number;
  readonly nowSec: number;
  readonly startSec: number;
  readonly endSec: number;
  readonly epoch: number;
  readonly e: Record<string, Entity> = {};
  readonly cf: CustomFields;
  /** The emulator's clock: `now`, advanced by a few seconds per mutation. */
  clock: number;
  /** Mutations applied so far (salt of their choices). */
  mutations = 0;
  /** Next id of a change-log entry written by a mutation. */
  nextChangeId = MUTATION_CHANGE_ID;

  constructor(opts: WorldOptions) {
    this.seed = opts.seed >>> 0;
    this.nowSec = Math.floor(opts.now.getTime() / 1000);
    this.endSec = this.nowSec - 60;
    this.startSec = this.nowSec - 3 * 365 * DAY;
    this.epoch = this.startSec - 30 * DAY;
    this.clock = this.nowSec;
    const size = (k: string): number => {
      const v = opts.sizes[k] ?? DEFAULT_SIZES[k] ?? 0;
      if (!Number.isInteger(v) || v < 0) throw new Error(`sizes.${k} must be a non-negative integer`);
      return v;
    };
    const setup = this.startSec + Math.floor((this.endSec - this.startSec) * 0.05);
    const make = (name: string, count: number, tl?: Timeline): void => {
      const code = CODES[name]!;
      this.e[name] = new Entity(name, code, count, tl ?? this.timeline(code, count, this.startSec, this.endSec), this.epoch);
    };
    // Configuration-like entities are created early and rarely changed.
    const early = (name: string, count: number): void => make(name, count, this.timeline(CODES[name]!, count, this.startSec - 200 * DAY, setup));
    early('users', Math.max(1, size('users')));
    early('pipelines', Math.max(1, size('pipelines')));
    early('stages', this.e['pipelines']!.base * STAGES_PER_PIPELINE);
    early('boards', Math.max(1, size('boards')));
    early('phases', this.e['boards']!.base * PHASES_PER_BOARD);
    early('activity_types', ACTIVITY_TYPE_COUNT);
    early('permission_sets', PERMISSION_SET_COUNT);
    early('roles', Math.max(1, size('roles')));
    early('legacy_teams', size('legacy_teams'));
    early('lead_labels', size('lead_labels'));
    early('project_templates', size('project_templates'));
    early('filters', size('filters'));
    early('goals', size('goals'));
    make('organizations', Math.max(1, size('organizations')));
    make('persons', Math.max(1, size('persons')));
    make('products', Math.max(1, size('products')));
    const dealCount = size('deals');
    const base = this.timeline(CODES['deals']!, dealCount, this.startSec, this.endSec);
    make('deals', dealCount, {
      add: (i) => base.add(i),
      upd: (i) => (this.dealDeletedBase(i) ? Math.max(base.add(i), this.endSec - Math.floor(unit(this.seed, 9, i, 77) * 29 * DAY)) : base.upd(i)),
    });
    for (const k of ['activities', 'notes', 'leads', 'files', 'call_logs', 'mail_threads', 'projects', 'tasks']) make(k, size(k));
    // Deals deleted more than 30 days ago (by the clock) leave every endpoint.
    const deals = this.e['deals']!;
    const purgeFloor = this.endSec - 29 * DAY + DEAL_RETENTION;
    deals.gone = (i) => this.clock > purgeFloor && this.dealPurged(i);
    this.cf = new CustomFields({
      seed: this.seed,
      users: this.e['users']!.base,
      organizations: this.e['organizations']!.base,
      persons: this.e['persons']!.base,
    });
  }

  entity(name: string): Entity {
    const e = this.e[name];
    if (!e) throw new Error(`unknown entity ${name}`);
    return e;
  }

  /**
   * Seeded timeline: add times grow with the index over [from, to); update times are after the add time
   * and before `now`, skewed towards early updates, with ~20% never updated and ~15% bulk-updated in
   * shared seconds (ties), so update_time order differs from id order.
   */
  timeline(code: number, count: number, from: number, to: number): Timeline {
    const seed = this.seed;
    const end = this.endSec;
    const span = Math.max(1, to - from);
    const step = span / Math.max(1, count);
    const bulk = Math.max(4, Math.floor(count / 25));
    const fullSpan = Math.max(1, end - from);
    const add = (i: number): number => Math.min(end, from + Math.floor((i + unit(seed, code, i, 1)) * step));
    const upd = (i: number): number => {
      const a = add(i);
      const r = unit(seed, code, i, 2);
      if (r < 0.2) return a;
      if (r < 0.35) {
        const ev = (k: number): number => from + Math.floor(((k + 0.5) * fullSpan) / bulk);
        let k0 = Math.max(0, Math.ceil(((a - from) * bulk) / fullSpan - 0.5));
        while (k0 < bulk && ev(k0) < a) k0++;
        if (k0 >= bulk) return a;
        const t = ev(k0 + Math.floor(unit(seed, code, i, 4) * (bulk - k0)));
        return Math.min(end, Math.max(a, t));
      }
      const u = unit(seed, code, i, 3);
      return a + Math.floor(u * u * u * (end - a));
    };
    return { add, upd };
  }

  /** A seeded uniform number for (entity code, index, salt). */
  u(code: number, i: number, salt: number): number {
    return unit(this.seed, code, i, salt);
  }

  /** A seeded integer in [0, n). */
  pickIndex(code: number, i: number, salt: number, n: number): number {
    return Math.floor(unit(this.seed, code, i, salt) * n);
  }

  // --- deals -------------------------------------------------------------------------------

  dealArchived(i: number): boolean {
    return i < this.e['deals']!.base && unit(this.seed, 9, i, 70) < 0.05;
  }

  dealDeletedBase(i: number): boolean {
    return i < (this.e['deals']?.base ?? Infinity) && !this.dealArchived(i) && unit(this.seed, 9, i, 71) < 0.03;
  }

  /** Status before mutations (seeded). */
  dealStatusBase(i: number): DealStatus {
    if (this.dealDeletedBase(i)) return 'deleted';
    if (i >= this.e['deals']!.base) return 'open';
    const r = unit(this.seed, 9, i, 72);
    return r < 0.55 ? 'open' : r < 0.8 ? 'won' : 'lost';
  }

  dealStatus(i: number): DealStatus {
    return (this.e['deals']!.fields(i)?.['status'] as DealStatus | undefined) ?? this.dealStatusBase(i);
  }

  dealDeleted(i: number): boolean {
    return this.dealStatus(i) === 'deleted';
  }

  /** When deal i was deleted (seconds), or null when it is not deleted. */
  dealDeletedAt(i: number): number | null {
    if (!this.dealDeleted(i)) return null;
    const at = this.e['deals']!.ov.get(i)?.deletedAt;
    return typeof at === 'number' ? at : this.e['deals']!.timeline.upd(i);
  }

  /** Deleted more than 30 days ago (by the emulator's clock): served by no endpoint any more. */
  dealPurged(i: number): boolean {
    const at = this.dealDeletedAt(i);
    return at !== null && this.clock - at > DEAL_RETENTION;
  }

  dealPipelineBase(i: number): number {
    return this.pickIndex(9, i, 73, this.e['pipelines']!.base);
  }

  dealStageBase(i: number): number {
    return this.dealPipelineBase(i) * STAGES_PER_PIPELINE + this.pickIndex(9, i, 74, STAGES_PER_PIPELINE);
  }

  dealStage(i: number): number {
    const s = this.e['deals']!.fields(i)?.['stage_id'];
    return typeof s === 'number' ? s - 1 : this.dealStageBase(i);
  }

  dealPipeline(i: number): number {
    return Math.floor(this.dealStage(i) / STAGES_PER_PIPELINE);
  }

  /** The timeline's update of record i fell into a shared "bulk" second (ties; see `timeline`). */
  bulkUpdated(name: string, i: number): boolean {
    const e = this.entity(name);
    if (i >= e.base || (name === 'deals' && this.dealDeletedBase(i))) return false;
    const r = unit(this.seed, e.code, i, 2);
    return r >= 0.2 && r < 0.35 && e.timeline.upd(i) > e.timeline.add(i);
  }

  /** Number of products attached to deal i (archived deals have none). */
  dealProductCount(i: number): number {
    if (this.dealArchived(i)) return 0;
    const r = unit(this.seed, 9, i, 75);
    return r < 0.4 ? 0 : r < 0.7 ? 1 : r < 0.9 ? 2 : 3;
  }

  /** Number of installments of deal i (archived deals have none). */
  dealInstallmentCount(i: number): number {
    if (this.dealArchived(i)) return 0;
    const r = unit(this.seed, 9, i, 76);
    return r < 0.85 ? 0 : 1 + Math.floor(((r - 0.85) / 0.15) * 4);
  }

  // --- other flags ---------------------------------------------------------------------------

  leadArchived(i: number): boolean {
    return i < this.e['leads']!.base && unit(this.seed, 12, i, 70) < 0.12;
  }

  projectArchived(i: number): boolean {
    return i < this.e['projects']!.base && unit(this.seed, 16, i, 70) < 0.15;
  }

  mailFolder(i: number): 'inbox' | 'drafts' | 'sent' | 'archive' {
    if (i >= this.e['mail_threads']!.base) return 'inbox';
    const r = unit(this.seed, 15, i, 70);
    return r < 0.5 ? 'inbox' : r < 0.75 ? 'sent' : r < 0.85 ? 'drafts' : 'archive';
  }

  mailMessageCount(i: number): number {
    return 1 + this.pickIndex(15, i, 71, 4);
  }

  // --- ids ---------------------------------------------------------------------------------

  /** The API id of record i of an entity. */
  idOf(name: string, i: number): number | string {
    switch (name) {
      case 'leads':
        return uuid(this.seed, 12, i);
      case 'lead_labels':
        return uuid(this.seed, 23, i);
      case 'permission_sets':
        return uuid(this.seed, 25, i);
      case 'call_logs':
        return `CA${hash4(this.seed, 14, i, 1).toString(16).padStart(8, '0')}${hash4(this.seed, 14, i, 2).toString(16).padStart(8, '0')}${(i + 1).toString(16).padStart(8, '0')}`;
      case 'goals':
        return `${hash4(this.seed, 20, i, 1).toString(16).padStart(8, '0')}${hash4(this.seed, 20, i, 2).toString(16).padStart(8, '0')}${(i + 1).toString(16).padStart(16, '0')}`;
      default:
        return i + 1;
    }
  }

  /** Reverse of idOf for numeric ids (index), or null. */
  indexOfNumericId(name: string, id: string | number): number | null {
    const n = typeof id === 'number' ? id : /^\d+$/.test(id) ? Number(id) : NaN;
    if (!Number.isSafeInteger(n) || n < 1) return null;
    const e = this.e[name];
    if (!e || !e.exists(n - 1)) return null;
    return n - 1;
  }

  /** Index of a record by any id (string ids are looked up by a scan; those entities are small). */
  indexOfId(name: string, id: string): number | null {
    if (['leads', 'lead_labels', 'permission_sets', 'call_logs', 'goals'].includes(name)) {
      const e = this.entity(name);
      for (const i of e.all()) if (this.idOf(name, i) === id) return i;
      return null;
    }
    return this.indexOfNumericId(name, id);
  }
}
