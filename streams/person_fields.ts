import type { StreamDefinition } from './types.js';

export const personFields: StreamDefinition = {
  name: 'person_fields',
  description: 'Field definitions of persons, including custom fields (API v2).',
  api: 'v2',
  path: '/personFields',
  paging: 'cursor',
  pageSize: 500,
  primaryKey: [['field_code']],
  incremental: 'none',
  tokenCost: 10,
};
