/**
 * Record builders: record i of an entity in the shape of its endpoint's response schema
 * (field order and types from `meta.json`). Every value derives from (seed, entity, index) and
 * the mutation overlay, so the same record is built identically whenever it is asked for.
 */
import { history } from './changelog.js';
import { type CustomField, makeAddress, systemFieldType, systemOptions, titleCase, ADDRESS_SUBFIELDS } from './fields.js';
import { type FieldNode, recordNode, shaper, type Shaper } from './meta.js';
import {
  ACTIVITY_SUBJECTS, CURRENCIES, DEAL_WORDS, FIRST, LAST, NOTE_TEXTS, ORG_SECTORS, ORG_SUFFIXES, ORG_WORDS, PRODUCT_WORDS,
} from './names.js';
import { Rng } from './rng.js';
import { isoMs, isoZ, v1Time, ymd } from './time.js';
import { PHASES_PER_BOARD, STAGES_PER_PIPELINE, type DealStatus, type World } from './world.js';

export type Rec = Record<string, unknown>;

// Shapers per endpoint (schema order, defaults for unset fields, optional keys omitted unless set).
const S = {
  deal: shaper(recordNode('v2', '/deals'), ['won_time', 'lost_time', 'source_lead_id']),
  activity: shaper(recordNode('v2', '/activities'), [
    'deal_id', 'lead_id', 'person_id', 'org_id', 'project_id', 'marked_as_done_time', 'location', 'attendees',
    'conference_meeting_client', 'conference_meeting_url', 'conference_meeting_id', 'public_description',
  ]),
  person: shaper(recordNode('v2', '/persons'), ['org_id', 'picture_id', 'postal_address', 'notes', 'im', 'birthday', 'job_title']),
  organization: shaper(recordNode('v2', '/organizations'), ['address']),
  product: shaper(recordNode('v2', '/products')),
  pipeline: shaper(recordNode('v2', '/pipelines')),
  stage: shaper(recordNode('v2', '/stages')),
  dealProduct: shaper(recordNode('v2', '/deals/products')),
  installment: shaper(recordNode('v2', '/deals/installments')),
  board: shaper(recordNode('v2', '/boards')),
  phase: shaper(recordNode('v2', '/phases')),
  project: shaper(recordNode('v2', '/projects')),
  projectTemplate: shaper(recordNode('v2', '/projectTemplates')),
  task: shaper(recordNode('v2', '/tasks'), ['due_date', 'start_date']),
  v2Field: shaper(recordNode('v2', '/dealFields'), ['description', 'ui_visibility', 'important_fields', 'required_fields']),
  activityType: shaper(recordNode('v1', '/activityTypes')),
  callLog: shaper(recordNode('v1', '/callLogs'), ['lead_id', 'deal_id', 'org_id', 'person_id', 'activity_id']),
  currency: shaper(recordNode('v1', '/currencies')),
  file: shaper(recordNode('v1', '/files'), ['deal_id', 'person_id', 'org_id', 'product_id', 'activity_id', 'lead_id', 'project_id']),
  filter: shaper(recordNode('v1', '/filters')),
  goal: shaper(recordNode('v1', '/goals/find', 'goals')),
  leadField: shaper(recordNode('v1', '/leadFields'), ['options_deleted', 'is_subfield', 'subfields']),
  leadLabel: shaper(recordNode('v1', '/leadLabels')),
  lead: shaper(recordNode('v1', '/leads')),
  legacyTeam: shaper(recordNode('v1', '/legacyTeams')),
  mailThread: shaper(recordNode('v1', '/mailbox/mailThreads')),
  mailMessage: shaper(recordNode('v1', '/mailbox/mailThreads/{id}/mailMessages')),
  noteField: shaper(recordNode('v1', '/noteFields'), ['options']),
  note: shaper(recordNode('v1', '/notes'), [
    'deal', 'lead_id', 'deal_id', 'org_id', 'organization', 'person', 'person_id', 'project_id', 'project', 'task_id', 'task',
  ]),
  permissionSet: shaper(recordNode('v1', '/permissionSets')),
  assignment: shaper(recordNode('v1', '/permissionSets/{id}/assignments')),
  role: shaper(recordNode('v1', '/roles')),
  user: shaper(recordNode('v1', '/users')),
  userMe: shaper(recordNode('v1', '/users/me')),
};

const PIPELINE_NAMES = ['Sales', 'Partnerships', 'Renewals', 'Enterprise', 'SMB', 'Channel'];
const STAGE_NAMES = ['Qualified', 'Contact made', 'Demo scheduled', 'Proposal made', 'Negotiations started'];
const BOARD_NAMES = ['Onboarding', 'Implementation', 'Customer success', 'Internal'];
const PHASE_NAMES = ['Backlog', 'In progress', 'Review', 'Done'];
const ACTIVITY_TYPES: [string, string, string, boolean][] = [
  ['Call', 'call', 'call', false], ['Meeting', 'meeting', 'meeting', false], ['Task', 'task', 'task', false],
  ['Deadline', 'deadline', 'deadline', false], ['Email', 'email', 'email', false], ['Lunch', 'lunch', 'lunch', false],
  ['Demo', 'demo', 'presentation', true], ['Site visit', 'site_visit', 'car', true], ['Follow-up', 'follow_up', 'loop', true],
];
const LEAD_LABELS: [string, string][] = [['Hot', 'red'], ['Warm', 'orange'], ['Cold', 'blue'], ['VIP', 'purple'], ['Partner', 'green'], ['Inbound', 'yellow']];
export const LEAD_SOURCES = ['Manually created', 'Deal', 'Web forms', 'Prospector', 'Leadbooster', 'Live chat', 'Import', 'Website visitors', 'Workflow automation', 'API'];
export const CURRENCY_LIST: [string, string, number, string][] = [
  ['EUR', 'Euro', 2, '€'], ['USD', 'US Dollar', 2, '$'], ['GBP', 'British Pound', 2, '£'], ['SEK', 'Swedish Krona', 2, 'kr'],
  ['NOK', 'Norwegian Krone', 2, 'kr'], ['DKK', 'Danish Krone', 2, 'kr'], ['CHF', 'Swiss Franc', 2, 'CHF'], ['PLN', 'Polish Zloty', 2, 'zł'],
  ['JPY', 'Japanese Yen', 0, '¥'], ['CAD', 'Canadian Dollar', 2, 'CA$'], ['AUD', 'Australian Dollar', 2, 'A$'], ['BRL', 'Brazilian Real', 2, 'R$'],
];
const PERMISSION_SETS: [string, string, string][] = [
  ['Deals admin', 'sales', 'admin'], ['Deals regular user', 'sales', 'regular'], ['Global admin', 'global', 'admin'],
  ['Global regular user', 'global', 'regular'], ['Projects admin', 'projects', 'admin'], ['Projects regular user', 'projects', 'regular'],
];

const LOST_REASONS = ['Price too high', 'Went with competitor', 'No budget', 'Timing'];
const CUSTOM_KEY = /^[0-9a-f]{40}$/;

function pick<T>(list: readonly T[], n: number): T {
  return list[n % list.length]!;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** A record's `custom_fields` with the values mutations set (40-hex keys of the field overlay). */
function withCustom(cf: Rec, f: Rec | undefined): Rec {
  if (f) for (const k of Object.keys(f)) if (CUSTOM_KEY.test(k)) cf[k] = f[k];
  return cf;
}

/** Builds records of the emulated company. */
export class Records {
  /** Links inside records point at a fixed company domain, so data depends only on the seed. */
  readonly companyUrl = 'https://emulated-company.pipedrive.com';

  constructor(readonly w: World) {}

  private rng(entity: string, i: number): Rng {
    return new Rng(this.w.seed, this.w.entity(entity).code, i);
  }

  private n(entity: string): number {
    return this.w.entity(entity).base;
  }

  private ix(code: number, i: number, salt: number, entity: string): number {
    return this.w.pickIndex(code, i, salt, Math.max(1, this.n(entity)));
  }

  // --- names -------------------------------------------------------------------------------

  personFirst(pi: number): string {
    return pick(FIRST, this.w.pickIndex(7, pi, 10, 1 << 20));
  }
  personLast(pi: number): string {
    return pick(LAST, this.w.pickIndex(7, pi, 11, 1 << 20));
  }
  personName(pi: number): string {
    return `${this.personFirst(pi)} ${this.personLast(pi)}`;
  }
  personEmail(pi: number): string {
    return `${this.personFirst(pi).toLowerCase()}.${this.personLast(pi).toLowerCase().replace(/[^a-z]/g, '')}${pi + 1}@example.com`;
  }
  orgName(oi: number): string {
    const w = this.w;
    return `${pick(ORG_WORDS, w.pickIndex(6, oi, 10, 1 << 20))} ${pick(ORG_SECTORS, w.pickIndex(6, oi, 11, 1 << 20))} ${pick(ORG_SUFFIXES, w.pickIndex(6, oi, 12, 1 << 20))}`;
  }
  userName(ui: number): string {
    return `${pick(FIRST, this.w.pickIndex(1, ui, 10, 1 << 20))} ${pick(LAST, this.w.pickIndex(1, ui, 11, 1 << 20))}`;
  }
  userEmail(ui: number): string {
    return `user${ui + 1}@emulated-company.example`;
  }
  productName(pi: number): string {
    return `${pick(PRODUCT_WORDS, this.w.pickIndex(8, pi, 10, 1 << 20))} ${String.fromCharCode(65 + (pi % 26))}${Math.floor(pi / 26) || ''}`;
  }
  productPrice(pi: number): number {
    return Math.round(this.w.u(8, pi, 12) * 2000 * 100) / 100 + 10;
  }
  dealOrg(di: number): number {
    return this.ix(9, di, 80, 'organizations');
  }
  dealPerson(di: number): number {
    return this.ix(9, di, 81, 'persons');
  }
  dealOwnerBase(di: number): number {
    return this.ix(9, di, 82, 'users');
  }
  dealOwner(di: number): number {
    const o = this.w.entity('deals').fields(di)?.['owner_id'];
    return typeof o === 'number' ? o - 1 : this.dealOwnerBase(di);
  }
  dealTitle(di: number): string {
    return `${this.orgName(this.dealOrg(di))} ${pick(DEAL_WORDS, this.w.pickIndex(9, di, 83, 1 << 20))}`;
  }
  dealCurrency(di: number): string {
    return pick(CURRENCIES, this.w.pickIndex(9, di, 84, 1 << 20));
  }
  dealValueBase(di: number): number {
    return Math.round(this.w.u(9, di, 85) * 50000) + 500;
  }
  dealValue(di: number): number {
    const v = this.w.entity('deals').fields(di)?.['value'];
    return typeof v === 'number' ? v : this.dealValueBase(di);
  }
  personOrg(pi: number): number | null {
    return this.w.u(7, pi, 20) < 0.8 ? this.ix(7, pi, 21, 'organizations') : null;
  }
  /** Base update time of a deal (before mutations): closing and child times derive from it. */
  dealBaseUpd(di: number): number {
    const e = this.w.entity('deals');
    return di >= e.base ? e.addSec(di) : e.timeline.upd(di);
  }

  // --- API v2 --------------------------------------------------------------------------------

  /**
   * Deal i as `/api/v2/deals` returns it. `raw` builds it as the seed made it, before any mutation
   * changed a field (the start of its mutation history).
   */
  deal(i: number, raw = false): Rec {
    const w = this.w;
    const e = w.entity('deals');
    const f = raw ? undefined : e.fields(i);
    const r = this.rng('deals', i);
    const add = e.addSec(i);
    const upd = e.updSec(i);
    const status = (f?.['status'] as DealStatus | undefined) ?? w.dealStatusBase(i);
    const baseClose = this.dealBaseUpd(i);
    const closeSec = num(f?.['_close']) ?? baseClose;
    const stage = (num(f?.['stage_id']) ?? w.dealStageBase(i) + 1) - 1;
    const stageChange = add + Math.floor((baseClose - add) * r.next());
    return S.deal({
      id: i + 1,
      title: str(f?.['title']) ?? this.dealTitle(i),
      owner_id: num(f?.['owner_id']) ?? this.dealOwnerBase(i) + 1,
      person_id: this.dealPerson(i) + 1,
      org_id: this.dealOrg(i) + 1,
      pipeline_id: Math.floor(stage / STAGES_PER_PIPELINE) + 1,
      stage_id: stage + 1,
      value: num(f?.['value']) ?? this.dealValueBase(i),
      currency: this.dealCurrency(i),
      add_time: isoZ(add),
      update_time: isoZ(upd),
      stage_change_time: isoZ(num(f?.['_stage']) ?? stageChange),
      is_deleted: status === 'deleted',
      is_archived: w.dealArchived(i),
      status,
      probability: r.chance(0.3) ? r.int(1, 10) * 10 : null,
      lost_reason: status === 'lost' ? pick(LOST_REASONS, w.pickIndex(9, i, 86, 1 << 20)) : null,
      visible_to: r.chance(0.8) ? 3 : 1,
      close_time: status === 'won' || status === 'lost' ? isoZ(closeSec) : null,
      won_time: status === 'won' ? isoZ(closeSec) : undefined,
      lost_time: status === 'lost' ? isoZ(closeSec) : undefined,
      expected_close_date: str(f?.['expected_close_date']) ?? ymd(add + r.int(14, 120) * 86400),
      label_ids: r.chance(0.3) ? [r.int(1, 3)] : [],
      origin: r.pick(['ManuallyCreated', 'ManuallyCreated', 'API', 'Import', 'WebForms']),
      origin_id: null,
      channel: null,
      channel_id: null,
      arr: null,
      mrr: null,
      acv: null,
      custom_fields: withCustom(w.cf.v2('deal', 9, i, add), f),
    });
  }

  /** What links activity i to deals, persons and organizations (the record's first seeded values). */
  activityCore(i: number): { r: Rng; type: (typeof ACTIVITY_TYPES)[number]; dealI: number | null; personI: number | null; orgI: number | null; done: boolean; due: number } {
    const r = this.rng('activities', i);
    const add = this.w.entity('activities').addSec(i);
    const type = ACTIVITY_TYPES[r.int(0, 5)]!;
    const dealI = r.chance(0.7) ? this.ix(10, i, 30, 'deals') : null;
    const personI = dealI !== null ? this.dealPerson(dealI) : r.chance(0.6) ? this.ix(10, i, 31, 'persons') : null;
    const orgI = dealI !== null ? this.dealOrg(dealI) : personI !== null ? this.personOrg(personI) : null;
    const done = r.chance(0.6);
    const due = add + r.int(0, 30) * 86400;
    return { r, type, dealI, personI, orgI, done, due };
  }

  activity(i: number): Rec {
    const w = this.w;
    const e = w.entity('activities');
    const add = e.addSec(i);
    const upd = e.updSec(i);
    const { r, type, dealI, personI, orgI, done, due } = this.activityCore(i);
    return S.activity({
      id: i + 1,
      subject: `${pick(ACTIVITY_SUBJECTS, r.int(0, 99))}${personI !== null ? ` with ${this.personName(personI)}` : ''}`,
      type: type[1],
      owner_id: this.ix(10, i, 32, 'users') + 1,
      creator_user_id: this.ix(10, i, 33, 'users') + 1,
      is_deleted: false,
      add_time: isoZ(add),
      update_time: isoZ(upd),
      deal_id: dealI !== null ? dealI + 1 : undefined,
      person_id: personI !== null ? personI + 1 : undefined,
      org_id: orgI !== null ? orgI + 1 : undefined,
      due_date: ymd(due),
      due_time: `${String(r.int(8, 17)).padStart(2, '0')}:${r.pick(['00', '15', '30', '45'])}`,
      duration: r.pick(['00:15', '00:30', '01:00']),
      busy: r.chance(0.5),
      done,
      marked_as_done_time: done ? isoZ(Math.min(upd, Math.max(add, due))) : undefined,
      location: type[1] === 'meeting' || type[1] === 'lunch' ? makeAddress(r) : undefined,
      participants: personI !== null ? [{ person_id: personI + 1, primary: true }] : [],
      priority: r.int(0, 2),
      note: r.chance(0.4) ? `<p>${pick(NOTE_TEXTS, r.int(0, 99))}</p>` : '',
      // Sent by real accounts, not in the OpenAPI schema.
      private: w.u(10, i, 40) < 0.1,
    });
  }

  /** Person i as `/api/v2/persons` returns it (`raw`: before mutations changed its fields). */
  person(i: number, raw = false): Rec {
    const w = this.w;
    const e = w.entity('persons');
    const f = raw ? undefined : e.fields(i);
    const r = this.rng('persons', i);
    const add = e.addSec(i);
    const org = f && 'org_id' in f ? (f['org_id'] as number | null) : this.personOrg(i) !== null ? this.personOrg(i)! + 1 : null;
    const phones = r.chance(0.7) ? [{ value: `+372 5${r.int(100000, 999999)}`, primary: true, label: 'mobile' }] : [];
    return S.person({
      id: i + 1,
      name: str(f?.['name']) ?? this.personName(i),
      first_name: str(f?.['first_name']) ?? this.personFirst(i),
      last_name: str(f?.['last_name']) ?? this.personLast(i),
      owner_id: (num(f?.['owner_id']) ?? this.ix(7, i, 22, 'users') + 1),
      org_id: org ?? undefined,
      add_time: isoZ(add),
      update_time: isoZ(e.updSec(i)),
      emails: (f?.['emails'] as Rec[] | undefined) ?? [{ value: this.personEmail(i), primary: true, label: 'work' }],
      phones: (f?.['phones'] as Rec[] | undefined) ?? phones,
      is_deleted: false,
      visible_to: 3,
      label_ids: r.chance(0.2) ? [r.int(1, 3)] : [],
      job_title: r.chance(0.5) ? r.pick(['CEO', 'CTO', 'Head of Sales', 'Procurement', 'Engineer', 'Office manager']) : undefined,
      custom_fields: withCustom(w.cf.v2('person', 7, i, add), f),
    });
  }

  /** Organization i as `/api/v2/organizations` returns it (`raw`: before mutations changed its fields). */
  organization(i: number, raw = false): Rec {
    const w = this.w;
    const e = w.entity('organizations');
    const f = raw ? undefined : e.fields(i);
    const r = this.rng('organizations', i);
    const add = e.addSec(i);
    const name = this.orgName(i);
    const address = r.chance(0.8) ? makeAddress(r) : undefined;
    if (address) address['formatted_address'] = address['value'] ?? null;
    return S.organization({
      id: i + 1,
      name: str(f?.['name']) ?? name,
      owner_id: num(f?.['owner_id']) ?? this.ix(6, i, 22, 'users') + 1,
      add_time: isoZ(add),
      update_time: isoZ(e.updSec(i)),
      is_deleted: false,
      visible_to: 3,
      address,
      label_ids: r.chance(0.2) ? [r.int(1, 3)] : [],
      website: r.chance(0.6) ? `https://www.${name.split(' ')[0]!.toLowerCase()}${i + 1}.example` : null,
      linkedin: null,
      industry: r.chance(0.5) ? r.int(1, 20) : null,
      annual_revenue: r.chance(0.3) ? r.int(1, 500) * 100000 : null,
      employee_count: r.chance(0.5) ? r.int(2, 5000) : null,
      custom_fields: withCustom(w.cf.v2('organization', 6, i, add), f),
    });
  }

  product(i: number): Rec {
    const w = this.w;
    const e = w.entity('products');
    const r = this.rng('products', i);
    const add = e.addSec(i);
    const price = this.productPrice(i);
    const freq = r.pick(['one-time', 'one-time', 'monthly', 'annually'] as const);
    return S.product({
      id: i + 1,
      name: this.productName(i),
      code: `SKU-${String(i + 1).padStart(5, '0')}`,
      unit: r.pick(['pcs', 'seat', 'hour', 'license']),
      tax: r.pick([0, 9, 20, 22]),
      is_deleted: false,
      is_linkable: true,
      visible_to: 3,
      owner_id: this.ix(8, i, 22, 'users') + 1,
      add_time: isoZ(add),
      update_time: isoZ(e.updSec(i)),
      description: `${this.productName(i)} for teams`,
      category: r.chance(0.5) ? r.pick(['Software', 'Services', 'Hardware']) : null,
      custom_fields: w.cf.v2('product', 8, i, add),
      billing_frequency: freq,
      billing_frequency_cycles: null,
      prices: [{ product_id: i + 1, price, currency: 'EUR', cost: Math.round(price * 40) / 100, direct_cost: null, notes: '' }],
    });
  }

  pipeline(i: number): Rec {
    const e = this.w.entity('pipelines');
    return S.pipeline({
      id: i + 1,
      name: PIPELINE_NAMES[i] ?? `Pipeline ${i + 1}`,
      order_nr: i + 1,
      is_deleted: false,
      is_deal_probability_enabled: i % 2 === 0,
      add_time: isoZ(e.addSec(i)),
      update_time: isoZ(e.updSec(i)),
    });
  }

  stagePipeline(i: number): number {
    return i < this.n('stages') ? Math.floor(i / STAGES_PER_PIPELINE) : 0;
  }

  stage(i: number): Rec {
    const e = this.w.entity('stages');
    const k = i % STAGES_PER_PIPELINE;
    return S.stage({
      id: i + 1,
      order_nr: k + 1,
      name: STAGE_NAMES[k] ?? `Stage ${k + 1}`,
      is_deleted: false,
      deal_probability: (k + 1) * 20,
      pipeline_id: this.stagePipeline(i) + 1,
      is_deal_rot_enabled: k > 2,
      days_to_rotten: k > 2 ? 30 : null,
      add_time: isoZ(e.addSec(i)),
      update_time: isoZ(e.updSec(i)),
    });
  }

  /** Products attached to deal di (ids di*4+j+1). */
  dealProducts(di: number): Rec[] {
    const n = this.w.dealProductCount(di);
    if (n === 0) return [];
    const e = this.w.entity('deals');
    const dAdd = e.addSec(di);
    const dUpd = this.dealBaseUpd(di);
    const out: Rec[] = [];
    for (let j = 0; j < n; j++) {
      const r = new Rng(this.w.seed, 40, di * 4 + j);
      const pi = this.ix(40, di * 4 + j, 1, 'products');
      const add = dAdd + Math.floor((dUpd - dAdd) * r.next() * 0.5);
      const upd = add + Math.floor((dUpd - add) * r.next());
      const qty = r.int(1, 20);
      const price = this.productPrice(pi);
      const tax = r.pick([0, 20]);
      const discount = r.chance(0.2) ? r.int(5, 20) : 0;
      const net = Math.round(qty * price * (1 - discount / 100) * 100) / 100;
      out.push(
        S.dealProduct({
          id: di * 4 + j + 1,
          sum: net,
          tax,
          deal_id: di + 1,
          name: this.productName(pi),
          product_id: pi + 1,
          product_variation_id: null,
          order_nr: j + 1,
          add_time: isoZ(add),
          update_time: isoZ(upd),
          comments: '',
          currency: this.dealCurrency(di),
          discount,
          discount_type: 'percentage',
          quantity: qty,
          item_price: price,
          tax_method: 'inclusive',
          is_enabled: true,
          billing_frequency: 'one-time',
          billing_frequency_cycles: null,
          billing_start_date: null,
        }),
      );
    }
    return out;
  }

  /** Installments of deal di (ids di*4+j+1). */
  dealInstallments(di: number): Rec[] {
    const n = this.w.dealInstallmentCount(di);
    const out: Rec[] = [];
    const add = this.w.entity('deals').addSec(di);
    for (let j = 0; j < n; j++) {
      const r = new Rng(this.w.seed, 41, di * 4 + j);
      out.push(
        S.installment({
          id: di * 4 + j + 1,
          amount: r.money(100, 5000),
          billing_date: ymd(add + (j + 1) * 30 * 86400),
          description: `Installment ${j + 1}`,
          deal_id: di + 1,
        }),
      );
    }
    return out;
  }

  board(i: number): Rec {
    const e = this.w.entity('boards');
    return S.board({ id: i + 1, name: BOARD_NAMES[i] ?? `Board ${i + 1}`, order_nr: i + 1, add_time: isoZ(e.addSec(i)), update_time: isoZ(e.updSec(i)) });
  }

  phaseBoard(i: number): number {
    return i < this.n('phases') ? Math.floor(i / PHASES_PER_BOARD) : 0;
  }

  phase(i: number): Rec {
    const e = this.w.entity('phases');
    const k = i % PHASES_PER_BOARD;
    return S.phase({
      id: i + 1,
      name: PHASE_NAMES[k] ?? `Phase ${k + 1}`,
      board_id: this.phaseBoard(i) + 1,
      order_nr: k + 1,
      add_time: isoZ(e.addSec(i)),
      update_time: isoZ(e.updSec(i)),
    });
  }

  projectPhase(i: number): number {
    return this.ix(16, i, 20, 'phases');
  }

  projectStatus(i: number): string {
    const r = this.w.u(16, i, 21);
    return r < 0.6 ? 'open' : r < 0.9 ? 'completed' : 'canceled';
  }

  project(i: number): Rec {
    const w = this.w;
    const e = w.entity('projects');
    const r = this.rng('projects', i);
    const add = e.addSec(i);
    const upd = e.updSec(i);
    const phase = this.projectPhase(i);
    const archived = w.projectArchived(i);
    const deal = this.ix(16, i, 22, 'deals');
    return S.project({
      id: i + 1,
      title: `${this.dealTitle(deal)} project`,
      description: 'Delivery project',
      status: this.projectStatus(i),
      board_id: this.phaseBoard(phase) + 1,
      phase_id: phase + 1,
      owner_id: this.ix(16, i, 23, 'users') + 1,
      start_date: ymd(add),
      end_date: ymd(add + r.int(30, 180) * 86400),
      deal_ids: this.n('deals') > 0 ? [deal + 1] : [],
      person_ids: [this.dealPerson(deal) + 1],
      org_ids: [this.dealOrg(deal) + 1],
      label_ids: [],
      health_status: r.chance(0.5) ? r.int(1, 3) : null,
      add_time: isoZ(add),
      update_time: isoZ(upd),
      status_change_time: isoZ(add + Math.floor((upd - add) / 2)),
      archive_time: archived ? isoZ(upd) : null,
      custom_fields: w.cf.v2('project', 16, i, add),
    });
  }

  projectTemplate(i: number): Rec {
    const e = this.w.entity('project_templates');
    return S.projectTemplate({
      id: i + 1,
      title: `Template ${i + 1}: ${pick(BOARD_NAMES, i)}`,
      description: 'Standard project plan',
      projects_board_id: (i % Math.max(1, this.n('boards'))) + 1,
      owner_id: (i % Math.max(1, this.n('users'))) + 1,
      add_time: isoZ(e.addSec(i)),
      update_time: isoZ(e.updSec(i)),
    });
  }

  task(i: number): Rec {
    const e = this.w.entity('tasks');
    const r = this.rng('tasks', i);
    const add = e.addSec(i);
    const upd = e.updSec(i);
    const done = r.chance(0.4);
    const parent = i > 0 && r.chance(0.2) ? r.int(0, i - 1) : null;
    return S.task({
      id: i + 1,
      title: r.pick(['Kick-off', 'Collect requirements', 'Configure pipelines', 'Import data', 'Training', 'Go-live check']),
      creator_id: this.ix(17, i, 20, 'users') + 1,
      description: r.chance(0.5) ? 'See project plan' : null,
      project_id: this.ix(17, i, 21, 'projects') + 1,
      is_done: done,
      is_milestone: r.chance(0.1),
      due_date: r.chance(0.7) ? ymd(add + r.int(3, 60) * 86400) : null,
      start_date: r.chance(0.5) ? ymd(add) : null,
      parent_task_id: parent !== null ? parent + 1 : null,
      assignee_ids: [this.ix(17, i, 22, 'users') + 1],
      priority: r.chance(0.5) ? r.int(1, 3) : null,
      add_time: isoZ(add),
      update_time: isoZ(upd),
      marked_as_done_time: done ? isoZ(upd) : null,
    });
  }

  /** Field definitions of a v2 `*Fields` endpoint: system fields of the record schema, then custom fields. */
  v2Fields(recordTree: FieldNode, custom: CustomField[], withDescription: boolean, include: readonly string[], entity = ''): Rec[] {
    const out: Rec[] = [];
    const extra = (o: Rec): Rec => {
      const node = recordNode('v2', '/dealFields').p!;
      for (const k of include) if (node[k]) o[k] = namespaceDefault(k);
      return o;
    };
    for (const [k, n] of Object.entries(recordTree.p ?? {})) {
      if (k === 'custom_fields') continue;
      const options = systemOptions(k, entity);
      const plain = systemFieldType(k, Array.isArray(n.t) ? n.t[0]! : n.t);
      const type = options && (plain === 'varchar' || plain === 'int') ? 'enum' : plain;
      out.push(
        S.v2Field(
          extra({
            field_name: k === 'id' ? 'ID' : titleCase(k),
            field_code: k,
            description: withDescription ? `The ${titleCase(k).toLowerCase()}` : undefined,
            field_type: type,
            options,
            subfields: subfieldsV2(type, titleCase(k)),
            is_custom_field: false,
            is_optional_response_field: false,
          }),
        ),
      );
    }
    for (const f of custom) {
      out.push(
        S.v2Field(
          extra({
            field_name: f.name,
            field_code: f.key,
            description: withDescription ? '' : undefined,
            field_type: f.type,
            options: f.options ? f.options.map((o) => ({ id: o.id, label: o.label, color: o.color, update_time: null, add_time: null })) : null,
            subfields: subfieldsV2(f.type, f.name),
            is_custom_field: true,
            is_optional_response_field: false,
          }),
        ),
      );
    }
    return out;
  }

  // --- API v1 --------------------------------------------------------------------------------

  activityType(i: number): Rec {
    const e = this.w.entity('activity_types');
    const t = ACTIVITY_TYPES[i] ?? [`Type ${i + 1}`, `type_${i + 1}`, 'task', true];
    return S.activityType({
      id: i + 1,
      name: t[0],
      icon_key: t[2],
      color: t[3] ? '2F81B7' : 'FFFFFF',
      order_nr: i + 1,
      key_string: t[1],
      active_flag: true,
      is_custom_flag: t[3],
      add_time: v1Time(e.addSec(i)),
      update_time: v1Time(e.updSec(i)),
    });
  }

  callLog(i: number): Rec {
    const e = this.w.entity('call_logs');
    const r = this.rng('call_logs', i);
    const start = e.addSec(i);
    const dur = r.int(0, 1800);
    const deal = r.chance(0.6) ? this.ix(14, i, 20, 'deals') : null;
    const person = deal !== null ? this.dealPerson(deal) : this.ix(14, i, 21, 'persons');
    const org = deal !== null ? this.dealOrg(deal) : this.personOrg(person);
    return S.callLog({
      user_id: this.ix(14, i, 22, 'users') + 1,
      activity_id: this.ix(14, i, 23, 'activities') + 1,
      subject: `Call with ${this.personName(person)}`,
      duration: String(dur),
      outcome: r.pick(['connected', 'connected', 'no_answer', 'left_message', 'left_voicemail', 'wrong_number', 'busy']),
      from_phone_number: `+372 6${r.int(100000, 999999)}`,
      to_phone_number: `+372 5${r.int(100000, 999999)}`,
      start_time: v1Time(start),
      end_time: v1Time(Math.min(this.w.endSec, start + dur)),
      person_id: person + 1,
      org_id: org !== null ? org + 1 : undefined,
      deal_id: deal !== null ? deal + 1 : undefined,
      note: r.chance(0.5) ? '<p>Discussed next steps.</p>' : '',
      id: this.w.idOf('call_logs', i),
      has_recording: r.chance(0.2),
      company_id: 7000001,
    });
  }

  currency(k: number): Rec {
    const c = CURRENCY_LIST[k]!;
    return S.currency({ id: k + 1, code: c[0], name: c[1], decimal_points: c[2], symbol: c[3], active_flag: true, is_custom_flag: false });
  }

  /** What file i is attached to (its first seeded value). */
  fileLinks(i: number): { r: Rng; deal: number | null; person: number | null; org: number | null; product: number | null } {
    const r = this.rng('files', i);
    const kind = r.int(0, 3);
    const deal = kind === 0 ? this.ix(13, i, 20, 'deals') : null;
    const person = kind === 1 ? this.ix(13, i, 21, 'persons') : deal !== null ? this.dealPerson(deal) : null;
    const org = kind === 2 ? this.ix(13, i, 22, 'organizations') : deal !== null ? this.dealOrg(deal) : null;
    const product = kind === 3 ? this.ix(13, i, 23, 'products') : null;
    return { r, deal, person, org, product };
  }

  file(i: number): Rec {
    const e = this.w.entity('files');
    const { r, deal, person, org, product } = this.fileLinks(i);
    const ext = r.pick(['pdf', 'docx', 'png', 'xlsx']);
    const fileName = `${r.pick(['proposal', 'contract', 'invoice', 'screenshot', 'pricing'])}_${i + 1}.${ext}`;
    return S.file({
      id: i + 1,
      user_id: this.ix(13, i, 24, 'users') + 1,
      deal_id: deal !== null ? deal + 1 : undefined,
      person_id: person !== null ? person + 1 : undefined,
      org_id: org !== null ? org + 1 : undefined,
      product_id: product !== null ? product + 1 : undefined,
      add_time: v1Time(e.addSec(i)),
      update_time: v1Time(e.updSec(i)),
      file_name: fileName,
      file_size: r.int(2000, 9000000),
      active_flag: true,
      inline_flag: false,
      remote_location: 's3',
      remote_id: '',
      cid: '',
      s3_bucket: '',
      mail_message_id: '',
      mail_template_id: '',
      deal_name: deal !== null ? this.dealTitle(deal) : '',
      person_name: person !== null ? this.personName(person) : '',
      org_name: org !== null ? this.orgName(org) : '',
      product_name: product !== null ? this.productName(product) : '',
      lead_name: '',
      project_name: '',
      url: `${this.companyUrl}/v1/files/${i + 1}/download`,
      name: fileName,
      description: '',
      file_type: ext === 'png' ? 'img' : ext,
      // Sent by real accounts, not in the OpenAPI schema.
      log_id: null,
      people_name: person !== null ? this.personName(person) : '',
    });
  }

  filterType(i: number): string {
    return pick(['deals', 'leads', 'org', 'people', 'products', 'activity', 'projects'], i);
  }

  filter(i: number): Rec {
    const e = this.w.entity('filters');
    const r = this.rng('filters', i);
    const type = this.filterType(i);
    return S.filter({
      id: i + 1,
      name: `${r.pick(['All open', 'My', 'Hot', 'Stale', 'New this month'])} ${type}`,
      filter_code: null,
      is_editable: true,
      active_flag: true,
      type,
      temporary_flag: null,
      user_id: (i % Math.max(1, this.n('users'))) + 1,
      add_time: v1Time(e.addSec(i)),
      update_time: v1Time(e.updSec(i)),
      visible_to: r.pick(['1', '3', '7']),
      last_used_time: r.chance(0.5) ? v1Time(e.updSec(i)) : null,
      custom_view_id: null,
    });
  }

  goal(i: number): Rec {
    const r = this.rng('goals', i);
    const start = this.w.nowSec - 180 * 86400;
    return S.goal({
      id: this.w.idOf('goals', i),
      owner_id: 1,
      title: `${r.pick(['Q', 'H'])}${r.int(1, 4)} ${r.pick(['deals won', 'activities completed', 'deals started'])}`,
      type: { name: r.pick(['deals_won', 'activities_completed', 'deals_started']), params: { pipeline_id: [1], activity_type_id: [] } },
      assignee: { id: (i % Math.max(1, this.n('users'))) + 1, type: 'person' },
      interval: r.pick(['weekly', 'monthly', 'quarterly']),
      duration: { start: ymd(start), end: ymd(start + 365 * 86400) },
      // `currency_id` (sum goals only): sent by real accounts, not in the OpenAPI response schema.
      expected_outcome: this.w.u(20, i, 30) < 0.5 ? { target: r.int(5, 100), tracking_metric: 'quantity' } : { target: r.int(5, 100) * 1000, tracking_metric: 'sum', currency_id: 1 },
      is_active: true,
      report_ids: [],
    });
  }

  leadLabel(i: number): Rec {
    const e = this.w.entity('lead_labels');
    const l = LEAD_LABELS[i % LEAD_LABELS.length]!;
    return S.leadLabel({
      id: this.w.idOf('lead_labels', i),
      name: i < LEAD_LABELS.length ? l[0] : `${l[0]} ${i + 1}`,
      color: l[1],
      add_time: isoMs(e.addSec(i)),
      update_time: isoMs(e.updSec(i)),
    });
  }

  lead(i: number): Rec {
    const w = this.w;
    const e = w.entity('leads');
    const r = this.rng('leads', i);
    const add = e.addSec(i);
    const person = r.chance(0.8) ? this.ix(12, i, 20, 'persons') : null;
    const org = person !== null ? this.personOrg(person) : this.ix(12, i, 21, 'organizations');
    const labels = this.n('lead_labels');
    const rec: Rec = {
      id: w.idOf('leads', i),
      title: `${person !== null ? this.personName(person) : this.orgName(org!)} lead`,
      owner_id: this.ix(12, i, 22, 'users') + 1,
      creator_id: this.ix(12, i, 23, 'users') + 1,
      label_ids: labels > 0 && r.chance(0.4) ? [w.idOf('lead_labels', r.int(0, labels - 1))] : [],
      person_id: person !== null ? person + 1 : null,
      organization_id: org !== null ? org + 1 : null,
      source_name: r.pick(['Manually created', 'Web forms', 'Import', 'API']),
      origin: 'ManuallyCreated',
      origin_id: null,
      channel: null,
      channel_id: null,
      source_deal_id: null,
      is_archived: w.leadArchived(i),
      was_seen: r.chance(0.7),
      value: r.chance(0.6) ? { amount: r.int(1, 100) * 100, currency: r.pick(['EUR', 'USD']) } : null,
      expected_close_date: r.chance(0.4) ? ymd(add + r.int(10, 90) * 86400) : null,
      next_activity_id: null,
      add_time: isoMs(add),
      update_time: isoMs(e.updSec(i)),
      visible_to: '3',
      cc_email: `company+1+lead${String(w.idOf('leads', i)).slice(0, 8)}@emulated.pipedrivemail.com`,
    };
    w.cf.v1('deal', 12, i, add, rec);
    return S.lead(rec);
  }

  legacyTeam(i: number): Rec {
    const e = this.w.entity('legacy_teams');
    const users = this.n('users');
    const members: number[] = [];
    for (let u = 0; u < users; u++) if (u % Math.max(1, this.n('legacy_teams')) === i) members.push(u + 1);
    return S.legacyTeam({
      id: i + 1,
      name: `${pick(['Closers', 'Hunters', 'Farmers', 'Nordics', 'DACH', 'Iberia'], i)}${i >= 6 ? ` ${i + 1}` : ''}`,
      description: 'Sales team',
      manager_id: members[0] ?? 1,
      users: members,
      active_flag: 1,
      deleted_flag: 0,
      add_time: v1Time(e.addSec(i)),
      created_by_user_id: 1,
    });
  }

  private party(personI: number, t: number, id: number, latest: boolean): Rec {
    return {
      id,
      name: this.personName(personI),
      latest_sent: latest,
      email_address: this.personEmail(personI),
      message_time: t * 1000,
      linked_person_id: personI + 1,
      linked_person_name: this.personName(personI),
      mail_message_party_id: id,
      linked_organization_id: null,
    };
  }

  private userParty(ui: number, t: number, id: number, latest: boolean): Rec {
    return {
      id,
      name: this.userName(ui),
      latest_sent: latest,
      email_address: this.userEmail(ui),
      message_time: t * 1000,
      linked_person_id: 0,
      linked_person_name: '',
      mail_message_party_id: id,
      linked_organization_id: null,
    };
  }

  /** Times of the messages of mail thread ti (ascending; the last at the thread's update time). */
  mailTimes(ti: number): number[] {
    const e = this.w.entity('mail_threads');
    const add = e.addSec(ti);
    const upd = e.updSec(ti);
    const n = this.w.mailMessageCount(ti);
    const out: number[] = [];
    for (let j = 0; j < n; j++) out.push(n === 1 ? upd : add + Math.floor(((upd - add) * j) / (n - 1)));
    return out;
  }

  /** The deal mail thread i is linked to (its first seeded value), or null. */
  mailThreadDeal(i: number, r: Rng = this.rng('mail_threads', i)): number | null {
    return r.chance(0.4) ? this.ix(15, i, 22, 'deals') : null;
  }

  /** The person mail thread i is with. */
  mailThreadPerson(i: number): number {
    return this.ix(15, i, 20, 'persons');
  }

  mailThread(i: number): Rec {
    const w = this.w;
    const e = w.entity('mail_threads');
    const r = this.rng('mail_threads', i);
    const folder = w.mailFolder(i);
    const times = this.mailTimes(i);
    const person = this.ix(15, i, 20, 'persons');
    const user = this.ix(15, i, 21, 'users');
    const first = times[0]!;
    const last = times[times.length - 1]!;
    const sent = folder === 'sent';
    const deal = this.mailThreadDeal(i, r);
    const subject = `${r.pick(['Re: ', '', 'Fwd: '])}${r.pick(['Proposal', 'Meeting notes', 'Pricing question', 'Contract', 'Intro'])}`;
    return S.mailThread({
      id: i + 1,
      account_id: `acc${(user + 1).toString(16).padStart(6, '0')}`,
      user_id: user + 1,
      subject,
      snippet: 'Hi, following up on our conversation…',
      read_flag: r.chance(0.8) ? 1 : 0,
      mail_tracking_status: null,
      has_attachments_flag: 0,
      has_inline_attachments_flag: 0,
      has_real_attachments_flag: 0,
      deleted_flag: 0,
      synced_flag: 1,
      smart_bcc_flag: 0,
      mail_link_tracking_enabled_flag: 0,
      parties: {
        to: [sent ? this.party(person, last, (i + 1) * 10 + 1, false) : this.userParty(user, last, (i + 1) * 10 + 1, false)],
        from: [sent ? this.userParty(user, last, (i + 1) * 10 + 2, true) : this.party(person, last, (i + 1) * 10 + 2, true)],
      },
      drafts_parties: [],
      folders: [folder],
      version: 1,
      snippet_draft: folder === 'drafts' ? 'Draft reply…' : null,
      snippet_sent: sent ? 'Hi, following up…' : '',
      message_count: times.length,
      has_draft_flag: folder === 'drafts' ? 1 : 0,
      has_sent_flag: sent ? 1 : 0,
      archived_flag: folder === 'archive' ? 1 : 0,
      shared_flag: 0,
      external_deleted_flag: 0,
      first_message_to_me_flag: sent ? 0 : 1,
      last_message_timestamp: isoMs(last),
      first_message_timestamp: isoMs(first),
      last_message_sent_timestamp: sent ? isoMs(last) : null,
      last_message_received_timestamp: isoMs(sent ? first : last),
      add_time: isoMs(e.addSec(i)),
      update_time: isoMs(e.updSec(i)),
      deal_id: deal !== null ? deal + 1 : null,
      deal_status: deal !== null ? w.dealStatus(deal) : null,
      lead_id: null,
      all_messages_sent_flag: sent ? 1 : 0,
    });
  }

  /** Messages of mail thread ti (ids (ti+1)*8+j). */
  mailMessages(ti: number): Rec[] {
    const w = this.w;
    const times = this.mailTimes(ti);
    const person = this.ix(15, ti, 20, 'persons');
    const user = this.ix(15, ti, 21, 'users');
    const folder = w.mailFolder(ti);
    const out: Rec[] = [];
    for (let j = 0; j < times.length; j++) {
      const t = times[j]!;
      const outgoing = folder === 'sent' ? j % 2 === 0 : j % 2 === 1;
      const id = (ti + 1) * 8 + j;
      out.push(
        S.mailMessage({
          id,
          account_id: `acc${(user + 1).toString(16).padStart(6, '0')}`,
          user_id: user + 1,
          subject: j === 0 ? 'Proposal' : 'Re: Proposal',
          snippet: outgoing ? 'Thanks, attached is the updated offer.' : 'Could you send the pricing?',
          read_flag: 1,
          mail_tracking_status: null,
          has_attachments_flag: 0,
          has_inline_attachments_flag: 0,
          has_real_attachments_flag: 0,
          deleted_flag: 0,
          synced_flag: 1,
          smart_bcc_flag: 0,
          mail_link_tracking_enabled_flag: 0,
          from: [outgoing ? this.userParty(user, t, id * 10 + 1, true) : this.party(person, t, id * 10 + 1, true)],
          to: [outgoing ? this.party(person, t, id * 10 + 2, false) : this.userParty(user, t, id * 10 + 2, false)],
          cc: [],
          bcc: [],
          body_url: `https://mail-bodies.emulated-company.example/${id}.html`,
          mail_thread_id: ti + 1,
          draft: null,
          has_body_flag: 1,
          sent_flag: outgoing ? 1 : 0,
          sent_from_pipedrive_flag: outgoing ? 1 : 0,
          message_time: isoMs(t),
          add_time: isoMs(t),
          update_time: isoMs(t),
        }),
      );
    }
    return out;
  }

  /** What note i is attached to (its first seeded value). */
  noteLinks(i: number): { r: Rng; deal: number | null; person: number | null; org: number | null } {
    const r = this.rng('notes', i);
    const kind = r.next();
    const deal = kind < 0.5 ? this.ix(11, i, 20, 'deals') : null;
    const person = deal !== null ? this.dealPerson(deal) : kind < 0.8 ? this.ix(11, i, 21, 'persons') : null;
    const org = deal !== null ? this.dealOrg(deal) : person !== null ? this.personOrg(person) : this.ix(11, i, 22, 'organizations');
    return { r, deal, person, org };
  }

  note(i: number): Rec {
    const e = this.w.entity('notes');
    const { r, deal, person, org } = this.noteLinks(i);
    const user = this.ix(11, i, 23, 'users');
    return S.note({
      id: i + 1,
      active_flag: true,
      add_time: v1Time(e.addSec(i)),
      content: `<p>${pick(NOTE_TEXTS, r.int(0, 99))}</p>`,
      deal: deal !== null ? { title: this.dealTitle(deal) } : undefined,
      deal_id: deal !== null ? deal + 1 : undefined,
      last_update_user_id: user + 1,
      org_id: org !== null ? org + 1 : undefined,
      organization: org !== null ? { name: this.orgName(org) } : undefined,
      person: person !== null ? { name: this.personName(person) } : undefined,
      person_id: person !== null ? person + 1 : undefined,
      pinned_to_deal_flag: deal !== null && r.chance(0.2),
      pinned_to_organization_flag: false,
      pinned_to_person_flag: false,
      pinned_to_project_flag: false,
      pinned_to_task_flag: false,
      update_time: v1Time(e.updSec(i)),
      user: { email: this.userEmail(user), icon_url: '', is_you: user === 0, name: this.userName(user) },
      user_id: user + 1,
      // Sent by real accounts, not in the OpenAPI schema (the lead's title, like `deal`).
      lead: null,
    });
  }

  /** Permission set indices assigned to user u (one per app the user has). */
  userSets(u: number): number[] {
    const admin = u === 0 || this.w.u(1, u, 30) < 0.15;
    const sets = [admin ? 0 : 1, admin ? 2 : 3];
    if (u % 3 === 0) sets.push(admin ? 4 : 5);
    return sets;
  }

  permissionSetAssignments(s: number): Rec[] {
    const e = this.w.entity('users');
    const out: Rec[] = [];
    const p = PERMISSION_SETS[s % PERMISSION_SETS.length]!;
    for (const u of e.all()) {
      if (!this.userSets(u).includes(s)) continue;
      // permission_set_app / _type: sent by real accounts, not in the OpenAPI schema.
      out.push(S.assignment({ user_id: u + 1, permission_set_id: this.w.idOf('permission_sets', s), name: p[0], permission_set_app: p[1], permission_set_type: p[2] }));
    }
    return out;
  }

  permissionSet(s: number): Rec {
    const p = PERMISSION_SETS[s % PERMISSION_SETS.length]!;
    return S.permissionSet({
      id: this.w.idOf('permission_sets', s),
      name: s < PERMISSION_SETS.length ? p[0] : `${p[0]} ${s + 1}`,
      description: `${p[2] === 'admin' ? 'Manage' : 'Use'} ${p[1]} features`,
      app: p[1],
      type: p[2],
      assignment_count: this.permissionSetAssignments(s).length,
    });
  }

  userRole(u: number): number {
    return u % Math.max(1, this.n('roles'));
  }

  role(i: number): Rec {
    const users = [...this.w.entity('users').all()];
    const roles = this.n('roles');
    return S.role({
      parent_role_id: i === 0 ? null : 1,
      name: i === 0 ? 'Management' : `${pick(['Sales', 'Support', 'Marketing', 'Finance', 'Operations'], i - 1)}${i > 5 ? ` ${i}` : ''}`,
      id: i + 1,
      active_flag: true,
      assignment_count: String(users.filter((u) => this.userRole(u) === i).length),
      sub_role_count: String(i === 0 ? Math.max(0, roles - 1) : 0),
      level: i === 0 ? 1 : 2,
      // Sent by real accounts, not in the OpenAPI schema.
      description: i === 0 ? 'Company management' : '',
    });
  }

  user(u: number): Rec {
    const e = this.w.entity('users');
    const sets = this.userSets(u);
    const upd = e.updSec(u);
    return S.user({
      id: u + 1,
      name: this.userName(u),
      default_currency: 'EUR',
      locale: 'en_US',
      lang: 1,
      email: this.userEmail(u),
      phone: null,
      activated: true,
      last_login: v1Time(upd),
      created: v1Time(e.addSec(u)),
      modified: v1Time(upd),
      has_created_company: u === 0,
      access: sets.map((s) => ({ app: PERMISSION_SETS[s]![1], admin: PERMISSION_SETS[s]![2] === 'admin', permission_set_id: this.w.idOf('permission_sets', s) })),
      active_flag: true,
      timezone_name: 'Europe/Tallinn',
      timezone_offset: '+02:00',
      role_id: this.userRole(u) + 1,
      icon_url: null,
      is_you: u === 0,
      is_deleted: false,
      // Sent by real accounts, not in the OpenAPI schema.
      is_admin: this.userSets(u).includes(2) ? 1 : 0,
      signup_flow_variation: u === 0 ? 'signup' : 'invite',
    });
  }

  /** `/users/me`: the first user (the one the credentials belong to) with company details. */
  userMe(): Rec {
    return S.userMe({
      ...this.user(0),
      company_id: 7000001,
      company_name: 'Emulated Company',
      company_domain: 'emulated-company',
      company_country: 'EE',
      company_industry: 'Software',
      language: { language_code: 'en', country_code: 'US' },
    });
  }

  /** Change log (flow) of deal di, newest first: its field history (`changelog.ts`) as `dealChange` updates. */
  dealFlow(di: number): Rec[] {
    const out: Rec[] = [];
    const entries = history(this.w, this, 'deals', di);
    for (let k = entries.length - 1; k >= 0; k--) {
      const c = entries[k]!;
      out.push({
        object: 'dealChange',
        timestamp: v1Time(c.t),
        data: {
          id: c.id,
          item_id: di + 1,
          user_id: c.user,
          field_key: c.field,
          old_value: c.old,
          new_value: c.nu,
          is_bulk_update_flag: c.bulk,
          log_time: v1Time(c.t),
          change_source: c.source,
          change_source_user_agent: c.agent,
          additional_data: [],
        },
      });
    }
    return out;
  }

  /** v1 lead fields: lead system fields, then the deal custom fields (leads share them). */
  leadFields(): Rec[] {
    const w = this.w;
    const setup = w.entity('users').addSec(0);
    const out: Rec[] = [];
    let order = 1;
    const leadTree = recordNode('v1', '/leads');
    for (const [k, n] of Object.entries(leadTree.p ?? {})) {
      const t = systemFieldType(k, Array.isArray(n.t) ? n.t[0]! : n.t);
      out.push(
        S.leadField({
          id: order,
          key: k,
          name: k === 'id' ? 'ID' : titleCase(k),
          order_nr: order++,
          field_type: t === 'status' || t === 'visible_to' ? 'enum' : t === 'set' ? 'set' : fieldTypeV1(t),
          add_time: v1Time(setup),
          update_time: v1Time(setup),
          last_updated_by_user_id: null,
          created_by_user_id: null,
          active_flag: true,
          edit_flag: false,
          index_visible_flag: true,
          details_visible_flag: true,
          add_visible_flag: k === 'title',
          important_flag: false,
          bulk_edit_allowed: k !== 'id',
          searchable_flag: k === 'title',
          filtering_allowed: true,
          sortable_flag: true,
          mandatory_flag: k === 'title',
          options: null,
        }),
      );
    }
    for (const f of w.cf.list('deal')) {
      const id = order;
      const rec: Rec = {
        id,
        key: f.key,
        name: f.name,
        order_nr: order++,
        field_type: f.type,
        add_time: v1Time(setup + f.j * 3600),
        update_time: v1Time(f.renamedAt ?? setup + f.j * 3600),
        last_updated_by_user_id: 1,
        created_by_user_id: 1,
        active_flag: true,
        edit_flag: true,
        index_visible_flag: true,
        details_visible_flag: true,
        add_visible_flag: true,
        important_flag: false,
        bulk_edit_allowed: true,
        searchable_flag: false,
        filtering_allowed: true,
        sortable_flag: true,
        mandatory_flag: false,
        options: f.options ? f.options.map((o) => ({ id: o.id, label: o.label, color: o.color })) : null,
      };
      if (f.type === 'monetary') {
        rec['subfields'] = [{ key: `${f.key}_currency`, name: `Currency of ${f.name}`, field_type: 'varchar' }];
      } else if (f.type === 'address') {
        rec['subfields'] = [...ADDRESS_SUBFIELDS, 'formatted_address'].map((s) => ({ key: `${f.key}_${s}`, name: `${titleCase(s)} of ${f.name}`, field_type: 'varchar' }));
      }
      out.push(S.leadField(rec));
    }
    return out;
  }

  /** v1 note fields (system fields only). */
  noteFields(): Rec[] {
    const keys = ['id', 'content', 'deal_id', 'lead_id', 'person_id', 'org_id', 'project_id', 'user_id', 'add_time', 'update_time', 'pinned_to_deal_flag', 'pinned_to_person_flag', 'pinned_to_organization_flag'];
    return keys.map((k, j) =>
      S.noteField({
        id: j + 1,
        key: k,
        name: k === 'id' ? 'ID' : titleCase(k),
        field_type: k === 'content' ? 'text' : k.endsWith('_flag') ? 'enum' : fieldTypeV1(systemFieldType(k, 'integer')),
        active_flag: true,
        edit_flag: false,
        bulk_edit_allowed: k !== 'id',
        mandatory_flag: k === 'content',
        options: k.endsWith('_flag') ? [{ id: 0, label: 'No' }, { id: 1, label: 'Yes' }] : undefined,
      }),
    );
  }
}

/** Maps a v2 field type to the v1 enum (v1 has no `deals`/`time`-less mismatch; keep known values). */
function fieldTypeV1(t: string): string {
  const v1 = new Set(['boolean', 'double', 'int', 'json', 'date', 'daterange', 'time', 'timerange', 'text', 'varchar', 'varchar_auto', 'varchar_options', 'address', 'enum', 'monetary', 'phone', 'set', 'activity', 'deal', 'lead', 'org', 'people', 'pipeline', 'product', 'project', 'stage', 'user', 'billing_frequency', 'picture', 'price_list', 'projects_board', 'projects_phase', 'status', 'visible_to']);
  if (t === 'deals') return 'deal';
  return v1.has(t) ? t : 'varchar';
}

function subfieldsV2(type: string, name: string): Rec[] | null {
  if (type === 'monetary') {
    return [
      { field_code: 'value', field_name: `Amount of ${name}`, field_type: 'double' },
      { field_code: 'currency', field_name: `Currency of ${name}`, field_type: 'varchar' },
    ];
  }
  if (type === 'address') return ['value', ...ADDRESS_SUBFIELDS].map((s) => ({ field_code: s, field_name: `${titleCase(s)} of ${name}`, field_type: 'varchar' }));
  return null;
}

function namespaceDefault(k: string): unknown {
  switch (k) {
    case 'ui_visibility':
      return { add_visible_flag: true, details_visible_flag: true };
    case 'important_fields':
      return { enabled: false, stage_ids: [] };
    case 'required_fields':
      return { enabled: false };
    default:
      return null;
  }
}

