/**
 * Ground truth: exactly the records a full read of each connector stream (DEVELOPERS.md stream plan)
 * must return, in API shape, plus each stream's primary key.
 */
import type { Api } from './api.js';
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

export const STREAMS = Object.keys(PRIMARY_KEYS);

export function* groundTruth(stream: string, w: World, r: Records, api: Api): Generator<Rec> {
  const live = (name: string): Generator<number> => w.entity(name).all();
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
      throw new Error(`groundTruth: unknown stream '${stream}' (known: ${STREAMS.join(', ')})`);
  }
}
