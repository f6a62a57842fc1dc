/**
 * Airbyte source-pipedrive 4.0.0's request pattern, replayed against the emulator (issue 13 item 5).
 *
 * Where the rules come from (airbytehq/airbyte, `airbyte-integrations/connectors/source-pipedrive/`):
 * - `AGENTS.md` (commit 0a71a00894a440043539a84a8bd1f460385ecc27), the connector's description of its
 *   `manifest.yaml` after the move to API v2: `deals`, `deals_archived`, `persons`, `organizations`, `activities`,
 *   `products` read `api/v2/<entity>` with `limit=500`, `sort_by=update_time`, `sort_direction=asc`, the v2 cursor
 *   paginator and an inclusive `updated_since` from the saved cursor; `deals`/`deals_archived` send
 *   `status=open,won,lost,deleted` and are both parents of `deal_products`, `deal_flow` and `deal_installments`;
 *   `pipelines` and `stages` are v2 but full refresh; `notes` and `leads` stay on v1 with `updated_since` and
 *   `sort=update_time ASC`; `files` has no server-side filter (client-side incremental, the whole list every sync);
 *   `filters` and `users` are unpaginated v1 lists, full refresh; `deal_flow` reads
 *   `/v1/deals/{id}/flow?items=dealChange&all_changes=1` for every deal of `deals` and `deals_archived`, filtered
 *   client-side, with per-parent state (`incremental_dependency: true`); `deal_products`, `deal_flow` and `mail`
 *   make one request per parent record and `deal_installments` batches 100 deal ids per request
 *   (`GroupingPartitionRouter`); `mailThreads` is read once per folder (`ListPartitionRouter` over inbox, drafts,
 *   sent, archive) and `mail` once per thread `mailThreads` returns (a thread in two folders twice); `deals`,
 *   `deals_archived` are cached parents (the CDK's per-sync request cache).
 * - `CONTRIBUTING.md` (commit 06f41c41210e91e328ce67dbfab051e5b49affed): the same summary, plus `mailThreads`
 *   keeps `use_cache: false`, so `mail` reads its parent again; the API token travels in a header.
 * - `unit_tests/test_streams.py` (commit 168c7b1588606f08ce3ceea444614ca5f571b52a, the 3.x manifest): v1 lists
 *   send `limit=50` (`callLogs`, `permissionSets/{id}/assignments`, `deals/{id}/flow`), `lead_sources`/`legacy_teams`
 *   are one unpaged request, `projects` reads `/api/v2/projects` and `/api/v2/projects/archived`, `tasks`
 *   `/api/v2/tasks`, 34 streams (4.0.0 adds `deals_archived`).
 * The 4.0.0 `manifest.yaml` itself is not among the stored versions the search tool holds (those are 2.x, reading
 * `/v1/recents`), so the page sizes are the statement of it: v2 lists 500 (also `projects` and `tasks`,
 * which the 3.x manifest read 100 at a time), v1 lists 50 (the `*_fields` streams are the v1 `/dealFields` … keyed by
 * `key`, 50 per page; `/v1/activityFields` has no paging in the v1 OpenAPI spec, so one request).
 *
 * Modelling choices, all in Airbyte's favour: list streams are read before their children, so a child's parent
 * read of `deals`, `deals_archived` (cached per AGENTS.md) or `permission_sets` (assumed cached) is served from the
 * cache when the same URL was already requested in the sync; `mail`'s parent read of `mailThreads` is not cached
 * (counted under `mail`). A full-refresh child (`deal_products`, `deal_installments`) reads its parents from the
 * start date, so in an incremental sync that is a second, uncached read of `deals` and `deals_archived`. Check,
 * discover and retries are not counted. Where the emulator does not serve Airbyte's endpoint, the replay asks
 * an endpoint with the same records (`served`) and charges Airbyte's endpoint's `x-token-cost` (`cost`, from
 * the OpenAPI specs: v1 `/dealFields`, `/personFields`, `/organizationFields`, `/productFields`,
 * `/activityFields` 20; v2 `/deals/{id}/products` 10); every other cost is the emulator's (`emulator/meta.json`).
 */
import http from 'node:http';
import { endpointMeta } from '../emulator/meta.js';

type Api = 'v1' | 'v2';
export type Counts = Map<string, { requests: number; tokens: number }>;

interface Endpoint {
  readonly api: Api;
  readonly path: string;
  readonly params?: Readonly<Record<string, string>>;
  /** An endpoint of the emulator with the same records, where it lacks Airbyte's. */
  readonly served?: { readonly api: Api; readonly path: string; readonly params?: Readonly<Record<string, string>> };
  /** x-token-cost of Airbyte's endpoint where emulator/meta.json does not have it. */
  readonly cost?: number;
}

interface ListStream {
  readonly name: string;
  /** This connector's stream with the same records. */
  readonly ours: string;
  readonly endpoints: readonly Endpoint[];
  /** Page size; absent: one unpaged request. */
  readonly limit?: number;
  readonly partitions?: readonly Readonly<Record<string, string>>[];
  /** Server-side incremental: `updated_since` from the saved cursor (inclusive). */
  readonly server?: { readonly cursor: string; readonly sort: Readonly<Record<string, string>> };
  /** The CDK caches it as a parent (a child's identical parent read costs nothing). */
  readonly cached?: boolean;
}

interface ChildStream {
  readonly name: string;
  readonly ours: string;
  readonly parents: readonly string[];
  readonly endpoint: Endpoint;
  readonly limit?: number;
  /** Parent ids per request (comma-separated in `param`); default one per request with `{id}` in the path. */
  readonly group?: { readonly size: number; readonly param: string };
  /** `incremental_dependency: true`: only parents the parent's incremental read returns. */
  readonly incrementalDependency?: boolean;
}

const V2_SORT = { sort_by: 'update_time', sort_direction: 'asc' };
const V1_SORT = { sort: 'update_time ASC' };
const DEAL_STATUS = { status: 'open,won,lost,deleted' };
const v1 = (path: string, params?: Record<string, string>): Endpoint => ({ api: 'v1', path, ...(params ? { params } : {}) });
const v2 = (path: string, params?: Record<string, string>): Endpoint => ({ api: 'v2', path, ...(params ? { params } : {}) });
const v1Fields = (path: string): Endpoint => ({ api: 'v1', path, served: { api: 'v2', path }, cost: 20 });

export const AIRBYTE_LISTS: readonly ListStream[] = [
  { name: 'deals', ours: 'deals', endpoints: [v2('/deals', DEAL_STATUS)], limit: 500, server: { cursor: 'update_time', sort: V2_SORT }, cached: true },
  { name: 'deals_archived', ours: 'deals_archived', endpoints: [v2('/deals/archived', DEAL_STATUS)], limit: 500, server: { cursor: 'update_time', sort: V2_SORT }, cached: true },
  { name: 'persons', ours: 'persons', endpoints: [v2('/persons')], limit: 500, server: { cursor: 'update_time', sort: V2_SORT } },
  { name: 'organizations', ours: 'organizations', endpoints: [v2('/organizations')], limit: 500, server: { cursor: 'update_time', sort: V2_SORT } },
  { name: 'activities', ours: 'activities', endpoints: [v2('/activities')], limit: 500, server: { cursor: 'update_time', sort: V2_SORT } },
  { name: 'products', ours: 'products', endpoints: [v2('/products')], limit: 500, server: { cursor: 'update_time', sort: V2_SORT } },
  { name: 'pipelines', ours: 'pipelines', endpoints: [v2('/pipelines')], limit: 500 },
  { name: 'stages', ours: 'stages', endpoints: [v2('/stages')], limit: 500 },
  { name: 'projects', ours: 'projects', endpoints: [v2('/projects'), v2('/projects/archived')], limit: 500 },
  { name: 'tasks', ours: 'tasks', endpoints: [v2('/tasks')], limit: 500 },
  { name: 'notes', ours: 'notes', endpoints: [v1('/notes')], limit: 50, server: { cursor: 'update_time', sort: V1_SORT } },
  { name: 'leads', ours: 'leads', endpoints: [v1('/leads')], limit: 50, server: { cursor: 'update_time', sort: V1_SORT } },
  { name: 'files', ours: 'files', endpoints: [v1('/files')], limit: 50 },
  { name: 'deal_fields', ours: 'deal_fields', endpoints: [v1Fields('/dealFields')], limit: 50 },
  { name: 'person_fields', ours: 'person_fields', endpoints: [v1Fields('/personFields')], limit: 50 },
  { name: 'organization_fields', ours: 'organization_fields', endpoints: [v1Fields('/organizationFields')], limit: 50 },
  { name: 'product_fields', ours: 'product_fields', endpoints: [v1Fields('/productFields')], limit: 50 },
  { name: 'activity_fields', ours: 'activity_fields', endpoints: [v1Fields('/activityFields')] },
  { name: 'roles', ours: 'roles', endpoints: [v1('/roles')], limit: 50 },
  { name: 'call_logs', ours: 'call_logs', endpoints: [v1('/callLogs')], limit: 50 },
  {
    name: 'mailThreads', ours: 'mail_threads', endpoints: [v1('/mailbox/mailThreads')], limit: 50,
    partitions: ['inbox', 'drafts', 'sent', 'archive'].map((folder) => ({ folder })),
  },
  { name: 'activity_types', ours: 'activity_types', endpoints: [v1('/activityTypes')] },
  { name: 'currencies', ours: 'currencies', endpoints: [v1('/currencies')] },
  { name: 'filters', ours: 'filters', endpoints: [v1('/filters')] },
  { name: 'goals', ours: 'goals', endpoints: [v1('/goals/find')] },
  { name: 'lead_labels', ours: 'lead_labels', endpoints: [v1('/leadLabels')] },
  { name: 'lead_sources', ours: 'lead_sources', endpoints: [v1('/leadSources')] },
  { name: 'legacy_teams', ours: 'legacy_teams', endpoints: [v1('/legacyTeams')] },
  { name: 'permission_sets', ours: 'permission_sets', endpoints: [v1('/permissionSets')], cached: true },
  { name: 'users', ours: 'users', endpoints: [v1('/users')] },
];

const DEAL_PARENTS = ['deals', 'deals_archived'];

export const AIRBYTE_CHILDREN: readonly ChildStream[] = [
  {
    name: 'deal_products', ours: 'deal_products', parents: DEAL_PARENTS, limit: 500,
    endpoint: { api: 'v2', path: '/deals/{id}/products', served: { api: 'v2', path: '/deals/products' }, cost: 10 },
  },
  {
    name: 'deal_flow', ours: 'deal_flow', parents: DEAL_PARENTS, limit: 50, incrementalDependency: true,
    endpoint: v1('/deals/{id}/flow', { items: 'dealChange', all_changes: '1' }),
  },
  { name: 'deal_installments', ours: 'deal_installments', parents: DEAL_PARENTS, limit: 500, group: { size: 100, param: 'deal_ids' }, endpoint: v2('/deals/installments') },
  { name: 'mail', ours: 'mail', parents: ['mailThreads'], endpoint: v1('/mailbox/mailThreads/{id}/mailMessages') },
  { name: 'permission_set_assignments', ours: 'permission_set_assignments', parents: ['permission_sets'], limit: 50, endpoint: v1('/permissionSets/{id}/assignments') },
];

/** Airbyte's example start date (the config requires one); every record of the emulator is later. */
export const AIRBYTE_START_DATE = '2017-01-25T00:00:00Z';

type Rec = Record<string, unknown>;
interface Page { data?: unknown; additional_data?: { next_cursor?: string | null; pagination?: { more_items_in_collection?: boolean; next_start?: number } } | null }

/** A cursor value as `updated_since` takes it: RFC 3339 to the second, `Z`. */
function isoSeconds(value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const zoned = /[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value.replace(' ', 'T')}Z`;
  const ms = Date.parse(zoned);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const costOf = (e: Endpoint): number => e.cost ?? endpointMeta(e.api, e.path).tokenCost;

/**
 * One sync of Airbyte's request pattern. `states` holds the saved cursor per incremental stream (absent: the
 * start date); `incremental` streams read from it, every other stream reads everything.
 */
export class AirbyteSync {
  readonly counts: Counts = new Map();
  /** The highest cursor seen per server-incremental stream (its state after this sync). */
  readonly states = new Map<string, string>();
  private readonly cache = new Map<string, Page>();
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

  constructor(private readonly url: string, private readonly saved: ReadonlyMap<string, string> = new Map()) {}

  private async get(countAs: string, e: Endpoint, params: Record<string, string>, cached: boolean): Promise<Page> {
    const target = e.served ?? e;
    const q = new URLSearchParams({ ...e.params, ...target.params, ...params });
    const path = `${target.api === 'v2' ? '/api/v2' : '/v1'}${target.path}?${q.toString()}`;
    const hit = cached ? this.cache.get(path) : undefined;
    if (hit) return hit;
    const { status, body } = await new Promise<{ status: number; body: string }>((done, fail) => {
      http.get(`${this.url}${path}`, { agent: this.agent, headers: { 'x-api-token': 'emulator-token' } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => { text += c; });
        res.on('end', () => done({ status: res.statusCode ?? 0, body: text }));
        res.on('error', fail);
      }).on('error', fail);
    });
    const row = this.counts.get(countAs) ?? { requests: 0, tokens: 0 };
    row.requests++;
    // As Pipedrive and the emulator charge: answered requests cost the endpoint's x-token-cost, errors nothing.
    if (status === 200) row.tokens += costOf(e);
    this.counts.set(countAs, row);
    // Airbyte skips a gone or forbidden parent (403/404/410) and goes on.
    const page = status === 200 ? (JSON.parse(body) as Page) : { data: [] };
    if (cached) this.cache.set(path, page);
    return page;
  }

  /** Every page of one endpoint (and partition), as Airbyte's paginators walk them. */
  private async pages(countAs: string, e: Endpoint, params: Record<string, string>, limit: number | undefined, cached: boolean): Promise<Rec[]> {
    const records: Rec[] = [];
    const api = (e.served ?? e).api;
    let next: Record<string, string> | undefined = limit === undefined ? {} : { limit: String(limit) };
    while (next) {
      const page = await this.get(countAs, e, { ...params, ...next }, cached);
      if (Array.isArray(page.data)) records.push(...(page.data as Rec[]));
      const more = page.additional_data;
      next = undefined;
      if (limit === undefined) break;
      if (api === 'v2' && typeof more?.next_cursor === 'string' && more.next_cursor !== '') next = { limit: String(limit), cursor: more.next_cursor };
      if (api === 'v1' && more?.pagination?.more_items_in_collection === true && more.pagination.next_start !== undefined) {
        next = { limit: String(limit), start: String(more.pagination.next_start) };
      }
    }
    return records;
  }

  /** The records of a list stream; `since` is the inclusive `updated_since` of a server-incremental read. */
  async list(s: ListStream, countAs: string, since: string | undefined): Promise<Rec[]> {
    const out: Rec[] = [];
    const sinceParams = s.server && since !== undefined ? { ...s.server.sort, updated_since: since } : {};
    for (const e of s.endpoints) {
      for (const partition of s.partitions ?? [{}]) out.push(...(await this.pages(countAs, e, { ...partition, ...sinceParams }, s.limit, s.cached ?? false)));
    }
    if (s.server) {
      const seen = out.map((r) => isoSeconds(r[s.server?.cursor ?? ''])).filter((v): v is string => v !== undefined).sort().at(-1);
      const top = [seen, since].filter((v): v is string => v !== undefined).sort().at(-1);
      if (top !== undefined && countAs === s.name) this.states.set(s.name, top);
    }
    return out;
  }

  /** One sync of every stream: list streams first, then the fan-out children. */
  async run(incremental: boolean): Promise<void> {
    const sinceOf = (s: ListStream): string | undefined => (s.server ? (incremental ? this.saved.get(s.name) : undefined) ?? AIRBYTE_START_DATE : undefined);
    for (const s of AIRBYTE_LISTS) await this.list(s, s.name, sinceOf(s));
    for (const c of AIRBYTE_CHILDREN) {
      const parents: Rec[] = [];
      for (const p of c.parents) {
        const parent = AIRBYTE_LISTS.find((s) => s.name === p);
        if (!parent) throw new Error(`no Airbyte stream ${p}`);
        // A full-refresh child reads its parent from the start date; one with incremental_dependency from the
        // parent's own state (the same URL as the parent's read, so a cached parent costs nothing).
        const since = parent.server ? (c.incrementalDependency ? sinceOf(parent) : AIRBYTE_START_DATE) : undefined;
        parents.push(...(await this.list(parent, c.name, since)));
      }
      const ids = parents.map((r) => r['id']).filter((id): id is string | number => typeof id === 'string' || typeof id === 'number');
      const e = c.endpoint;
      if (c.group) {
        for (let i = 0; i < ids.length; i += c.group.size) {
          await this.pages(c.name, e, { [c.group.param]: ids.slice(i, i + c.group.size).join(',') }, c.limit, false);
        }
      } else {
        for (const id of ids) {
          // The emulator's stand-in for `/deals/{id}/products` takes the id as `deal_ids`.
          const one: Endpoint = e.served ? e : { ...e, path: e.path.replace('{id}', encodeURIComponent(String(id))) };
          await this.pages(c.name, { ...one, ...(e.served ? {} : { cost: costOf(e) }) }, e.served ? { deal_ids: String(id) } : {}, c.limit, false);
        }
      }
    }
    this.agent.destroy();
  }
}
