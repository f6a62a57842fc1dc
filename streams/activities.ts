import type { StreamDefinition } from './types.js';
import { v2List, byId, serverByUpdateTime, deletedWhenIsDeleted, sweepById } from './common.js';
import { activityFields } from './activity_fields.js';

export const activities: StreamDefinition = {
  name: 'activities',
  description: 'Activities (API v2).',
  ...v2List,
  path: '/activities',
  ...byId,
  ...serverByUpdateTime,
  ...deletedWhenIsDeleted,
  ...sweepById,
  customFields: activityFields,
  tokenCost: 10,
};
