import type { StreamDefinition } from './types.js';

export const projectFields: StreamDefinition = {
  name: 'project_fields',
  description: 'Field definitions of projects, including custom fields (API v2).',
  api: 'v2',
  path: '/projectFields',
  paging: 'cursor',
  pageSize: 500,
  primaryKey: [['field_code']],
  incremental: 'none',
  tokenCost: 10,
};
