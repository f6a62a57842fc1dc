import type { StreamDefinition } from './types.js';
import { deletedWhenInactive } from './common.js';

export const leadFields: StreamDefinition = {
  name: 'lead_fields',
  description: 'Field definitions of leads (API v1; leads inherit the custom fields of deals).',
  api: 'v1',
  path: '/leadFields',
  paging: 'offset',
  pageSize: 500,
  primaryKey: [['key']],
  incremental: 'none',
  ...deletedWhenInactive,
  tokenCost: 20,
};
