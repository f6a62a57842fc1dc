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
  // v1 sent the attendees of meetings with every activity; v2 only when asked (the OpenAPI enum of include_fields).
  includeFields: ['attendees'],
  tokenCost: 10,
};
