import type { StreamDefinition } from './types.js';
import { deletedWhenInactive, unpaged } from './common.js';

export const activityTypes: StreamDefinition = {
  name: 'activity_types',
  description: 'Activity types (API v1, one request).',
  api: 'v1',
  path: '/activityTypes',
  ...unpaged,
  primaryKey: [['id']],
  cursorField: 'update_time',
  incremental: 'client',
  ...deletedWhenInactive,
  tokenCost: 20,
};
