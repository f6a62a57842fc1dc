/**
 * Records whose primary key is missing or null are skipped: destinations that deduplicate by key reject them or
 * merge them all into one row. The stream counts them and says so once, with one WARN at its end.
 */
import type { StreamDefinition } from '../../streams/types.js';
import type { JsonObject } from '../protocol.js';
import { valueAt } from '../valueAt.js';
import type { PageStage } from './readStream.js';

export interface KeyGate {
  /** The per-page stage: the records that have every primary-key field (the same array when all do). */
  readonly stage: PageStage;
  /** Records skipped so far. */
  skipped(): number;
}

export function keyGate(def: Pick<StreamDefinition, 'primaryKey'>): KeyGate {
  const paths = def.primaryKey.map((p) => (p.length === 1 ? (p[0] as string) : p.join('.')));
  const nested = def.primaryKey.map((p) => p.length > 1);
  const hasKey = (r: JsonObject): boolean => {
    for (let i = 0; i < paths.length; i++) {
      const v = nested[i] ? valueAt(r, paths[i] as string) : r[paths[i] as string];
      if (v === null || v === undefined) return false;
    }
    return true;
  };
  let skipped = 0;
  return {
    stage: (records) => {
      let all = true;
      for (const r of records) if (!hasKey(r)) { all = false; break; }
      if (all) return records;
      const kept = records.filter(hasKey);
      skipped += records.length - kept.length;
      return kept;
    },
    skipped: () => skipped,
  };
}

/** The WARN of a stream that skipped records, naming its key. */
export function skippedMessage(stream: string, def: Pick<StreamDefinition, 'primaryKey'>, count: number): string {
  return `${stream}: skipped ${count} record${count === 1 ? '' : 's'} without a primary key (${def.primaryKey.map((p) => p.join('.')).join(', ')} missing or null): destinations that deduplicate by key cannot take them`;
}
