import type { StreamDefinition } from './types.js';

export const activityFields: StreamDefinition = {
  name: 'activity_fields',
  description: 'Field definitions of activities, including custom fields (API v2).',
  api: 'v2',
  path: '/activityFields',
  paging: 'cursor',
  pageSize: 500,
  primaryKey: [['field_code']],
  incremental: 'none',
  tokenCost: 10,
};
