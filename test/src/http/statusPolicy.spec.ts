import { describe, expect, it } from 'vitest';
import { statusRule, streamOutcome } from '../../../src/http/statusPolicy.js';
import { HttpError, RateLimitError, isRetryable } from '../../../src/errors.js';
import { allStreams, streamByName } from '../../../streams/index.js';

const http = (status: number) => new HttpError({ status, method: 'GET', path: '/api/v2/deals' });

describe('the status table', () => {
  it.each([
    [400, 'fail', 'system_error', 'endpoint'],
    [401, 'fail', 'config_error', 'credentials'],
    [402, 'fail', 'config_error', 'endpoint'],
    [403, 'fail', 'config_error', 'endpoint'],
    [404, 'fail', 'system_error', 'endpoint'],
    [405, 'fail', 'system_error', 'endpoint'],
    [410, 'fail', 'system_error', 'endpoint'],
    [409, 'fail', 'system_error', 'request'],
    [429, 'retry', 'transient_error', 'request'],
    [500, 'retry', 'transient_error', 'request'],
    [503, 'retry', 'transient_error', 'request'],
  ] as const)('%i → %s (%s, scope %s)', (status, action, failureType, scope) => {
    expect(statusRule(status)).toEqual({ action, failureType, scope });
  });

  it('is what HttpError reports (retryable, failure type): one table', () => {
    for (const status of [400, 401, 402, 403, 404, 405, 409, 410, 422, 429, 500, 502, 503]) {
      expect(http(status).retryable, String(status)).toBe(statusRule(status).action === 'retry');
      expect(http(status).failureType, String(status)).toBe(statusRule(status).failureType);
      expect(isRetryable(http(status)), String(status)).toBe(statusRule(status).action === 'retry');
    }
    // A spent daily budget is a 429 that is not retried.
    expect(new RateLimitError({ status: 429, method: 'GET', path: '/x' }, 3600, true).retryable).toBe(false);
  });
});

describe('per-stream overrides', () => {
  it('skipParentOn applies to fan-out child requests only', () => {
    const flow = streamByName('deal_flow');
    if (!flow) throw new Error('deal_flow');
    expect(streamOutcome(flow, 404, true)).toEqual({ kind: 'skipParent' });
    expect(streamOutcome(flow, 404, false)).toEqual({ kind: 'fail' });
    expect(streamOutcome(flow, 500, true)).toEqual({ kind: 'fail' });
    expect(streamOutcome(flow, undefined, true)).toEqual({ kind: 'fail' });
  });

  it('unavailableOn ends plan-gated streams (402) and nothing else', () => {
    const gated = allStreams.filter((d) => d.unavailableOn !== undefined).map((d) => d.name).sort();
    expect(gated).toEqual(['boards', 'deal_installments', 'phases', 'project_fields', 'project_templates', 'projects', 'tasks']);
    for (const name of gated) {
      const def = streamByName(name);
      if (!def) throw new Error(name);
      expect(streamOutcome(def, 402, false), name).toEqual({ kind: 'unavailable' });
      expect(streamOutcome(def, 403, false), name).toEqual({ kind: 'fail' });
    }
    const deals = streamByName('deals');
    if (!deals) throw new Error('deals');
    expect(streamOutcome(deals, 402, false)).toEqual({ kind: 'fail' });
  });

  it('every fan-out stream declares which child statuses skip a parent', () => {
    for (const def of allStreams.filter((d) => d.fanOut)) expect(def.fanOut?.skipParentOn, def.name).toEqual([403, 404, 410]);
  });
});
