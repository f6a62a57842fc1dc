import type { StreamDefinition } from './types.js';
import { changelog, skipGoneParents } from './common.js';
import { deals } from './deals.js';

export const dealChangelog: StreamDefinition = {
  name: 'deal_changelog',
  description: 'Field history of the deals (not archived; deleted ones included): one record per change of a field (stage moves, value, owner, status, custom fields by key), with deal_id and change_seq (API v1).',
  path: '/deals/{id}/changelog',
  fanOut: { parent: deals, batchSize: 1, skipParentOn: skipGoneParents, parentIdField: 'deal_id' },
  ...changelog,
  primaryKey: [['deal_id'], ['time'], ['field_key'], ['change_seq']],
};
