import type { StreamDefinition } from './types.js';

export const dealFields: StreamDefinition = {
  name: 'deal_fields',
  description: 'Field definitions of deals, including custom fields (API v2).',
  api: 'v2',
  path: '/dealFields',
  paging: 'cursor',
  pageSize: 500,
  primaryKey: [['field_code']],
  incremental: 'none',
  tokenCost: 10,
};
