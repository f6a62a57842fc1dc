/**
 * The optional fields of API v2 deals, persons and organizations (`include_fields=…`, the counts and
 * last-activity fields v1 returned by default) and of activities (`attendees`). Counts are those of the
 * emulator's own activities, notes, files, mail threads and deals, from a compact index built the first time
 * a request asks for them (typed arrays, rebuilt after a mutation).
 */
import type { Rec, Records } from './records.js';
import { isoZ } from './time.js';
import type { World } from './world.js';

/** Per-record counters of one entity (index = record index). */
interface Counters {
  act: Int32Array;
  done: Int32Array;
  /** Id (+1 of the index) of the undone activity due first / the done activity due last; 0 = none. */
  next: Int32Array;
  /** Seconds (unsigned 32-bit: good until 2106). */
  nextDue: Uint32Array;
  last: Int32Array;
  lastDue: Uint32Array;
  notes: Int32Array;
  files: Int32Array;
  mails: Int32Array;
  lastIn: Uint32Array;
  lastOut: Uint32Array;
  /** Deals by status (persons: linked to the person; organizations: linked to the organization). */
  open: Int32Array;
  won: Int32Array;
  lost: Int32Array;
  /** Organizations: deals whose person belongs to the organization; persons: deals of the person's organization. */
  rOpen: Int32Array;
  rWon: Int32Array;
  rLost: Int32Array;
  people: Int32Array;
}

/** Counters for n records; the deal counts only where they are asked for (persons, organizations). */
function counters(n: number, deals: boolean): Counters {
  const i32 = (): Int32Array => new Int32Array(n);
  const u32 = (): Uint32Array => new Uint32Array(n);
  const d = (): Int32Array => new Int32Array(deals ? n : 0);
  return {
    act: i32(), done: i32(), next: i32(), nextDue: u32(), last: i32(), lastDue: u32(), notes: i32(), files: i32(), mails: i32(),
    lastIn: u32(), lastOut: u32(), open: d(), won: d(), lost: d(), rOpen: d(), rWon: d(), rLost: d(), people: d(),
  };
}

export type IncludeEntity = 'deals' | 'persons' | 'organizations';

export class Includes {
  private built: { key: number; deals: Counters; persons: Counters; organizations: Counters } | null = null;

  constructor(
    readonly w: World,
    readonly r: Records,
  ) {}

  /** The organization person p belongs to now (index), or null. */
  private personOrgNow(p: number): number | null {
    const f = this.w.entity('persons').fields(p);
    if (f && 'org_id' in f) return typeof f['org_id'] === 'number' ? f['org_id'] - 1 : null;
    return this.r.personOrg(p);
  }

  private index(): { deals: Counters; persons: Counters; organizations: Counters } {
    const w = this.w;
    const r = this.r;
    if (this.built && this.built.key === w.mutations) return this.built;
    const ents = { deals: w.entity('deals'), persons: w.entity('persons'), organizations: w.entity('organizations') };
    const c = { deals: counters(ents.deals.count, false), persons: counters(ents.persons.count, true), organizations: counters(ents.organizations.count, true) };
    const each = (fn: (k: Counters, i: number) => void, deal: number | null, person: number | null, org: number | null): void => {
      if (deal !== null) fn(c.deals, deal);
      if (person !== null) fn(c.persons, person);
      if (org !== null) fn(c.organizations, org);
    };
    for (const a of w.entity('activities').all()) {
      const { dealI, personI, orgI, done, due } = r.activityCore(a);
      each((k, i) => {
        k.act[i]!++;
        if (done) {
          k.done[i]!++;
          if (due >= k.lastDue[i]!) {
            k.lastDue[i] = due;
            k.last[i] = a + 1;
          }
        } else if (k.next[i] === 0 || due < k.nextDue[i]!) {
          k.nextDue[i] = due;
          k.next[i] = a + 1;
        }
      }, dealI, personI, orgI);
    }
    for (const n of w.entity('notes').all()) {
      const { deal, person, org } = r.noteLinks(n);
      each((k, i) => k.notes[i]!++, deal, person, org);
    }
    for (const f of w.entity('files').all()) {
      const { deal, person, org } = r.fileLinks(f);
      each((k, i) => k.files[i]!++, deal, person, org);
    }
    for (const t of w.entity('mail_threads').all()) {
      const deal = r.mailThreadDeal(t);
      const person = r.mailThreadPerson(t);
      const org = this.personOrgNow(person);
      const times = r.mailTimes(t);
      const sentFolder = w.mailFolder(t) === 'sent';
      each((k, i) => {
        times.forEach((sec, j) => {
          k.mails[i]!++;
          const outgoing = sentFolder ? j % 2 === 0 : j % 2 === 1;
          if (outgoing) k.lastOut[i] = Math.max(k.lastOut[i]!, sec);
          else k.lastIn[i] = Math.max(k.lastIn[i]!, sec);
        });
      }, deal, person, org);
    }
    for (const d of ents.deals.all()) {
      const status = w.dealStatus(d);
      if (status === 'deleted') continue;
      const bump = (k: Counters, i: number, related: boolean): void => {
        const arr = status === 'open' ? (related ? k.rOpen : k.open) : status === 'won' ? (related ? k.rWon : k.won) : related ? k.rLost : k.lost;
        arr[i]!++;
      };
      const person = r.dealPerson(d);
      const org = r.dealOrg(d);
      bump(c.persons, person, false);
      bump(c.organizations, org, false);
      const personOrg = this.personOrgNow(person);
      if (personOrg !== null) bump(c.organizations, personOrg, true);
    }
    for (const p of ents.persons.all()) {
      const o = this.personOrgNow(p);
      if (o === null || o >= ents.organizations.count) continue;
      c.organizations.people[o]!++;
      // A person's related deals are those of its organization.
      c.persons.rOpen[p] = c.organizations.open[o]!;
      c.persons.rWon[p] = c.organizations.won[o]!;
      c.persons.rLost[p] = c.organizations.lost[o]!;
    }
    this.built = { key: w.mutations, ...c };
    return this.built;
  }

  /** Record `rec` (index i of the entity) with the requested optional fields appended, in the spec's order. */
  apply(entity: IncludeEntity, i: number, rec: Rec, fields: readonly string[]): Rec {
    if (fields.length === 0) return rec;
    const k = this.index()[entity];
    const w = this.w;
    const time = (sec: number): string | null => (sec > 0 ? isoZ(sec) : null);
    const id = (x: number): number | null => (x > 0 ? x : null);
    const value = (f: string): unknown => {
      switch (f) {
        case 'next_activity_id': return id(k.next[i] ?? 0);
        case 'last_activity_id': return id(k.last[i] ?? 0);
        case 'activities_count': return k.act[i] ?? 0;
        case 'done_activities_count': return k.done[i] ?? 0;
        case 'undone_activities_count': return (k.act[i] ?? 0) - (k.done[i] ?? 0);
        case 'notes_count': return k.notes[i] ?? 0;
        case 'files_count': return k.files[i] ?? 0;
        case 'email_messages_count': return k.mails[i] ?? 0;
        case 'last_incoming_mail_time': return time(k.lastIn[i] ?? 0);
        case 'last_outgoing_mail_time': return time(k.lastOut[i] ?? 0);
        case 'followers_count': return 1 + w.pickIndex(w.entity(entity).code, i, 87, 3);
        case 'participants_count': return 1;
        case 'products_count': return w.dealProductCount(i);
        case 'first_won_time': return this.firstWon(i);
        case 'source_lead_id': return null;
        case 'smart_bcc_email': return `emulated-company+${entity === 'deals' ? 'deal' : entity === 'persons' ? 'person' : 'org'}${i + 1}@pipedrivemail.com`;
        case 'open_deals_count':
        case 'participant_open_deals_count': return k.open[i] ?? 0;
        case 'won_deals_count': return k.won[i] ?? 0;
        case 'lost_deals_count': return k.lost[i] ?? 0;
        case 'closed_deals_count':
        case 'participant_closed_deals_count': return (k.won[i] ?? 0) + (k.lost[i] ?? 0);
        case 'related_open_deals_count': return k.rOpen[i] ?? 0;
        case 'related_won_deals_count': return k.rWon[i] ?? 0;
        case 'related_lost_deals_count': return k.rLost[i] ?? 0;
        case 'related_closed_deals_count': return (k.rWon[i] ?? 0) + (k.rLost[i] ?? 0);
        case 'people_count': return k.people[i] ?? 0;
        case 'marketing_status': return (['no_consent', 'unsubscribed', 'subscribed', 'archived'] as const)[w.pickIndex(7, i, 88, 4)]!;
        case 'doi_status': return w.u(7, i, 89) < 0.5 ? null : w.u(7, i, 90) < 0.7 ? 'confirmed' : 'pending';
        default: return null;
      }
    };
    const out: Rec = { ...rec };
    for (const f of fields) out[f] = value(f);
    return out;
  }

  /** When deal i was first won: its seeded win, else the first mutation that won it, else null. */
  private firstWon(i: number): string | null {
    const w = this.w;
    if (w.dealStatusBase(i) === 'won') return isoZ(this.r.dealBaseUpd(i));
    const c = w.entity('deals').ov.get(i)?.changes?.find((x) => x.field === 'status' && x.nu === 'won');
    return c ? isoZ(c.t) : null;
  }

  /** `attendees` of activity a (meetings and lunches: the participant, invited by the owner). */
  attendees(a: number, rec: Rec): Rec[] {
    const { type, personI } = this.r.activityCore(a);
    if (personI === null || (type[1] !== 'meeting' && type[1] !== 'lunch')) return [];
    return [{ email: this.r.personEmail(personI), name: this.r.personName(personI), status: 'accepted', is_organizer: false, person_id: personI + 1, user_id: rec['owner_id'] }];
  }
}
