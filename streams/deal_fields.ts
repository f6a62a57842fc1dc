import type { StreamDefinition } from './types.js';
import { v2List } from './common.js';

export const dealFields: StreamDefinition = {
  name: 'deal_fields',
  description: 'Field definitions of deals, including custom fields (API v2).',
  ...v2List,
  path: '/dealFields',
  primaryKey: [['field_code']],
  incremental: 'none',
  tokenCost: 10,
};
