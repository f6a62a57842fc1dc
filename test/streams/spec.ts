/** Test helper: Pipedrive's OpenAPI specs from `../shared/reference`, parsed once per test file. */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { pathToFileURL } from 'node:url';
import { packageRoot } from '../../src/paths.js';
import type { ApiVersion } from '../../streams/types.js';

export type Node = Record<string, unknown>;

export const referenceDir = new URL('../shared/reference/', pathToFileURL(`${packageRoot()}/`));

const docs = new Map<ApiVersion, Node>();

export function openApi(api: ApiVersion): Node {
  let doc = docs.get(api);
  if (!doc) {
    doc = parse(readFileSync(new URL(`pipedrive-openapi-${api}.yaml`, referenceDir), 'utf8')) as Node;
    docs.set(api, doc);
  }
  return doc;
}

export function isNode(v: unknown): v is Node {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Follows local `$ref`s. */
export function deref(api: ApiVersion, node: unknown): unknown {
  let cur = node;
  for (let hops = 0; isNode(cur) && typeof cur['$ref'] === 'string' && hops < 50; hops++) {
    let target: unknown = openApi(api);
    for (const part of cur['$ref'].replace(/^#\//, '').split('/')) target = isNode(target) ? target[part] : undefined;
    cur = target;
  }
  return cur;
}

/** The GET operation of a path, or undefined. */
export function getOperation(api: ApiVersion, path: string): Node | undefined {
  const paths = openApi(api)['paths'];
  const item = isNode(paths) ? paths[path] : undefined;
  const get = isNode(item) ? item['get'] : undefined;
  return isNode(get) ? get : undefined;
}

/** Query parameters of a GET operation, by name. */
export function queryParams(api: ApiVersion, path: string): Map<string, Node> {
  const out = new Map<string, Node>();
  const params = getOperation(api, path)?.['parameters'];
  for (const p of Array.isArray(params) ? params : []) {
    const param = deref(api, p);
    if (isNode(param) && param['in'] === 'query' && typeof param['name'] === 'string') out.set(param['name'], param);
  }
  return out;
}

/**
 * The properties a spec schema declares, with `$ref`s resolved and `allOf`/`oneOf`/`anyOf` branches folded in
 * (a deliberately simple, independent reading of the spec, to cross-check the generator).
 */
export function specProperties(api: ApiVersion, schema: unknown, depth = 0): Map<string, Node> {
  const out = new Map<string, Node>();
  const s = deref(api, schema);
  if (!isNode(s) || depth > 20) return out;
  for (const key of ['allOf', 'oneOf', 'anyOf']) {
    const subs = s[key];
    if (Array.isArray(subs)) for (const sub of subs) for (const [k, v] of specProperties(api, sub, depth + 1)) out.set(k, v);
  }
  const props = s['properties'];
  if (isNode(props)) {
    for (const [k, v] of Object.entries(props)) {
      const resolved = deref(api, v);
      if (isNode(resolved)) out.set(k, resolved);
    }
  }
  return out;
}

/** The item schema of the records at `selector` (default `data`) of a path's 200 response. */
export function recordSchema(api: ApiVersion, path: string, selector = 'data'): unknown {
  const op = getOperation(api, path);
  const responses = op?.['responses'];
  const ok = deref(api, isNode(responses) ? responses['200'] : undefined);
  const content = isNode(ok) ? ok['content'] : undefined;
  const json = isNode(content) ? content['application/json'] : undefined;
  let node: unknown = isNode(json) ? json['schema'] : undefined;
  for (const key of selector.split('.')) node = specProperties(api, node).get(key);
  const n = deref(api, node);
  return isNode(n) && n['type'] === 'array' ? n['items'] : n;
}
