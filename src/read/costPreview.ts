/**
 * The cost preview of a read: the API tokens each stream is predicted to spend, said at the start (one LOG line and
 * the progress display) and set beside the real spend at the end. A prediction comes from what can be known:
 *
 * 1. a count the API gives, for a full read (no cursor bound): `/deals/summary` counts the deals, so `deals` costs
 *    one page per 500 and `deal_flow` one request per deal, `deal_products` one per 100 (plus the parent's pages);
 * 2. for a stream of unpaged requests (no fan-out), exactly their cost;
 * 3. else the previous run's spend, which each stream's final STATE carries (`tokens_spent`);
 * 4. else unknown.
 */
import type { StreamDefinition } from '../../streams/types.js';
import type { StreamPlan } from './readStream.js';

/** The state key of the tokens a stream's last complete read spent (in its final STATE). */
export const TOKENS_SPENT = 'tokens_spent';

export interface CostPrediction {
  readonly stream: string;
  /** Predicted API tokens; undefined: unknown. */
  readonly tokens: number | undefined;
  /** How it was predicted, e.g. `1,200 deals counted`, `last run`, `one request`, `unknown`. */
  readonly basis: string;
}

/** A count the API gave (the records an estimate endpoint counts), and the stream its request is charged to. */
export interface Count {
  readonly total: number;
  readonly chargedTo: string;
}

/** The key of a definition's estimate endpoint (shared by the streams that count the same records). */
export const countKey = (def: Pick<StreamDefinition, 'estimate'>): string | undefined =>
  def.estimate ? `${def.estimate.api} ${def.estimate.path}` : undefined;

/** The definition whose count predicts `def`'s cost: its own estimate, or its fan-out parent's. */
export function countedBy(def: StreamDefinition): StreamDefinition | undefined {
  if (def.estimate && !def.fanOut) return def;
  if (def.fanOut?.parent.estimate) return def.fanOut.parent;
  return undefined;
}

const fmt = (n: number): string => n.toLocaleString('en-US');

/** Requests of a full read of `def` with `n` records: every path and partition, at least one page each. */
function listRequests(def: StreamDefinition, n: number): number {
  const chains = (1 + (def.extraPaths?.length ?? 0)) * (def.partitions?.length ?? 1);
  if (def.paging.kind === 'none') return chains;
  return chains * Math.max(1, Math.ceil(n / Math.max(1, def.pageSize ?? 1)));
}

/** The prediction for one stream of the read, `since` its start cursor (undefined: a full read). */
export function predictCost(plan: StreamPlan, since: string | undefined, counts: ReadonlyMap<string, Count>): CostPrediction {
  const { def } = plan;
  const stream = def.name;
  const source = since === undefined ? countedBy(def) : undefined;
  const key = source ? countKey(source) : undefined;
  const count = key !== undefined ? counts.get(key) : undefined;
  if (source && count) {
    const own = count.chargedTo === stream ? (source.estimate?.tokenCost ?? 0) : 0;
    const n = count.total;
    if (source === def) return { stream, tokens: own + listRequests(def, n) * def.tokenCost, basis: `${fmt(n)} records counted` };
    const fan = def.fanOut;
    if (fan) {
      const children = Math.ceil(n / Math.max(1, fan.batchSize)) * def.tokenCost;
      return { stream, tokens: own + listRequests(fan.parent, n) * fan.parent.tokenCost + children, basis: `${fmt(n)} ${fan.parent.name} counted` };
    }
  }
  if (!def.fanOut && def.paging.kind === 'none') return { stream, tokens: listRequests(def, 0) * def.tokenCost, basis: 'one request' };
  const last = plan.state?.[TOKENS_SPENT];
  if (typeof last === 'number' && Number.isFinite(last) && last >= 0) return { stream, tokens: last, basis: 'last run' };
  return { stream, tokens: undefined, basis: 'unknown' };
}

const total = (predictions: readonly CostPrediction[]): { known: number; unknown: number } => ({
  known: predictions.reduce((a, p) => a + (p.tokens ?? 0), 0),
  unknown: predictions.filter((p) => p.tokens === undefined).length,
});

const plus = (unknown: number): string => (unknown > 0 ? ` + ${unknown} stream${unknown === 1 ? '' : 's'} unknown` : '');

/** The LOG line at the start of a read. */
export function previewLine(predictions: readonly CostPrediction[]): string {
  const parts = predictions.map((p) => (p.tokens === undefined ? `${p.stream} unknown` : `${p.stream} ≈ ${fmt(p.tokens)} (${p.basis})`));
  const t = total(predictions);
  return `Cost preview, predicted API tokens: ${parts.join(', ')}; total ≈ ${fmt(t.known)}${plus(t.unknown)}`;
}

/** The LOG line at the end of a read: the real spend beside the prediction, per stream and in total. */
export function spendLine(predictions: readonly CostPrediction[], spent: ReadonlyMap<string, number>, spentTotal: number): string {
  const parts = predictions.map((p) => `${p.stream} ${fmt(spent.get(p.stream) ?? 0)} (predicted ${p.tokens === undefined ? 'unknown' : `≈ ${fmt(p.tokens)}`})`);
  const t = total(predictions);
  return `Cost, API tokens spent: ${parts.join(', ')}; total ${fmt(spentTotal)} (predicted ≈ ${fmt(t.known)}${plus(t.unknown)})`;
}
