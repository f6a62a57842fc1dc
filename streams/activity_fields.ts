import type { StreamDefinition } from './types.js';
import { v2List } from './common.js';

export const activityFields: StreamDefinition = {
  name: 'activity_fields',
  description: 'Field definitions of activities, including custom fields (API v2).',
  ...v2List,
  path: '/activityFields',
  primaryKey: [['field_code']],
  incremental: 'none',
  tokenCost: 10,
};
