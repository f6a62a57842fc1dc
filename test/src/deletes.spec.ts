import { describe, expect, it } from 'vitest';
import { deleteMarker, matchesSignal } from '../../src/deletes.js';
import { allStreams, loadSchema, streamByName } from '../../streams/index.js';
import type { JsonObject } from '../../src/protocol.js';

const NOW = Date.parse('2026-01-02T03:04:05.678Z');
const mark = (stream: string, records: JsonObject[]): readonly JsonObject[] => {
  const def = streamByName(stream);
  if (!def) throw new Error(stream);
  return deleteMarker(def, () => NOW)(records);
};

describe('delete signals of the stream definitions', () => {
  it('exist for 20 streams, and each of their schemas has the signal field and _ab_cdc_deleted_at', () => {
    const withSignal = allStreams.filter((d) => d.deleted !== undefined);
    expect(withSignal).toHaveLength(20);
    for (const def of withSignal) {
      const stream = def.name;
      const rule = def.deleted as NonNullable<typeof def.deleted>;
      const props = loadSchema(def)['properties'] as Record<string, unknown>;
      expect(props[rule.field], `${stream}.${rule.field}`).toBeDefined();
      expect(props['_ab_cdc_deleted_at'], `${stream}._ab_cdc_deleted_at`).toMatchObject({ type: ['string', 'null'], format: 'date-time' });
    }
  });
});

describe('matchesSignal', () => {
  it('takes v1 0/1 flags as booleans', () => {
    expect(matchesSignal({ field: 'deleted_flag', equals: true }, 1)).toBe(true);
    expect(matchesSignal({ field: 'deleted_flag', equals: true }, '1')).toBe(true);
    expect(matchesSignal({ field: 'deleted_flag', equals: true }, 0)).toBe(false);
    expect(matchesSignal({ field: 'active_flag', equals: false }, 0)).toBe(true);
    expect(matchesSignal({ field: 'active_flag', equals: false }, true)).toBe(false);
    expect(matchesSignal({ field: 'status', equals: 'deleted' }, 'deleted')).toBe(true);
    expect(matchesSignal({ field: 'status', equals: 'deleted' }, 'open')).toBe(false);
  });
});

describe('deleteMarker', () => {
  it('is_deleted (v2 entities, users): the cursor time, RFC 3339', () => {
    const [a, b] = mark('persons', [
      { id: 1, is_deleted: true, update_time: '2024-03-01T10:00:00Z' },
      { id: 2, is_deleted: false, update_time: '2024-03-01T10:00:00Z' },
    ]);
    expect(a?.['_ab_cdc_deleted_at']).toBe('2024-03-01T10:00:00Z');
    expect(b && '_ab_cdc_deleted_at' in b).toBe(false);
    // users: the cursor is `modified`, a v1 naive timestamp.
    expect(mark('users', [{ id: 1, is_deleted: true, modified: '2024-03-01 10:00:00' }])[0]?.['_ab_cdc_deleted_at']).toBe('2024-03-01T10:00:00Z');
  });

  it('active_flag false (notes, files, filters, roles, activity types)', () => {
    const [a, b] = mark('notes', [
      { id: 1, active_flag: false, update_time: '2024-01-02 03:04:05' },
      { id: 2, active_flag: true, update_time: '2024-01-02 03:04:05' },
    ]);
    expect(a?.['_ab_cdc_deleted_at']).toBe('2024-01-02T03:04:05Z');
    expect(b?.['_ab_cdc_deleted_at']).toBeUndefined();
    // currencies are only inactive, never deleted: no rule.
    expect(mark('currencies', [{ id: 1, active_flag: false }])[0]?.['_ab_cdc_deleted_at']).toBeUndefined();
  });

  it('deleted_flag 1 (mail threads, legacy teams without an update time: the read time)', () => {
    expect(mark('mail_threads', [{ id: 1, deleted_flag: 1, update_time: '2024-01-02T03:04:05.000Z' }])[0]?.['_ab_cdc_deleted_at']).toBe('2024-01-02T03:04:05Z');
    expect(mark('mail_threads', [{ id: 1, deleted_flag: 0, update_time: '2024-01-02T03:04:05.000Z' }])[0]?.['_ab_cdc_deleted_at']).toBeUndefined();
    expect(mark('legacy_teams', [{ id: 1, deleted_flag: true, add_time: '2020-01-01 00:00:00' }])[0]?.['_ab_cdc_deleted_at']).toBe('2026-01-02T03:04:05Z');
  });

  it('projects: status deleted', () => {
    const [a, b] = mark('projects', [
      { id: 1, status: 'deleted', update_time: '2024-05-05T00:00:00Z' },
      { id: 2, status: 'completed', update_time: '2024-05-05T00:00:00Z' },
    ]);
    expect(a?.['_ab_cdc_deleted_at']).toBe('2024-05-05T00:00:00Z');
    expect(b?.['_ab_cdc_deleted_at']).toBeUndefined();
  });

  it('returns the same page; streams without a signal are untouched (no per-record work)', () => {
    const page = Object.freeze([Object.freeze({ id: 1, is_deleted: true })]);
    expect(mark('currencies', page as unknown as JsonObject[])).toBe(page);
    const deals: JsonObject[] = [{ id: 1, is_deleted: true, update_time: '2024-01-01T00:00:00Z', _ab_cdc_deleted_at: '2023-01-01T00:00:00Z' }];
    expect(mark('deals', deals)).toBe(deals);
    // A value already present is kept.
    expect(deals[0]?.['_ab_cdc_deleted_at']).toBe('2023-01-01T00:00:00Z');
  });
});
