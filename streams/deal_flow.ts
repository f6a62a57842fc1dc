import type { StreamDefinition } from './types.js';
import { v1Offset, skipGoneParents } from './common.js';
import { deals } from './deals.js';

export const dealFlow: StreamDefinition = {
  name: 'deal_flow',
  description: 'Updates of every deal (changes, notes, activities, mails, files, …), custom field changes included; one request per deal (API v1).',
  api: 'v1',
  path: '/deals/{id}/flow',
  params: { all_changes: '1' },
  fanOut: { parent: deals, batchSize: 1, skipParentOn: skipGoneParents },
  ...v1Offset,
  pageSize: 500,
  primaryKey: [['object'], ['data', 'id']],
  cursorField: 'timestamp',
  incremental: 'client',
  tokenCost: 40,
};
