/**
 * The Pipedrive API surface of the emulator: routing of the stream-plan endpoints (v1 and v2),
 * parameter validation, paging (v2 cursors, v1 offsets) and Pipedrive's envelopes.
 * Transport concerns (auth, rate limits, faults) live in `server.ts`.
 */
import { changelogRecord, history, type ChangelogEntity } from './changelog.js';
import { SHIFT, type Entity, type Order } from './entity.js';
import { Includes, type IncludeEntity } from './includes.js';
import { endpointMeta, recordNode } from './meta.js';
import { CURRENCY_LIST, LEAD_SOURCES, type Rec, type Records } from './records.js';
import { parseV1Time, parseV2Time, isoZ } from './time.js';
import type { World } from './world.js';

export interface ApiResult {
  status: number;
  body: unknown;
  /** x-token-cost charged for this request. */
  tokenCost: number;
}

export const ERROR_INFO = 'Please check developers.pipedrive.com for more information about Pipedrive API.';

export function errorBody(error: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { success: false, error, error_info: ERROR_INFO, data: null, additional_data: null, ...extra };
}

class HttpFail extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

function bad(message: string): never {
  throw new HttpFail(400, message, { code: 'ERR_SCHEMA_VALIDATION_FAILED' });
}

export type Query = Map<string, string>;

/** v1 list endpoints out of support since 2026-08-01 (410 Gone). */
const GONE_V1 = new Set(['/deals', '/persons', '/organizations', '/activities', '/products', '/pipelines', '/stages']);

const V2_DEFAULT_LIMIT = 100;
const V2_MAX_LIMIT = 500;
const V1_DEFAULT_LIMIT = 100;
const V1_MAX_LIMIT = 500;
/** v1 page-size ceilings named in the spec (or the plan for mail threads); larger `limit`s are capped. */
const V1_LIMITS: Record<string, number> = { '/callLogs': 50, '/files': 100, '/mailbox/mailThreads': 50 };
/** Conversion rates into the company currency (EUR) for the deal summaries. */
const RATES: Record<string, number> = { EUR: 1, USD: 0.92, GBP: 1.17, SEK: 0.087 };
const STAGES_WEIGHT = 5;

interface V2ListSpec {
  path: string;
  entity: string;
  build: (i: number) => Rec;
  /** Base predicate (e.g. not archived). */
  base?: (i: number) => boolean;
  sorts: readonly string[];
  /** Query filters → predicate on the built record or index; return null to ignore. */
  filters?: (q: Query) => ((i: number) => boolean) | null;
  customFields?: boolean;
  /** The entity whose `include_fields` the endpoint serves. */
  includes?: IncludeEntity | 'activities';
}

function b64url(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64url');
}

function unb64url(s: string): unknown {
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(s)) return undefined;
  try {
    return JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

function intParam(q: Query, name: string): number | undefined {
  const v = q.get(name);
  if (v === undefined || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) bad(`Validation failed: ${name}: Expected number, received string`);
  return Number(v);
}

function boolParam(q: Query, name: string): boolean | undefined {
  const v = q.get(name);
  if (v === undefined || v === '') return undefined;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  bad(`Validation failed: ${name}: Expected boolean, received string`);
}

function idList(q: Query, name: string, max = 100): number[] | undefined {
  const v = q.get(name);
  if (v === undefined || v === '') return undefined;
  const parts = v.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (parts.some((p) => !/^\d+$/.test(p))) bad(`Validation failed: ${name}: Expected array of integers`);
  if (parts.length > max) bad(`Validation failed: ${name}: Array must contain at most ${max} element(s)`);
  return parts.map(Number);
}

/** Entity name (world) → the singular the API's "not found" errors use. */
const SINGULAR: Record<string, string> = { deals: 'Deal', persons: 'Person', organizations: 'Organization', products: 'Product', activities: 'Activity' };
const CHANGELOG_DEFAULT_LIMIT = 100;
const CHANGELOG_MAX_LIMIT = 500;

export class Api {
  private readonly v1Cache = new Map<string, number>();
  readonly includes: Includes;

  constructor(
    readonly w: World,
    readonly r: Records,
  ) {
    this.includes = new Includes(w, r);
  }

  /**
   * Resolves an API request to its token cost and an executor; null when no route matches
   * (the server answers 404). Resolving first lets the server check the daily budget before running.
   */
  resolve(method: string, pathname: string): { cost: number; exec: (q: Query) => ApiResult } | null {
    let api: 'v1' | 'v2';
    let path: string;
    if (pathname.startsWith('/api/v2/')) {
      api = 'v2';
      path = pathname.slice(7);
    } else if (pathname.startsWith('/api/v1/')) {
      api = 'v1';
      path = pathname.slice(7);
    } else if (pathname.startsWith('/v1/')) {
      api = 'v1';
      path = pathname.slice(3);
    } else {
      return null;
    }
    if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
    if (method !== 'GET') return null;
    if (api === 'v1' && GONE_V1.has(path)) {
      const body = errorBody(`This endpoint is no longer supported. Use GET /api/v2${path} instead.`);
      return { cost: 0, exec: () => ({ status: 410, tokenCost: 0, body }) };
    }
    const route = api === 'v2' ? this.routeV2(path) : this.routeV1(path);
    if (!route) return null;
    const cost = endpointMeta(api, route.template).tokenCost;
    return {
      cost,
      exec: (q) => {
        try {
          return { status: 200, body: route.run(q), tokenCost: cost };
        } catch (e) {
          if (e instanceof HttpFail) return { status: e.status, body: errorBody(e.message, e.extra), tokenCost: cost };
          throw e;
        }
      },
    };
  }

  /** Resolves and runs a request in one step. */
  handle(method: string, pathname: string, q: Query): ApiResult | null {
    const r = this.resolve(method, pathname);
    return r ? r.exec(q) : null;
  }

  // --- v2 ------------------------------------------------------------------------------------

  private routeV2(path: string): { template: string; run: (q: Query) => unknown } | null {
    const w = this.w;
    const r = this.r;
    const list = (spec: V2ListSpec) => ({ template: spec.path, run: (q: Query) => this.listV2(spec, q) });
    switch (path) {
      case '/deals':
      case '/deals/archived': {
        const archived = path === '/deals/archived';
        return list({
          path,
          entity: 'deals',
          build: (i) => r.deal(i),
          base: (i) => w.dealArchived(i) === archived,
          sorts: ['id', 'update_time', 'add_time'],
          customFields: true,
          includes: 'deals',
          filters: (q) => {
            const raw = q.get('status');
            let statuses: Set<string> | null = null;
            if (raw !== undefined && raw !== '') {
              statuses = new Set(raw.split(',').map((s) => s.trim()));
              for (const s of statuses) if (!['open', 'won', 'lost', 'deleted'].includes(s)) bad(`Validation failed: status: Invalid enum value '${s}'`);
            }
            const byStatus = statuses
              ? (i: number) => statuses!.has(w.dealStatus(i))
              : (i: number) => w.dealStatus(i) !== 'deleted';
            const fields = this.fieldFilters(q, ['owner_id', 'person_id', 'org_id', 'pipeline_id', 'stage_id']);
            return fields ? (i) => byStatus(i) && fields(r.deal(i)) : byStatus;
          },
        });
      }
      case '/persons':
        return list({
          path, entity: 'persons', build: (i) => r.person(i), sorts: ['id', 'update_time', 'add_time'], customFields: true, includes: 'persons',
          filters: (q) => this.recFilter(q, ['owner_id', 'org_id'], (i) => r.person(i)),
        });
      case '/organizations':
        return list({
          path, entity: 'organizations', build: (i) => r.organization(i), sorts: ['id', 'update_time', 'add_time'], customFields: true, includes: 'organizations',
          filters: (q) => this.recFilter(q, ['owner_id'], (i) => r.organization(i)),
        });
      case '/activities':
        return list({
          path, entity: 'activities', build: (i) => r.activity(i), sorts: ['id', 'update_time', 'add_time'], includes: 'activities',
          filters: (q) => {
            const done = boolParam(q, 'done');
            const f = this.recFilter(q, ['owner_id', 'deal_id', 'person_id', 'org_id'], (i) => r.activity(i));
            if (done === undefined) return f;
            return (i) => r.activity(i)['done'] === done && (!f || f(i));
          },
        });
      case '/products':
        return list({
          path, entity: 'products', build: (i) => r.product(i), sorts: ['id', 'update_time', 'add_time'], customFields: true,
          filters: (q) => this.recFilter(q, ['owner_id'], (i) => r.product(i)),
        });
      case '/pipelines':
        return list({ path, entity: 'pipelines', build: (i) => r.pipeline(i), sorts: ['id', 'update_time', 'add_time'] });
      case '/stages':
        return list({
          path, entity: 'stages', build: (i) => r.stage(i), sorts: ['id', 'update_time', 'add_time'],
          filters: (q) => {
            const p = intParam(q, 'pipeline_id');
            return p === undefined ? null : (i) => r.stagePipeline(i) + 1 === p;
          },
        });
      case '/projects':
      case '/projects/archived': {
        const archived = path === '/projects/archived';
        return list({
          path, entity: 'projects', build: (i) => r.project(i), sorts: ['id'],
          base: (i) => w.projectArchived(i) === archived,
          filters: (q) => {
            const raw = q.get('status');
            const statuses = raw ? new Set(raw.split(',').map((s) => s.trim())) : null;
            const phase = intParam(q, 'phase_id');
            return (i) => (statuses ? statuses.has(r.projectStatus(i)) : true) && (phase === undefined || r.projectPhase(i) + 1 === phase);
          },
        });
      }
      case '/projectTemplates':
        return list({ path, entity: 'project_templates', build: (i) => r.projectTemplate(i), sorts: ['id'] });
      case '/tasks':
        return list({
          path, entity: 'tasks', build: (i) => r.task(i), sorts: ['id'],
          filters: (q) => {
            const done = boolParam(q, 'is_done');
            const ms = boolParam(q, 'is_milestone');
            const f = this.recFilter(q, ['assignee_id', 'project_id'], (i) => r.task(i));
            if (done === undefined && ms === undefined && !f) return null;
            return (i) => {
              const t = r.task(i);
              return (done === undefined || t['is_done'] === done) && (ms === undefined || t['is_milestone'] === ms) && (!f || f(i));
            };
          },
        });
      case '/boards':
        return {
          template: '/boards',
          run: (q) => {
            this.checkParams('v2', '/boards', q);
            return { success: true, data: [...w.entity('boards').all()].map((i) => r.board(i)), additional_data: null };
          },
        };
      case '/phases':
        return {
          template: '/phases',
          run: (q) => {
            this.checkParams('v2', '/phases', q);
            const board = intParam(q, 'board_id');
            if (board === undefined) bad('Validation failed: board_id: Required');
            const data = [...w.entity('phases').all()].filter((i) => r.phaseBoard(i) + 1 === board).map((i) => r.phase(i));
            return { success: true, data, additional_data: null };
          },
        };
      case '/deals/products':
      case '/deals/installments':
        return { template: path, run: (q) => this.dealChildren(path, q) };
      case '/dealFields':
      case '/personFields':
      case '/organizationFields':
      case '/productFields':
      case '/activityFields':
      case '/projectFields':
        return { template: path, run: (q) => this.fieldsV2(path, q) };
      default:
        return this.singleV2(path);
    }
  }

  /** `GET /api/v2/{deals|persons|organizations|products|activities}/{id}` (1 token): one record, 404 when gone. */
  private singleV2(path: string): { template: string; run: (q: Query) => unknown } | null {
    const m = /^\/(deals|persons|organizations|products|activities)\/([^/]+)$/.exec(path);
    if (!m) return null;
    const entity = m[1]!;
    const template = `/${entity}/{id}`;
    const r = this.r;
    return {
      template,
      run: (q) => {
        this.checkParams('v2', template, q);
        const i = /^\d+$/.test(m[2]!) ? this.w.indexOfNumericId(entity, m[2]!) : null;
        if (i === null) throw new HttpFail(404, `${SINGULAR[entity]!} not found`, { errorCode: 404 });
        const build = { deals: r.deal.bind(r), persons: r.person.bind(r), organizations: r.organization.bind(r), products: r.product.bind(r), activities: r.activity.bind(r) }[entity]!;
        let rec = build(i);
        rec = this.customFieldsOnly(q, rec, entity !== 'activities');
        if (entity !== 'products') rec = this.withIncludes(template, entity as IncludeEntity | 'activities', q, [i], [rec])[0]!;
        return { success: true, data: rec };
      },
    };
  }

  /** The `include_fields` of a request, validated against the endpoint's enum (comma-separated). */
  private includeFields(template: string, q: Query): string[] {
    const raw = q.get('include_fields');
    if (raw === undefined || raw.trim() === '') return [];
    const allowed = (endpointMeta('v2', template).params.find((p) => p.name === 'include_fields')?.enum ?? []) as string[];
    const asked = new Set(raw.split(',').map((s) => s.trim()).filter((s) => s !== ''));
    for (const f of asked) if (!allowed.includes(f)) bad(`Validation failed: include_fields: Invalid enum value. Expected ${allowed.map((a) => `'${a}'`).join(' | ')}, received '${f}'`);
    return allowed.filter((f) => asked.has(f));
  }

  private withIncludes(template: string, entity: IncludeEntity | 'activities', q: Query, items: number[], data: Rec[]): Rec[] {
    const fields = this.includeFields(template, q);
    if (fields.length === 0) return data;
    if (entity === 'activities') return data.map((d, k) => ({ ...d, attendees: this.includes.attendees(items[k]!, d) }));
    return data.map((d, k) => this.includes.apply(entity, items[k]!, d, fields));
  }

  /** `custom_fields=key1,key2` (at most 15 keys): only those custom fields. */
  private customFieldsOnly(q: Query, rec: Rec, declared: boolean): Rec {
    const cf = q.get('custom_fields');
    if (!declared || cf === undefined || cf === '') return rec;
    const keep = new Set(cf.split(',').map((s) => s.trim()).filter((s) => s !== ''));
    if (keep.size > 15) bad('Validation failed: custom_fields: Array must contain at most 15 element(s)');
    return { ...rec, custom_fields: Object.fromEntries(Object.entries(rec['custom_fields'] as Rec).filter(([k]) => keep.has(k))) };
  }

  /** 400 for query parameters the endpoint does not declare (Pipedrive v2 validates its query schema). */
  private checkParams(api: 'v1' | 'v2', template: string, q: Query): void {
    if (api !== 'v2') return;
    const allowed = new Set(endpointMeta(api, template).params.map((p) => p.name));
    for (const k of q.keys()) {
      if (k === 'api_token') continue;
      if (!allowed.has(k)) bad(`Validation failed: ${k}: Unrecognized query parameter '${k}'`);
    }
  }

  private fieldFilters(q: Query, names: string[]): ((rec: Rec) => boolean) | null {
    const wanted: [string, number][] = [];
    for (const n of names) {
      const v = intParam(q, n);
      if (v !== undefined) wanted.push([n, v]);
    }
    if (!wanted.length) return null;
    return (rec) =>
      wanted.every(([k, v]) => {
        const x = rec[k === 'assignee_id' ? 'assignee_ids' : k];
        return Array.isArray(x) ? x.includes(v) : x === v;
      });
  }

  private recFilter(q: Query, names: string[], build: (i: number) => Rec): ((i: number) => boolean) | null {
    const f = this.fieldFilters(q, names);
    return f ? (i) => f(build(i)) : null;
  }

  private parseLimitV2(q: Query): number {
    const limit = intParam(q, 'limit') ?? V2_DEFAULT_LIMIT;
    if (limit < 1) bad('Validation failed: limit: Number must be greater than or equal to 1');
    if (limit > V2_MAX_LIMIT) bad(`Validation failed: limit: Number must be less than or equal to ${V2_MAX_LIMIT}`);
    return limit;
  }

  private parseTimeV2(q: Query, name: string): number | null {
    const v = q.get(name);
    if (v === undefined || v === '') return null;
    const sec = parseV2Time(v);
    if (sec === null) bad(`Validation failed: ${name}: Invalid datetime. Expected RFC3339 format, e.g. 2025-01-01T10:20:00Z`);
    return sec;
  }

  private listV2(spec: V2ListSpec, q: Query): unknown {
    this.checkParams('v2', spec.path, q);
    const e = this.w.entity(spec.entity);
    const limit = this.parseLimitV2(q);
    const sortBy = q.get('sort_by') ?? 'id';
    const dir = q.get('sort_direction') ?? 'asc';
    if (!spec.sorts.includes(sortBy)) {
      const declared = ['id', 'update_time', 'add_time', 'due_date', 'order_nr', 'name'];
      if (declared.includes(sortBy)) throw new HttpFail(400, `sort_by=${sortBy} is not supported by the emulator`);
      bad(`Validation failed: sort_by: Invalid enum value '${sortBy}'`);
    }
    if (dir !== 'asc' && dir !== 'desc') bad(`Validation failed: sort_direction: Invalid enum value '${dir}'`);
    const since = this.parseTimeV2(q, 'updated_since');
    const until = this.parseTimeV2(q, 'updated_until');
    const order = sortBy as Order;
    const desc = dir === 'desc';
    // Cursor: base64url JSON of the last record's sort field value and id.
    let after: number | null = null;
    const cursor = q.get('cursor');
    if (cursor !== undefined && cursor !== '') {
      const c = unb64url(cursor) as { field?: unknown; fieldValue?: unknown; sortDirection?: unknown; id?: unknown } | undefined;
      if (!c || typeof c !== 'object' || c.field !== sortBy || c.sortDirection !== dir || typeof c.id !== 'number' || !Number.isInteger(c.id)) {
        bad('Validation failed: cursor: Invalid cursor');
      }
      const idx = (c.id as number) - 1;
      if (order === 'id') after = idx;
      else {
        const sec = typeof c.fieldValue === 'string' ? parseV2Time(c.fieldValue) : null;
        if (sec === null) bad('Validation failed: cursor: Invalid cursor');
        after = (sec - e.epoch) * SHIFT + idx;
      }
    }
    const ids = idList(q, 'ids');
    const idSet = ids ? new Set(ids.map((x) => x - 1)) : null;
    const filter = spec.filters?.(q) ?? null;
    const preds: ((i: number) => boolean)[] = [];
    if (spec.base) preds.push(spec.base);
    if (idSet) preds.push((i) => idSet.has(i));
    if (order !== 'update_time' && (since !== null || until !== null)) {
      preds.push((i) => {
        const u = e.updSec(i);
        return (since === null || u >= since) && (until === null || u < until);
      });
    }
    if (filter) preds.push(filter);
    const pred = preds.length === 0 ? undefined : preds.length === 1 ? preds[0] : (i: number) => preds.every((p) => p(i));
    const res = e.scan({
      order,
      desc,
      after,
      sinceSec: order === 'update_time' ? since : null,
      untilSec: order === 'update_time' ? until : null,
      limit,
      ...(pred ? { pred } : {}),
    });
    let data = res.items.map((i) => this.customFieldsOnly(q, spec.build(i), spec.customFields === true));
    if (spec.includes) data = this.withIncludes(spec.path, spec.includes, q, res.items, data);
    let next: string | null = null;
    if (res.more && res.items.length) {
      const last = res.items[res.items.length - 1]!;
      const fieldValue = order === 'id' ? last + 1 : isoZ(order === 'update_time' ? e.updSec(last) : e.addSec(last));
      next = b64url(JSON.stringify({ field: sortBy, fieldValue, sortDirection: dir, id: last + 1 }));
    }
    return { success: true, data, additional_data: { next_cursor: next } };
  }

  /** `/deals/products` and `/deals/installments` for up to 100 `deal_ids`. */
  private dealChildren(path: string, q: Query): unknown {
    this.checkParams('v2', path, q);
    const limit = this.parseLimitV2(q);
    const ids = idList(q, 'deal_ids', 100);
    if (!ids || ids.length === 0) bad('Validation failed: deal_ids: Required');
    const products = path === '/deals/products';
    const sortBy = q.get('sort_by') ?? 'id';
    const dir = q.get('sort_direction') ?? 'asc';
    const sorts = products ? ['id', 'deal_id', 'add_time', 'update_time', 'order_nr'] : ['id', 'billing_date', 'deal_id'];
    if (!sorts.includes(sortBy)) bad(`Validation failed: sort_by: Invalid enum value '${sortBy}'`);
    if (dir !== 'asc' && dir !== 'desc') bad(`Validation failed: sort_direction: Invalid enum value '${dir}'`);
    const deals = this.w.entity('deals');
    const rows: Rec[] = [];
    for (const id of [...new Set(ids)]) {
      const di = id - 1;
      if (!deals.exists(di)) continue;
      rows.push(...(products ? this.r.dealProducts(di) : this.r.dealInstallments(di)));
    }
    const val = (x: Rec): string | number => x[sortBy] as string | number;
    rows.sort((a, b) => {
      const va = val(a);
      const vb = val(b);
      const c = va < vb ? -1 : va > vb ? 1 : (a['id'] as number) - (b['id'] as number);
      return dir === 'desc' ? -c : c;
    });
    return positionPage(rows, q, limit);
  }

  /** The v2 field list of a `*Fields` endpoint. */
  fieldList(path: string, include: readonly string[] = []): Rec[] {
    const map: Record<string, [string, string]> = {
      '/dealFields': ['/deals', 'deal'],
      '/personFields': ['/persons', 'person'],
      '/organizationFields': ['/organizations', 'organization'],
      '/productFields': ['/products', 'product'],
      '/activityFields': ['/activities', 'activity'],
      '/projectFields': ['/projects', 'project'],
    };
    const [recPath, entity] = map[path]!;
    return this.r.v2Fields(recordNode('v2', recPath), this.w.cf.list(entity), path === '/dealFields', include, entity);
  }

  private fieldsV2(path: string, q: Query): unknown {
    this.checkParams('v2', path, q);
    const limit = this.parseLimitV2(q);
    const include = (q.get('include_fields') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    const all = this.fieldList(path, include);
    return positionPage(all, q, limit);
  }

  // --- v1 ------------------------------------------------------------------------------------

  private routeV1(path: string): { template: string; run: (q: Query) => unknown } | null {
    const w = this.w;
    const r = this.r;
    const all = (name: string): number[] => [...w.entity(name).all()];
    switch (path) {
      case '/activityTypes':
        return { template: path, run: () => ({ success: true, data: all('activity_types').map((i) => r.activityType(i)) }) };
      case '/currencies':
        return {
          template: path,
          run: (q) => {
            const term = (q.get('term') ?? '').toLowerCase();
            const data = CURRENCY_LIST.map((_, k) => r.currency(k)).filter(
              (c) => !term || String(c['code']).toLowerCase().includes(term) || String(c['name']).toLowerCase().includes(term),
            );
            return { success: true, data };
          },
        };
      case '/filters':
        return {
          template: path,
          run: (q) => {
            const type = q.get('type');
            if (type && !['deals', 'leads', 'org', 'people', 'products', 'activity', 'projects'].includes(type)) bad(`Invalid type '${type}'`);
            return { success: true, data: all('filters').filter((i) => !type || r.filterType(i) === type).map((i) => r.filter(i)) };
          },
        };
      case '/goals/find':
        return {
          template: path,
          run: (q) => {
            const active = q.get('is_active');
            const want = active === undefined ? true : active === 'true' || active === '1';
            const goals = all('goals').map((i) => r.goal(i)).filter((g) => g['is_active'] === want);
            return { success: true, data: { goals } };
          },
        };
      case '/leadLabels':
        return { template: path, run: () => ({ success: true, data: all('lead_labels').map((i) => r.leadLabel(i)) }) };
      case '/leadSources':
        return { template: path, run: () => ({ success: true, data: LEAD_SOURCES.map((name) => ({ name })) }) };
      case '/legacyTeams':
        return {
          template: path,
          run: (q) => {
            const skip = q.get('skip_users') === '1';
            const orderBy = q.get('order_by') ?? 'id';
            let data = all('legacy_teams').map((i) => r.legacyTeam(i));
            if (orderBy === 'name') data.sort((a, b) => String(a['name']).localeCompare(String(b['name'])));
            if (skip) data = data.map((t) => Object.fromEntries(Object.entries(t).filter(([k]) => k !== 'users')));
            return { success: true, data };
          },
        };
      case '/noteFields':
        return {
          template: path,
          run: () => {
            const data = r.noteFields();
            return { success: true, data, additional_data: { start: 0, limit: data.length, more_items_in_collection: false, pagination: { start: 0, limit: data.length, more_items_in_collection: false } } };
          },
        };
      case '/permissionSets':
        return {
          template: path,
          run: (q) => {
            const app = q.get('app');
            const data = all('permission_sets').map((s) => r.permissionSet(s)).filter((p) => !app || p['app'] === app);
            return { success: true, data };
          },
        };
      case '/users':
        return { template: path, run: () => ({ success: true, data: all('users').map((u) => r.user(u)) }) };
      case '/users/me':
        return { template: path, run: () => ({ success: true, data: r.userMe() }) };
      case '/deals/summary':
      case '/deals/summary/archived':
        return { template: path, run: (q) => this.dealSummary(path.endsWith('/archived'), q) };

      case '/roles':
        return { template: path, run: (q) => this.listV1(path, 'roles', q, { build: (i) => r.role(i) }) };
      case '/callLogs':
        return { template: path, run: (q) => this.listV1(path, 'call_logs', q, { build: (i) => r.callLog(i) }) };
      case '/files':
        return { template: path, run: (q) => this.listV1(path, 'files', q, { build: (i) => r.file(i), sortable: ['id', 'update_time', 'add_time'] }) };
      case '/notes':
        return {
          template: path,
          run: (q) =>
            this.listV1(path, 'notes', q, {
              build: (i) => r.note(i),
              sortable: ['id', 'update_time', 'add_time'],
              since: true,
              filters: this.v1Filters(q, ['user_id', 'deal_id', 'person_id', 'org_id'], (i) => r.note(i)),
            }),
        };
      case '/leads':
      case '/leads/archived': {
        const archived = path === '/leads/archived';
        return {
          template: path,
          run: (q) => {
            const f = this.v1Filters(q, ['owner_id', 'person_id', 'organization_id'], (i) => r.lead(i));
            return this.listV1(path, 'leads', q, {
              build: (i) => r.lead(i),
              sortable: ['id', 'update_time', 'add_time'],
              since: !archived,
              flat: true,
              filters: (i) => w.leadArchived(i) === archived && (!f || f(i)),
            });
          },
        };
      }
      case '/leadFields':
        return { template: path, run: (q) => this.pageList(path, r.leadFields(), q, true) };
      case '/mailbox/mailThreads':
        return {
          template: path,
          run: (q) => {
            const folder = q.get('folder') ?? 'inbox';
            if (!['inbox', 'drafts', 'sent', 'archive'].includes(folder)) bad(`Invalid folder '${folder}'`);
            return this.listV1(path, 'mail_threads', q, { build: (i) => r.mailThread(i), filters: (i) => w.mailFolder(i) === folder, sig: folder });
          },
        };
      default:
        break;
    }
    const log = /^\/(deals|persons|organizations)\/([^/]+)\/changelog$/.exec(path);
    if (log) {
      const entity = log[1] as ChangelogEntity;
      return { template: `/${entity}/{id}/changelog`, run: (q) => this.changelog(entity, log[2]!, q) };
    }
    let m = /^\/deals\/([^/]+)\/flow$/.exec(path);
    if (m) {
      const id = m[1]!;
      return {
        template: '/deals/{id}/flow',
        run: (q) => {
          const di = w.indexOfNumericId('deals', id);
          if (di === null) throw new HttpFail(404, 'Deal not found');
          const page = this.pageList('/deals/{id}/flow', r.dealFlow(di), q, true) as Rec;
          return { ...page, related_objects: this.flowRelated(di) };
        },
      };
    }
    m = /^\/mailbox\/mailThreads\/([^/]+)\/mailMessages$/.exec(path);
    if (m) {
      const id = m[1]!;
      return {
        template: '/mailbox/mailThreads/{id}/mailMessages',
        run: () => {
          const ti = w.indexOfNumericId('mail_threads', id);
          if (ti === null) throw new HttpFail(404, 'Mail thread not found');
          return { success: true, data: r.mailMessages(ti) };
        },
      };
    }
    m = /^\/permissionSets\/([^/]+)\/assignments$/.exec(path);
    if (m) {
      const id = m[1]!;
      return {
        template: '/permissionSets/{id}/assignments',
        run: (q) => {
          const s = w.indexOfId('permission_sets', id);
          if (s === null) throw new HttpFail(404, 'Permission set not found');
          return this.pageList('/permissionSets/{id}/assignments', r.permissionSetAssignments(s), q, false);
        },
      };
    }
    return null;
  }

  /**
   * `GET /v1/{deals|persons|organizations}/{id}/changelog`: the record's field changes, newest first (within a
   * second: the later change first), cursor-paged (`cursor` = the first entry of the page, `limit` default 100,
   * capped at 500) with `additional_data.next_cursor` (null on the last page).
   */
  private changelog(entity: ChangelogEntity, id: string, q: Query): unknown {
    const i = this.w.indexOfNumericId(entity, id);
    if (i === null) throw new HttpFail(404, `${SINGULAR[entity]!} not found`);
    let limit = intParam(q, 'limit') ?? CHANGELOG_DEFAULT_LIMIT;
    if (limit < 1) bad('limit must be a positive integer');
    limit = Math.min(limit, CHANGELOG_MAX_LIMIT);
    const entries = history(this.w, this.r, entity, i).reverse();
    let start = 0;
    const cursor = q.get('cursor');
    if (cursor !== undefined && cursor !== '') {
      const text = /^[A-Za-z0-9+/]+={0,2}$/.test(cursor) ? Buffer.from(cursor, 'base64').toString('utf8') : '';
      const mm = /^id:(\d+)$/.exec(text);
      if (!mm) bad(`Invalid cursor '${cursor}'`);
      const at = Number(mm[1]);
      start = entries.findIndex((c) => c.id <= at);
      if (start < 0) start = entries.length;
    }
    const page = entries.slice(start, start + limit);
    const following = entries[start + limit];
    const next = following ? Buffer.from(`id:${following.id}`, 'utf8').toString('base64').replace(/=+$/, '') : null;
    return { success: true, data: page.map(changelogRecord), additional_data: { next_cursor: next } };
  }

  private readonly summaryCache = new Map<string, Rec>();

  /** `/v1/deals/summary[/archived]`: totals of the not deleted deals, grouped by currency. */
  private dealSummary(archived: boolean, q: Query): unknown {
    const w = this.w;
    const r = this.r;
    const status = q.get('status');
    if (status && !['open', 'won', 'lost'].includes(status)) bad(`Invalid status '${status}'`);
    const user = intParam(q, 'user_id');
    const pipeline = intParam(q, 'pipeline_id');
    const stage = intParam(q, 'stage_id');
    const e = w.entity('deals');
    const key = `${archived}|${status}|${user}|${pipeline}|${stage}|${e.version}`;
    let data = this.summaryCache.get(key);
    if (!data) {
      const byCur = new Map<string, { value: number; count: number; weighted: number }>();
      let count = 0;
      for (const i of e.all()) {
        if (w.dealArchived(i) !== archived) continue;
        const st = w.dealStatus(i);
        if (st === 'deleted' || (status && st !== status)) continue;
        if (pipeline !== undefined && w.dealPipeline(i) + 1 !== pipeline) continue;
        if (stage !== undefined && w.dealStage(i) + 1 !== stage) continue;
        if (user !== undefined && r.dealOwner(i) + 1 !== user) continue;
        count++;
        const cur = r.dealCurrency(i);
        const v = r.dealValue(i);
        const g = byCur.get(cur) ?? { value: 0, count: 0, weighted: 0 };
        g.value += v;
        g.count++;
        g.weighted += st === 'won' ? v : st === 'lost' ? 0 : v * ((i % STAGES_WEIGHT) + 1) / (STAGES_WEIGHT + 1);
        byCur.set(cur, g);
      }
      const fmt = (cur: string, v: number): string => `${cur} ${Math.round(v).toLocaleString('en-US')}`;
      const values: Rec = {};
      const weighted: Rec = {};
      let total = 0;
      let totalW = 0;
      for (const [cur, g] of [...byCur].sort(([a], [b]) => a.localeCompare(b))) {
        const rate = RATES[cur] ?? 1;
        values[cur] = { value: g.value, count: g.count, value_converted: Math.round(g.value * rate * 100) / 100, value_formatted: fmt(cur, g.value), value_converted_formatted: fmt('EUR', g.value * rate) };
        weighted[cur] = { value: Math.round(g.weighted * 100) / 100, count: g.count, value_formatted: fmt(cur, g.weighted) };
        total += g.value * rate;
        totalW += g.weighted * rate;
      }
      data = {
        values_total: values,
        weighted_values_total: weighted,
        total_count: count,
        total_currency_converted_value: Math.round(total * 100) / 100,
        total_weighted_currency_converted_value: Math.round(totalW * 100) / 100,
        total_currency_converted_value_formatted: fmt('EUR', total),
        total_weighted_currency_converted_value_formatted: fmt('EUR', totalW),
      };
      if (this.summaryCache.size > 50) this.summaryCache.clear();
      this.summaryCache.set(key, data);
    }
    return { success: true, data };
  }

  private flowRelated(di: number): Rec {
    const r = this.r;
    const deal = r.deal(di);
    const u = r.dealOwner(di);
    return {
      deal: { [String(di + 1)]: { id: di + 1, title: deal['title'], status: deal['status'], value: deal['value'], currency: deal['currency'], stage_id: deal['stage_id'], pipeline_id: deal['pipeline_id'] } },
      user: { [String(u + 1)]: { id: u + 1, name: r.userName(u), email: r.userEmail(u), has_pic: 0, pic_hash: null, active_flag: true } },
    };
  }

  private v1Filters(q: Query, names: string[], build: (i: number) => Rec): ((i: number) => boolean) | null {
    const f = this.fieldFilters(q, names);
    return f ? (i) => f(build(i)) : null;
  }

  private v1Paging(path: string, q: Query): { start: number; limit: number } {
    const start = intParam(q, 'start') ?? 0;
    if (start < 0) bad('start must be a non-negative integer');
    const max = V1_LIMITS[path] ?? V1_MAX_LIMIT;
    let limit = intParam(q, 'limit') ?? Math.min(V1_DEFAULT_LIMIT, max);
    if (limit < 1) bad('limit must be a positive integer');
    if (limit > max) limit = max;
    return { start, limit };
  }

  /** v1 `additional_data` with Pipedrive's pagination object (plus flat keys where the spec's schema has them). */
  private v1Additional(start: number, limit: number, count: number, more: boolean, flat: boolean): Rec {
    const pagination: Rec = { start, limit, more_items_in_collection: more };
    if (more) pagination['next_start'] = start + count;
    return flat ? { start, limit, more_items_in_collection: more, pagination } : { pagination };
  }

  /** Offset paging over a materialized list (small lists: fields, flow, assignments). */
  private pageList(path: string, rows: Rec[], q: Query, flat: boolean): unknown {
    const { start, limit } = this.v1Paging(path, q);
    const data = rows.slice(start, start + limit);
    const more = start + limit < rows.length;
    return { success: true, data, additional_data: this.v1Additional(start, limit, data.length, more, flat) };
  }

  /**
   * Offset paging over an entity. Sequential pages continue from a cached keyset position, so
   * reading page after page costs O(limit) each, also on big data sets.
   */
  private listV1(
    path: string,
    entity: string,
    q: Query,
    opts: { build: (i: number) => Rec; sortable?: string[]; since?: boolean; flat?: boolean; filters?: ((i: number) => boolean) | null; sig?: string },
  ): unknown {
    const e: Entity = this.w.entity(entity);
    const { start, limit } = this.v1Paging(path, q);
    let order: Order = 'id';
    let desc = false;
    const sort = q.get('sort');
    if (sort && opts.sortable) {
      const first = sort.split(',')[0]!.trim();
      const mm = /^([a-z_]+)(?:\s+(ASC|DESC))?$/i.exec(first);
      if (!mm) bad(`Invalid sort '${sort}'`);
      const field = mm[1]!.toLowerCase();
      if (opts.sortable.includes(field)) order = field as Order;
      desc = (mm[2] ?? 'ASC').toUpperCase() === 'DESC';
    }
    let since: number | null = null;
    const rawSince = q.get('updated_since');
    if (opts.since && rawSince) {
      since = parseV1Time(rawSince);
      if (since === null) bad(`Invalid updated_since '${rawSince}'. Expected YYYY-MM-DD HH:MM:SS`);
    }
    const preds: ((i: number) => boolean)[] = [];
    if (opts.filters) preds.push(opts.filters);
    if (since !== null && order !== 'update_time') preds.push((i) => e.updSec(i) >= since!);
    const pred = preds.length === 0 ? undefined : (i: number) => preds.every((p) => p(i));
    const sig = `${path}|${entity}|${e.version}|${order}|${desc}|${since}|${opts.sig ?? ''}|${[...q.entries()].filter(([k]) => !['start', 'limit', 'api_token'].includes(k)).sort().join('&')}`;
    const cacheKey = `${sig}|${start}`;
    const after = this.v1Cache.get(cacheKey);
    const res = e.scan({
      order,
      desc,
      sinceSec: order === 'update_time' ? since : null,
      limit,
      ...(after !== undefined ? { after } : { skip: start }),
      ...(pred ? { pred } : {}),
    });
    if (res.keys.length) {
      if (this.v1Cache.size > 2000) this.v1Cache.clear();
      this.v1Cache.set(`${sig}|${start + res.items.length}`, res.keys[res.keys.length - 1]!);
    }
    const data = res.items.map((i) => opts.build(i));
    return { success: true, data, additional_data: this.v1Additional(start, limit, data.length, res.more, opts.flat === true) };
  }
}

/** A v2 page of an in-memory list, its opaque cursor holding the position of the next record. */
function positionPage(rows: readonly Rec[], q: Query, limit: number): unknown {
  let start = 0;
  const cursor = q.get('cursor');
  if (cursor) {
    const c = unb64url(cursor) as { field?: unknown; fieldValue?: unknown } | undefined;
    if (!c || c.field !== 'position' || typeof c.fieldValue !== 'number' || c.fieldValue < 0) bad('Validation failed: cursor: Invalid cursor');
    start = c.fieldValue;
  }
  const more = start + limit < rows.length;
  return {
    success: true,
    data: rows.slice(start, start + limit),
    additional_data: { next_cursor: more ? b64url(JSON.stringify({ field: 'position', fieldValue: start + limit })) : null },
  };
}
