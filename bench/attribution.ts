/**
 * Which stream sent each request of a read, from the emulator's request log alone.
 *
 * The bench reads with `num_workers: 1`, so the streams run one after the other in catalog order, and orders the
 * catalog so that neighbouring streams never share an endpoint (`disjointOrder`). Every request can come from the
 * streams whose endpoints it matches: a stream's own paths, its parent's (a fan-out stream pages through its
 * parent first) and its estimate's (`/deals/summary`). `attribute` then finds the assignment that keeps the
 * catalog order and leaves the fewest requests unexplained (dynamic programming over log × streams); requests no
 * stream in order explains (e.g. a cost preview asked before the streams start) stay unattributed.
 */
import type { RequestLogEntry } from '../emulator/server.js';
import type { StreamDefinition } from '../streams/index.js';

interface Pattern { api: 'v1' | 'v2'; re: RegExp; key: string }

function pattern(api: 'v1' | 'v2', path: string): Pattern {
  const re = new RegExp(`^${path.split('{id}').map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[^/]+')}$`);
  return { api, re, key: `${api}:${path}` };
}

/** The endpoints a stream's read requests: its own, its parent's (recursively) and its estimate's. */
export function patternsOf(def: StreamDefinition): Pattern[] {
  const own = [def.path, ...(def.extraPaths ?? [])].map((p) => pattern(def.api, p));
  const estimate = def.estimate ? [pattern(def.estimate.api, def.estimate.path)] : [];
  const parent = def.fanOut ? patternsOf(def.fanOut.parent) : [];
  return [...own, ...parent, ...estimate];
}

/** `/api/v2/deals` → v2 `/deals`; `/v1/…` and `/api/v1/…` → v1. */
function split(path: string): { api: 'v1' | 'v2'; rest: string } | undefined {
  if (path.startsWith('/api/v2/')) return { api: 'v2', rest: path.slice('/api/v2'.length) };
  if (path.startsWith('/api/v1/')) return { api: 'v1', rest: path.slice('/api/v1'.length) };
  if (path.startsWith('/v1/')) return { api: 'v1', rest: path.slice('/v1'.length) };
  return undefined;
}

const matches = (ps: readonly Pattern[], e: RequestLogEntry): boolean => {
  const s = split(e.path);
  return s !== undefined && ps.some((p) => p.api === s.api && p.re.test(s.rest));
};

/** The streams in an order where no two neighbours share an endpoint (name order where possible). */
export function disjointOrder(defs: readonly StreamDefinition[]): StreamDefinition[] {
  const keys = new Map(defs.map((d) => [d.name, new Set(patternsOf(d).map((p) => p.key))]));
  const remaining = [...defs].sort((a, b) => a.name.localeCompare(b.name));
  const order: StreamDefinition[] = [];
  while (remaining.length) {
    const prev = order.at(-1);
    const prevKeys = prev ? keys.get(prev.name) : undefined;
    const i = prevKeys ? remaining.findIndex((d) => ![...(keys.get(d.name) ?? [])].some((k) => prevKeys.has(k))) : 0;
    order.push(...remaining.splice(i < 0 ? 0 : i, 1));
  }
  return order;
}

export interface StreamUse { requests: number; tokens: number; parentRequests: number }

export interface Attribution {
  perStream: Map<string, StreamUse>;
  unattributed: { requests: number; tokens: number };
}

/** Assigns each log entry to the stream (in catalog `order`) that sent it. */
export function attribute(order: readonly StreamDefinition[], log: readonly RequestLogEntry[]): Attribution {
  const S = order.length;
  const pats = order.map(patternsOf);
  const parentPats = order.map((d) => (d.fanOut ? patternsOf(d.fanOut.parent) : []));
  // cost[p]: fewest unexplained entries so far with the last assigned stream p - 1 (p = 0: none yet).
  let cost: number[] = new Array<number>(S + 1).fill(Number.POSITIVE_INFINITY);
  cost[0] = 0;
  const choice: Int16Array[] = [];
  for (const e of log) {
    const next = new Array<number>(S + 1).fill(Number.POSITIVE_INFINITY);
    const from = new Int16Array(S + 1).fill(-1);
    let best = Number.POSITIVE_INFINITY;
    let bestP = -1;
    for (let p = 0; p <= S; p++) {
      const c = cost[p] as number;
      if (c < best) { best = c; bestP = p; }
      if (p >= 1 && bestP >= 0 && matches(pats[p - 1] as Pattern[], e) && best <= c + 1) {
        next[p] = best;
        from[p] = bestP;
      } else {
        next[p] = c + 1;
        from[p] = -1 - p;
      }
    }
    choice.push(from);
    cost = next;
  }
  let p = cost.indexOf(Math.min(...cost));
  const assigned = new Array<number>(log.length).fill(-1);
  for (let j = log.length - 1; j >= 0; j--) {
    const f = (choice[j] as Int16Array)[p] as number;
    if (f >= 0) {
      assigned[j] = p - 1;
      p = f;
    } // else unexplained: the pointer stays at p
  }
  const perStream = new Map<string, StreamUse>(order.map((d) => [d.name, { requests: 0, tokens: 0, parentRequests: 0 }]));
  const unattributed = { requests: 0, tokens: 0 };
  log.forEach((e, j) => {
    const k = assigned[j] as number;
    const def = order[k];
    if (k < 0 || def === undefined) {
      unattributed.requests++;
      unattributed.tokens += e.tokenCost;
      return;
    }
    const use = perStream.get(def.name) as StreamUse;
    use.requests++;
    use.tokens += e.tokenCost;
    if (matches(parentPats[k] as Pattern[], e)) use.parentRequests++;
  });
  return { perStream, unattributed };
}
