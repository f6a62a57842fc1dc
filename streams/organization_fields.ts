import type { StreamDefinition } from './types.js';

export const organizationFields: StreamDefinition = {
  name: 'organization_fields',
  description: 'Field definitions of organizations, including custom fields (API v2).',
  api: 'v2',
  path: '/organizationFields',
  paging: 'cursor',
  pageSize: 500,
  primaryKey: [['field_code']],
  incremental: 'none',
  tokenCost: 10,
};
