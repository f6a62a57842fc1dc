import type { StreamDefinition } from './types.js';
import { v2List } from './common.js';

export const organizationFields: StreamDefinition = {
  name: 'organization_fields',
  description: 'Field definitions of organizations, including custom fields (API v2).',
  ...v2List,
  path: '/organizationFields',
  primaryKey: [['field_code']],
  incremental: 'none',
  tokenCost: 10,
};
