/**
 * streams/records.ts is what scripts/record-types.ts generates from the committed stream schemas (fix: npm run build
 * && npm run record-types), one type per stream.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../helpers/protocol.js';
import { OUTPUT, recordTypesSource, typeName } from '../../scripts/record-types.js';
import { STREAM_NAMES } from '../../streams/records.js';
import { allStreams } from '../../streams/index.js';

describe('record types (streams/records.ts)', () => {
  it('are up to date with the stream schemas (fix: npm run build && npm run record-types)', () => {
    expect(readFileSync(join(repoRoot, OUTPUT), 'utf8')).toBe(recordTypesSource());
  });

  it('have one type per stream, with readable names, and the stream name list', () => {
    expect(STREAM_NAMES).toEqual(allStreams.map((d) => d.name));
    const names = allStreams.map((d) => typeName(d.name));
    expect(new Set(names).size).toBe(names.length);
    expect(['deals', 'persons', 'activities', 'activity_fields', 'deals_archived', 'deal_flow', 'currencies', 'mail'].map(typeName))
      .toEqual(['Deal', 'Person', 'Activity', 'ActivityField', 'ArchivedDeal', 'DealFlow', 'Currency', 'Mail']);
    const source = recordTypesSource();
    for (const def of allStreams) expect(source).toContain(`export interface ${typeName(def.name)} {`);
  });

  it('make the primary key required and nullable fields optional', () => {
    const source = recordTypesSource();
    const deal = source.slice(source.indexOf('export interface Deal {'), source.indexOf('export interface ArchivedDeal {'));
    expect(deal).toMatch(/\n {2}id: number;\n/);
    expect(deal).toMatch(/\n {2}title\?: string \| null;\n/);
    expect(deal).toMatch(/\n {2}custom_fields\?: \{ \[key: string\]: unknown \} \| null;\n/);
    expect(deal).toMatch(/\n {2}label_ids\?: Array<number \| null> \| null;\n/);
    expect(deal).toMatch(/\n {2}\[key: string\]: unknown;\n\}/);
  });
});
