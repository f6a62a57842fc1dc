import type { StreamDefinition } from './types.js';
import { v2List, byId, serverByUpdateTime, deletedWhenIsDeleted, sweepById } from './common.js';
import { personFields } from './person_fields.js';

export const persons: StreamDefinition = {
  name: 'persons',
  description: 'Persons (API v2).',
  ...v2List,
  path: '/persons',
  ...byId,
  ...serverByUpdateTime,
  ...deletedWhenIsDeleted,
  ...sweepById,
  customFields: personFields,
  tokenCost: 10,
};
