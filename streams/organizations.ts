import type { StreamDefinition } from './types.js';
import { v2List, byId, serverByUpdateTime, deletedWhenIsDeleted, sweepById } from './common.js';
import { organizationFields } from './organization_fields.js';

export const organizations: StreamDefinition = {
  name: 'organizations',
  description: 'Organizations (API v2).',
  ...v2List,
  path: '/organizations',
  ...byId,
  ...serverByUpdateTime,
  ...deletedWhenIsDeleted,
  ...sweepById,
  customFields: organizationFields,
  tokenCost: 10,
};
