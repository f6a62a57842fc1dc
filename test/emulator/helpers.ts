/** Shared helpers of the emulator tests: HTTP calls and a minimal reader of every planned stream. */
import type { Emulator } from '../../emulator/server.js';

export type Rec = Record<string, unknown>;

export interface Res {
  status: number;
  headers: Headers;
  // `any`: the JSON body of whichever endpoint the test calls.
  body: any;
  text: string;
}

export async function get(emu: Emulator, path: string, query: Record<string, string | number> = {}, headers: Record<string, string> = { 'x-api-token': 'emulator-token' }): Promise<Res> {
  const u = new URL(path, emu.url);
  for (const [k, v] of Object.entries(query)) u.searchParams.set(k, String(v));
  const r = await fetch(u, { headers });
  const text = await r.text();
  let body: unknown = undefined;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: r.status, headers: r.headers, body, text };
}

/** Reads all pages of a v2 cursor-paged list. */
export async function readV2(emu: Emulator, path: string, query: Record<string, string | number> = {}, limit = 500): Promise<{ records: Rec[]; pages: number }> {
  const records: Rec[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const q: Record<string, string | number> = { ...query, limit };
    if (cursor) q['cursor'] = cursor;
    const r = await get(emu, `/api/v2${path}`, q);
    if (r.status !== 200) throw new Error(`${path}: ${r.status} ${r.text}`);
    records.push(...(r.body.data as Rec[]));
    cursor = r.body.additional_data?.next_cursor ?? null;
    pages++;
  } while (cursor);
  return { records, pages };
}

/** Reads all pages of a v1 offset-paged list (`additional_data.pagination`). */
export async function readV1(emu: Emulator, path: string, query: Record<string, string | number> = {}, limit = 500, prefix = '/v1'): Promise<{ records: Rec[]; pages: number }> {
  const records: Rec[] = [];
  let start = 0;
  let pages = 0;
  for (;;) {
    const r = await get(emu, `${prefix}${path}`, { ...query, start, limit });
    if (r.status !== 200) throw new Error(`${path}: ${r.status} ${r.text}`);
    records.push(...(r.body.data as Rec[]));
    pages++;
    const p = r.body.additional_data?.pagination;
    if (!p?.more_items_in_collection) break;
    start = p.next_start;
  }
  return { records, pages };
}

/** Reads every page of a record's change log (`/v1/{entity}/{id}/changelog`, cursor paging). */
export async function readChangelog(emu: Emulator, entity: string, id: number, limit = 500): Promise<{ records: Rec[]; pages: number }> {
  const records: Rec[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const q: Record<string, string | number> = { limit };
    if (cursor) q['cursor'] = cursor;
    const r = await get(emu, `/v1/${entity}/${id}/changelog`, q);
    if (r.status !== 200) throw new Error(`${entity}/${id}/changelog: ${r.status} ${r.text}`);
    records.push(...(r.body.data as Rec[]));
    cursor = r.body.additional_data?.next_cursor ?? null;
    pages++;
  } while (cursor);
  return { records, pages };
}

/** How each planned stream is read (DEVELOPERS.md stream plan), and the new streams of issue 14. */
export async function readStream(emu: Emulator, stream: string): Promise<Rec[]> {
  const v2 = async (path: string, q: Record<string, string | number> = {}) => (await readV2(emu, path, q)).records;
  const v1 = async (path: string, q: Record<string, string | number> = {}, limit = 500) => (await readV1(emu, path, q, limit)).records;
  const one = async (path: string, q: Record<string, string | number> = {}) => {
    const r = await get(emu, path, q);
    if (r.status !== 200) throw new Error(`${path}: ${r.status} ${r.text}`);
    return r.body.data as Rec[];
  };
  const chunks = <T>(xs: T[], n: number): T[][] => Array.from({ length: Math.ceil(xs.length / n) }, (_, k) => xs.slice(k * n, k * n + n));
  switch (stream) {
    case 'activities': return v2('/activities', { sort_by: 'update_time', sort_direction: 'asc' });
    case 'activity_fields': return v2('/activityFields');
    case 'activity_types': return one('/v1/activityTypes');
    case 'boards': return one('/api/v2/boards');
    case 'call_logs': return v1('/callLogs', {}, 50);
    case 'currencies': return one('/v1/currencies');
    case 'deal_fields': return v2('/dealFields');
    case 'deal_flow': {
      const out: Rec[] = [];
      for (const d of await readStream(emu, 'deals')) out.push(...(await v1(`/deals/${String(d['id'])}/flow`)));
      return out;
    }
    case 'deal_installments':
    case 'deal_products': {
      const ids = (await readStream(emu, 'deals')).map((d) => d['id'] as number);
      const out: Rec[] = [];
      for (const c of chunks(ids, 100)) out.push(...(await v2(stream === 'deal_products' ? '/deals/products' : '/deals/installments', { deal_ids: c.join(',') })));
      return out;
    }
    case 'deals': return v2('/deals', { status: 'open,won,lost,deleted', sort_by: 'update_time', sort_direction: 'asc' });
    case 'deals_archived': return v2('/deals/archived', { status: 'open,won,lost,deleted', sort_by: 'update_time', sort_direction: 'asc' });
    case 'files': return v1('/files', {}, 100);
    case 'filters': return one('/v1/filters');
    case 'goals': {
      const r = await get(emu, '/v1/goals/find');
      return r.body.data.goals as Rec[];
    }
    case 'lead_fields': return v1('/leadFields');
    case 'lead_labels': return one('/v1/leadLabels');
    case 'lead_sources': return one('/v1/leadSources');
    case 'leads': return v1('/leads', { sort: 'update_time ASC' });
    case 'leads_archived': return v1('/leads/archived');
    case 'legacy_teams': return one('/v1/legacyTeams');
    case 'mail': {
      const out: Rec[] = [];
      for (const t of await readStream(emu, 'mail_threads')) out.push(...(await one(`/v1/mailbox/mailThreads/${String(t['id'])}/mailMessages`)));
      return out;
    }
    case 'mail_threads': {
      const out: Rec[] = [];
      for (const folder of ['inbox', 'drafts', 'sent', 'archive']) out.push(...(await v1('/mailbox/mailThreads', { folder }, 50)));
      return out;
    }
    case 'note_fields': return one('/v1/noteFields');
    case 'notes': return v1('/notes', { sort: 'update_time ASC' });
    case 'organization_fields': return v2('/organizationFields');
    case 'organizations': return v2('/organizations', { sort_by: 'update_time', sort_direction: 'asc' });
    case 'permission_set_assignments': {
      const out: Rec[] = [];
      for (const s of await readStream(emu, 'permission_sets')) out.push(...(await v1(`/permissionSets/${String(s['id'])}/assignments`)));
      return out;
    }
    case 'permission_sets': return one('/v1/permissionSets');
    case 'person_fields': return v2('/personFields');
    case 'persons': return v2('/persons', { sort_by: 'update_time', sort_direction: 'asc' });
    case 'phases': {
      const out: Rec[] = [];
      for (const b of await readStream(emu, 'boards')) out.push(...(await one('/api/v2/phases', { board_id: b['id'] as number })));
      return out;
    }
    case 'pipelines': return v2('/pipelines');
    case 'product_fields': return v2('/productFields');
    case 'products': return v2('/products', { sort_by: 'update_time', sort_direction: 'asc' });
    case 'project_fields': return v2('/projectFields');
    case 'project_templates': return v2('/projectTemplates');
    case 'projects': return [...(await v2('/projects')), ...(await v2('/projects/archived'))];
    case 'roles': return v1('/roles');
    case 'stages': return v2('/stages');
    case 'tasks': return v2('/tasks');
    case 'users': return one('/v1/users');
    case 'deal_changelog':
    case 'person_changelog':
    case 'organization_changelog': {
      const parent = stream === 'deal_changelog' ? 'deals' : stream === 'person_changelog' ? 'persons' : 'organizations';
      const key = stream === 'deal_changelog' ? 'deal_id' : stream === 'person_changelog' ? 'person_id' : 'organization_id';
      const out: Rec[] = [];
      for (const p of await readStream(emu, parent)) {
        const id = p['id'] as number;
        for (const c of (await readChangelog(emu, parent, id)).records) out.push({ ...c, [key]: id });
      }
      return out;
    }
    case 'deal_field_options':
    case 'person_field_options':
    case 'organization_field_options':
    case 'product_field_options':
    case 'activity_field_options': {
      const fields = await readStream(emu, stream.replace('_options', 's'));
      return fields.flatMap((f) => (Array.isArray(f['options']) ? (f['options'] as Rec[]).map((o) => ({ field_key: f['field_code'], ...o })) : []));
    }
    default: throw new Error(`no reader for ${stream}`);
  }
}

/** Value of a primary key path list in a record. */
export function pkOf(pk: string[][], r: Rec): string {
  return JSON.stringify(pk.map((path) => path.reduce<unknown>((o, k) => (o as Rec | undefined)?.[k], r)));
}

/** Records keyed by primary key (throws on duplicates). */
export function byPk(pk: string[][], records: Rec[]): Map<string, Rec> {
  const m = new Map<string, Rec>();
  for (const r of records) {
    const k = pkOf(pk, r);
    if (m.has(k)) throw new Error(`duplicate primary key ${k}`);
    m.set(k, r);
  }
  return m;
}
