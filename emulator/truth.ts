/**
 * Ground truth: exactly the records a full read of each connector stream (DEVELOPERS.md stream plan)
 * must return, in API shape, plus each stream's primary key.
 */
import type { Api } from './api.js';
import { changelogRecord, history, PARENT_KEY, type ChangelogEntity } from './changelog.js';
import { CURRENCY_LIST, LEAD_SOURCES, type Rec, type Records } from './records.js';
import type { World } from './world.js';

export const PRIMARY_KEYS: Record<string, string[][]> = {
  activities: [['id']],
  activity_fields: [['field_code']],
  activity_types: [['id']],
  boards: [['id']],
  call_logs: [['id']],
  currencies: [['id']],
  deal_fields: [['field_code']],
  deal_flow: [['object'], ['data', 'id']],
  deal_installments: [['id']],
  deal_products: [['id']],
  deals: [['id']],
  deals_archived: [['id']],
  files: [['id']],
  filters: [['id']],
  goals: [['id']],
  lead_fields: [['key']],
  lead_labels: [['id']],
  lead_sources: [['name']],
  leads: [['id']],
  leads_archived: [['id']],
  legacy_teams: [['id']],
  mail: [['id']],
  mail_threads: [['id']],
  note_fields: [['key']],
  notes: [['id']],
  organization_fields: [['field_code']],
  organizations: [['id']],
  permission_set_assignments: [['user_id'], ['permission_set_id']],
  permission_sets: [['id']],
  person_fields: [['field_code']],
  persons: [['id']],
  phases: [['id']],
  pipelines: [['id']],
  product_fields: [['field_code']],
  products: [['id']],
  project_fields: [['field_code']],
  project_templates: [['id']],
  projects: [['id']],
  roles: [['id']],
  stages: [['id']],
  tasks: [['id']],
  users: [['id']],
};

/**
 * Streams the connector does not define yet, served by the emulator's ground truth for the tests of the new
 * streams (issue 14). Change logs have no entry id: within one record, a change is told apart by its time, field
 * and values (a field changed twice in one second changes from a to b, then from b to c).
 */
export const NEW_PRIMARY_KEYS: Record<string, string[][]> = {
  deal_changelog: [['deal_id'], ['time'], ['field_key'], ['old_value'], ['new_value']],
  person_changelog: [['person_id'], ['time'], ['field_key'], ['old_value'], ['new_value']],
  organization_changelog: [['organization_id'], ['time'], ['field_key'], ['old_value'], ['new_value']],
  deal_field_options: [['field_key'], ['id']],
  person_field_options: [['field_key'], ['id']],
  organization_field_options: [['field_key'], ['id']],
  product_field_options: [['field_key'], ['id']],
  activity_field_options: [['field_key'], ['id']],
};

/** The 42 streams of the plan (DEVELOPERS.md). */
export const STREAMS = Object.keys(PRIMARY_KEYS);
/** Every stream the ground truth knows: the plan's and the new ones. */
export const ALL_TRUTH_STREAMS = [...STREAMS, ...Object.keys(NEW_PRIMARY_KEYS)];

export function primaryKeyOf(stream: string): string[][] | undefined {
  return PRIMARY_KEYS[stream] ?? NEW_PRIMARY_KEYS[stream];
}

const CHANGELOG_STREAMS: Record<string, ChangelogEntity> = {
  deal_changelog: 'deals',
  person_changelog: 'persons',
  organization_changelog: 'organizations',
};

const OPTION_STREAMS: Record<string, string> = {
  deal_field_options: '/dealFields',
  person_field_options: '/personFields',
  organization_field_options: '/organizationFields',
  product_field_options: '/productFields',
  activity_field_options: '/activityFields',
};

/** One record per option of every field (custom or built-in) of a `*Fields` list that has options: the option plus `field_key`. */
export function* fieldOptions(fields: Iterable<Rec>): Generator<Rec> {
  for (const f of fields) {
    const options = f['options'];
    if (!Array.isArray(options)) continue;
    for (const o of options as Rec[]) yield { field_key: f['field_code'], ...o };
  }
}

export function* groundTruth(stream: string, w: World, r: Records, api: Api): Generator<Rec> {
  const live = (name: string): Generator<number> => w.entity(name).all();
  const log = CHANGELOG_STREAMS[stream];
  if (log) {
    // Parents as their list streams hold them: deals not archived (deleted ones included), every person / organization.
    for (const i of live(log)) {
      if (log === 'deals' && w.dealArchived(i)) continue;
      const entries = history(w, r, log, i);
      for (let k = entries.length - 1; k >= 0; k--) yield { ...changelogRecord(entries[k]!), [PARENT_KEY[log]]: i + 1 };
    }
    return;
  }
  const optionsOf = OPTION_STREAMS[stream];
  if (optionsOf) {
    yield* fieldOptions(api.fieldList(optionsOf));
    return;
  }
  switch (stream) {
    case 'activities':
      for (const i of live('activities')) yield r.activity(i);
      return;
    case 'activity_fields':
      yield* api.fieldList('/activityFields');
      return;
    case 'activity_types':
      for (const i of live('activity_types')) yield r.activityType(i);
      return;
    case 'boards':
      for (const i of live('boards')) yield r.board(i);
      return;
    case 'call_logs':
      for (const i of live('call_logs')) yield r.callLog(i);
      return;
    case 'currencies':
      for (let k = 0; k < CURRENCY_LIST.length; k++) yield r.currency(k);
      return;
    case 'deal_fields':
      yield* api.fieldList('/dealFields');
      return;
    case 'deal_flow':
      for (const i of live('deals')) if (!w.dealArchived(i)) yield* r.dealFlow(i);
      return;
    case 'deal_installments':
      for (const i of live('deals')) if (!w.dealArchived(i)) yield* r.dealInstallments(i);
      return;
    case 'deal_products':
      for (const i of live('deals')) if (!w.dealArchived(i)) yield* r.dealProducts(i);
      return;
    case 'deals':
      for (const i of live('deals')) if (!w.dealArchived(i)) yield r.deal(i);
      return;
    case 'deals_archived':
      for (const i of live('deals')) if (w.dealArchived(i)) yield r.deal(i);
      return;
    case 'files':
      for (const i of live('files')) yield r.file(i);
      return;
    case 'filters':
      for (const i of live('filters')) yield r.filter(i);
      return;
    case 'goals':
      for (const i of live('goals')) yield r.goal(i);
      return;
    case 'lead_fields':
      yield* r.leadFields();
      return;
    case 'lead_labels':
      for (const i of live('lead_labels')) yield r.leadLabel(i);
      return;
    case 'lead_sources':
      for (const name of LEAD_SOURCES) yield { name };
      return;
    case 'leads':
      for (const i of live('leads')) if (!w.leadArchived(i)) yield r.lead(i);
      return;
    case 'leads_archived':
      for (const i of live('leads')) if (w.leadArchived(i)) yield r.lead(i);
      return;
    case 'legacy_teams':
      for (const i of live('legacy_teams')) yield r.legacyTeam(i);
      return;
    case 'mail':
      for (const i of live('mail_threads')) yield* r.mailMessages(i);
      return;
    case 'mail_threads':
      for (const i of live('mail_threads')) yield r.mailThread(i);
      return;
    case 'note_fields':
      yield* r.noteFields();
      return;
    case 'notes':
      for (const i of live('notes')) yield r.note(i);
      return;
    case 'organization_fields':
      yield* api.fieldList('/organizationFields');
      return;
    case 'organizations':
      for (const i of live('organizations')) yield r.organization(i);
      return;
    case 'permission_set_assignments':
      for (const s of live('permission_sets')) yield* r.permissionSetAssignments(s);
      return;
    case 'permission_sets':
      for (const s of live('permission_sets')) yield r.permissionSet(s);
      return;
    case 'person_fields':
      yield* api.fieldList('/personFields');
      return;
    case 'persons':
      for (const i of live('persons')) yield r.person(i);
      return;
    case 'phases':
      for (const i of live('phases')) yield r.phase(i);
      return;
    case 'pipelines':
      for (const i of live('pipelines')) yield r.pipeline(i);
      return;
    case 'product_fields':
      yield* api.fieldList('/productFields');
      return;
    case 'products':
      for (const i of live('products')) yield r.product(i);
      return;
    case 'project_fields':
      yield* api.fieldList('/projectFields');
      return;
    case 'project_templates':
      for (const i of live('project_templates')) yield r.projectTemplate(i);
      return;
    case 'projects':
      for (const i of live('projects')) yield r.project(i);
      return;
    case 'roles':
      for (const i of live('roles')) yield r.role(i);
      return;
    case 'stages':
      for (const i of live('stages')) yield r.stage(i);
      return;
    case 'tasks':
      for (const i of live('tasks')) yield r.task(i);
      return;
    case 'users':
      for (const u of live('users')) yield r.user(u);
      return;
    default:
      throw new Error(`groundTruth: unknown stream '${stream}' (known: ${ALL_TRUTH_STREAMS.join(', ')})`);
  }
}
