/**
 * What the connector's history and option streams must return, from the emulator's ground truth: the truth holds the
 * change-log entries newest first per parent, with the parent id; the connector adds `change_seq`, which this helper
 * derives on its own from the definition of the key (docs/custom-fields-and-deletes.md): the number of older entries
 * of the same parent with the same `time` and `field_key`.
 */
import type { Emulator } from './emulator.js';

type Rec = Record<string, unknown>;

export const CHANGELOGS = { deal_changelog: 'deal_id', person_changelog: 'person_id', organization_changelog: 'organization_id' } as const;
export type ChangelogStream = keyof typeof CHANGELOGS;
export const OPTION_STREAMS = ['activity_field_options', 'deal_field_options', 'organization_field_options', 'person_field_options', 'product_field_options'] as const;

/** The truth of a change-log stream with the `change_seq` each entry must carry. */
export function expectedChangelog(emu: Emulator, stream: ChangelogStream): Rec[] {
  const parent = CHANGELOGS[stream];
  const truth = [...emu.groundTruth(stream)];
  const out: Rec[] = [];
  // Entries of one parent are consecutive in the truth, newest first: count each group from the parent's oldest entry.
  for (let i = 0; i < truth.length; i++) {
    const e = truth[i] as Rec;
    let older = 0;
    for (let j = i + 1; j < truth.length && (truth[j] as Rec)[parent] === e[parent]; j++) {
      const o = truth[j] as Rec;
      if (o['time'] === e['time'] && o['field_key'] === e['field_key']) older++;
    }
    out.push({ ...e, change_seq: older });
  }
  return out;
}

/** The key of a change-log record: parent id, time, field_key, change_seq. */
export const changeKey = (stream: ChangelogStream, r: Rec): string => JSON.stringify([r[CHANGELOGS[stream]], r['time'], r['field_key'], r['change_seq']]);

/** Records sorted by a key, for an exact comparison that does not depend on the order parents are read in. */
export const sortedBy = (records: readonly Rec[], key: (r: Rec) => string): Rec[] => [...records].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
