import type { StreamDefinition } from './types.js';
import { deletedWhenInactive, v1Offset } from './common.js';

export const leadFields: StreamDefinition = {
  name: 'lead_fields',
  description: 'Field definitions of leads (API v1; leads inherit the custom fields of deals).',
  api: 'v1',
  path: '/leadFields',
  ...v1Offset,
  pageSize: 500,
  primaryKey: [['key']],
  incremental: 'none',
  ...deletedWhenInactive,
  tokenCost: 20,
};
