/**
 * Extracts from Pipedrive's OpenAPI specs the little the emulator needs: per endpoint of the
 * stream plan its `x-token-cost`, its query parameters, paging hints and a compact field tree
 * of the records it returns. Writes `emulator/meta.json`.
 *
 *   node dist/scripts/emulator-meta.js [--ref ../shared/reference] [--out emulator/meta.json]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { FieldNode } from '../emulator/meta.js';


type Json = Record<string, unknown>;

/** The GET endpoints the emulator serves (the stream plan of DEVELOPERS.md, plus the deal summaries used for estimates and /users/me used by check). */
const ENDPOINTS: Record<'v1' | 'v2', string[]> = {
  v2: [
    '/activities', '/activityFields', '/dealFields', '/deals', '/deals/archived', '/deals/products',
    '/deals/installments', '/organizationFields', '/organizations', '/personFields', '/persons', '/phases',
    '/boards', '/pipelines', '/productFields', '/products', '/projectFields', '/projects', '/projects/archived',
    '/projectTemplates', '/stages', '/tasks',
    // Single records (1 token): the cheapest way to confirm that one id is gone.
    '/deals/{id}', '/persons/{id}', '/organizations/{id}', '/products/{id}', '/activities/{id}',
  ],
  v1: [
    '/activityTypes', '/callLogs', '/currencies', '/deals/summary', '/deals/summary/archived', '/deals/{id}/flow',
    '/deals/{id}/changelog', '/persons/{id}/changelog', '/organizations/{id}/changelog', '/files', '/filters', '/goals/find',
    '/leadFields', '/leadLabels', '/leadSources', '/leads', '/leads/archived', '/legacyTeams',
    '/mailbox/mailThreads', '/mailbox/mailThreads/{id}/mailMessages', '/noteFields', '/notes', '/permissionSets',
    '/permissionSets/{id}/assignments', '/roles', '/users', '/users/me',
  ],
};

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

function isObj(x: unknown): x is Json {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function makeResolver(doc: Json): (s: unknown) => Json {
  const components = doc['components'] as Json;
  const resolve = (s: unknown): Json => {
    if (!isObj(s)) return {};
    const ref = s['$ref'];
    if (typeof ref === 'string') {
      const parts = ref.replace(/^#\//, '').split('/');
      let cur: unknown = doc;
      for (const p of parts) cur = isObj(cur) ? cur[p] : undefined;
      void components;
      return resolve(cur);
    }
    return s;
  };
  return resolve;
}

/** Turns an OpenAPI schema (with allOf/oneOf/$ref) into a compact FieldNode. */
function compact(schema: unknown, resolve: (s: unknown) => Json, depth = 0): FieldNode {
  const s = resolve(schema);
  if (depth > 12) return { t: 'object' };
  // Merge allOf parts into one schema.
  if (Array.isArray(s['allOf'])) {
    const parts = (s['allOf'] as unknown[]).map((x) => compact(x, resolve, depth + 1));
    const own = { ...s };
    delete own['allOf'];
    const merged: FieldNode = Object.keys(own).some((k) => ['type', 'properties', 'items'].includes(k))
      ? compact(own, resolve, depth + 1)
      : { t: parts.find((p) => p.t !== 'object' || p.p)?.t ?? 'object' };
    for (const p of parts) {
      if (p.p) merged.p = { ...(merged.p ?? {}), ...p.p };
      if (p.t !== 'object' && !merged.p) merged.t = p.t;
      if (p.e && !merged.e) merged.e = p.e;
      if (p.f && !merged.f) merged.f = p.f;
      if (p.i && !merged.i) merged.i = p.i;
      if (p.n) merged.n = 1;
    }
    if (merged.p) merged.t = 'object';
    if (s['nullable'] === true) merged.n = 1;
    return merged;
  }
  const alts = (s['oneOf'] ?? s['anyOf']) as unknown[] | undefined;
  if (Array.isArray(alts)) {
    const nodes = alts.map((x) => compact(x, resolve, depth + 1));
    const objectAlt = nodes.find((n) => n.p);
    if (objectAlt) return { ...objectAlt, ...(s['nullable'] === true ? { n: 1 as const } : {}) };
    const types = [...new Set(nodes.flatMap((n) => (Array.isArray(n.t) ? n.t : [n.t])))];
    return { t: types.length === 1 ? types[0]! : types, ...(s['nullable'] === true ? { n: 1 as const } : {}) };
  }
  const out: FieldNode = { t: typeof s['type'] === 'string' ? (s['type'] as string) : s['properties'] ? 'object' : 'string' };
  if (s['nullable'] === true) out.n = 1;
  if (typeof s['format'] === 'string') out.f = s['format'] as string;
  if (Array.isArray(s['enum'])) out.e = (s['enum'] as unknown[]).slice(0, 60);
  if (isObj(s['properties'])) {
    out.t = 'object';
    out.p = {};
    for (const [k, v] of Object.entries(s['properties'])) out.p[k] = compact(v, resolve, depth + 1);
  }
  if (out.t === 'array') out.i = compact(s['items'] ?? {}, resolve, depth + 1);
  return out;
}

interface ParamMeta { name: string; type?: string; max?: number; required?: true; default?: unknown; enum?: unknown[] }

interface EndpointMeta {
  tokenCost: number;
  params: ParamMeta[];
  /** The compact tree of the 200 response body. */
  response: FieldNode;
  /** Upper page size named in the `limit` description or schema, if any. */
  maxLimit?: number;
}

function limitMax(p: Json): number | undefined {
  const schema = p['schema'] as Json | undefined;
  if (schema && typeof schema['maximum'] === 'number') return schema['maximum'];
  const d = String(p['description'] ?? '');
  const m = /(?:maximum value of|upper limit is|maximum of)\s+(\d+)/i.exec(d);
  return m ? Number(m[1]) : undefined;
}

function extract(doc: Json, paths: string[]): Record<string, EndpointMeta> {
  const resolve = makeResolver(doc);
  const out: Record<string, EndpointMeta> = {};
  const all = doc['paths'] as Json;
  for (const path of paths) {
    const op = resolve((resolve(all[path]))['get']);
    if (!op['responses']) throw new Error(`no GET ${path}`);
    const params: ParamMeta[] = [];
    let maxLimit: number | undefined;
    for (const raw of (op['parameters'] as unknown[] | undefined) ?? []) {
      const p = resolve(raw);
      if (p['in'] !== 'query') continue;
      const schema = resolve(p['schema']);
      const pm: ParamMeta = { name: String(p['name']) };
      if (typeof schema['type'] === 'string') pm.type = schema['type'] as string;
      if (p['required'] === true) pm.required = true;
      if (schema['default'] !== undefined) pm.default = schema['default'];
      if (Array.isArray(schema['enum'])) pm.enum = schema['enum'] as unknown[];
      if (pm.name === 'limit') {
        maxLimit = limitMax(p);
        if (maxLimit !== undefined) pm.max = maxLimit;
      }
      params.push(pm);
    }
    const content = (resolve((op['responses'] as Json)['200'])['content'] as Json)['application/json'] as Json;
    const response = compact(content['schema'], resolve);
    out[path] = {
      tokenCost: Number(op['x-token-cost'] ?? 0),
      params,
      response,
      ...(maxLimit !== undefined ? { maxLimit } : {}),
    };
  }
  return out;
}

/** The text of `emulator/meta.json` from the two parsed specs. */
export function emulatorMeta(docs: Record<'v1' | 'v2', Json>): string {
  const meta: Record<string, unknown> = {
    note: 'Generated by scripts/emulator-meta.ts from the Pipedrive OpenAPI specs; do not edit by hand.',
  };
  for (const v of ['v1', 'v2'] as const) {
    const doc = docs[v];
    meta[v] = extract(doc, ENDPOINTS[v]);
    // The OAuth token endpoint (v1 spec, oauth server).
    if (v === 'v1') {
      const resolveRef = makeResolver(doc);
      const tok = resolveRef((resolveRef((doc['paths'] as Json)['/oauth/token']))['post']);
      const content = (resolveRef((tok['responses'] as Json)['200'])['content'] as Json)['application/json'] as Json;
      meta['oauthToken'] = compact(content['schema'], resolveRef);
    }
  }
  return JSON.stringify(meta) + '\n';
}

function main(): void {
  const ref = resolve(arg('--ref', '../shared/reference'));
  const outFile = resolve(arg('--out', 'emulator/meta.json'));
  const read = (v: 'v1' | 'v2') => parse(readFileSync(join(ref, `pipedrive-openapi-${v}.yaml`), 'utf8'), { maxAliasCount: -1 }) as Json;
  writeFileSync(outFile, emulatorMeta({ v1: read('v1'), v2: read('v2') }));
  process.stderr.write(`wrote ${outFile}\n`);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) main();
