import { describe, expect, it } from 'vitest';
import { predictCost, previewLine, spendLine, countKey, type Count } from '../../../src/read/costPreview.js';
import { streamByName } from '../../../streams/index.js';
import type { StreamDefinition } from '../../../streams/types.js';
import { createProgress } from '../../../src/progress.js';

const def = (name: string): StreamDefinition => streamByName(name) ?? (() => { throw new Error(name); })();
const dealsCount = (total: number, chargedTo = 'deals'): Map<string, Count> => new Map([[countKey(def('deals')) as string, { total, chargedTo }]]);

describe('predictCost', () => {
  it('a full read of a counted list: its pages, and the count request where it is charged', () => {
    expect(predictCost({ def: def('deals'), syncMode: 'full_refresh' }, undefined, dealsCount(1201))).toEqual({ stream: 'deals', tokens: 40 + 3 * 10, basis: '1,201 records counted' });
    // The count was charged to another stream of the read.
    expect(predictCost({ def: def('deals'), syncMode: 'full_refresh' }, undefined, dealsCount(1201, 'deal_flow')).tokens).toBe(30);
    // An empty list still costs one page.
    expect(predictCost({ def: def('deals'), syncMode: 'full_refresh' }, undefined, dealsCount(0)).tokens).toBe(50);
  });

  it('a fan-out of a counted parent: the parent pages, and one request per parent (or per batch)', () => {
    expect(predictCost({ def: def('deal_flow'), syncMode: 'full_refresh' }, undefined, dealsCount(1201, 'deal_flow')))
      .toEqual({ stream: 'deal_flow', tokens: 40 + 3 * 10 + 1201 * 40, basis: '1,201 deals counted' });
    expect(predictCost({ def: def('deal_products'), syncMode: 'full_refresh' }, undefined, dealsCount(1201))).toEqual({ stream: 'deal_products', tokens: 3 * 10 + 13 * 10, basis: '1,201 deals counted' });
  });

  it('an incremental read: the spend its last complete run recorded in the state, else unknown', () => {
    const since = '2024-01-01T00:00:00Z';
    expect(predictCost({ def: def('deals'), syncMode: 'incremental', state: { update_time: since, tokens_spent: 70 } }, since, dealsCount(5000))).toEqual({ stream: 'deals', tokens: 70, basis: 'last run' });
    expect(predictCost({ def: def('persons'), syncMode: 'incremental', state: { update_time: since } }, since, new Map())).toEqual({ stream: 'persons', tokens: undefined, basis: 'unknown' });
  });

  it('a stream of one request costs exactly that; uncounted lists are unknown', () => {
    expect(predictCost({ def: def('currencies'), syncMode: 'full_refresh' }, undefined, new Map())).toEqual({ stream: 'currencies', tokens: 20, basis: 'one request' });
    expect(predictCost({ def: def('persons'), syncMode: 'full_refresh' }, undefined, new Map())).toEqual({ stream: 'persons', tokens: undefined, basis: 'unknown' });
    // mail_threads: four folders, paged: unknown; projects: two paths of one list each.
    expect(predictCost({ def: def('mail_threads'), syncMode: 'full_refresh' }, undefined, new Map()).tokens).toBeUndefined();
  });
});

describe('the preview and spend lines', () => {
  const predictions = [
    { stream: 'deals', tokens: 70, basis: '1,201 records counted' },
    { stream: 'persons', tokens: undefined, basis: 'unknown' },
    { stream: 'currencies', tokens: 20, basis: 'one request' },
  ];
  it('says per stream what is predicted and how, and the total', () => {
    expect(previewLine(predictions)).toBe('Cost preview, predicted API tokens: deals ≈ 70 (1,201 records counted), persons unknown, currencies ≈ 20 (one request); total ≈ 90 + 1 stream unknown');
  });
  it('sets the real spend beside the prediction', () => {
    expect(spendLine(predictions, new Map([['deals', 70], ['persons', 1230], ['currencies', 20]]), 1320))
      .toBe('Cost, API tokens spent: deals 70 (predicted ≈ 70), persons 1,230 (predicted unknown), currencies 20 (predicted ≈ 20); total 1,320 (predicted ≈ 90 + 1 stream unknown)');
  });
  it('shows in the progress display', () => {
    let out = '';
    const p = createProgress({ isTTY: true, columns: 200, write: (s: string) => { out += s; } }, { enabled: true, now: () => 1000, intervalMs: 1_000_000 });
    p.predict(predictions);
    p.stop();
    expect(out).toContain('≈70 tokens');
    expect(out).toContain('? tokens');
  });
});
