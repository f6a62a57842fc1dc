import type { StreamDefinition } from './types.js';

export const persons: StreamDefinition = {
  name: 'persons',
  description: 'Persons (API v2).',
  api: 'v2',
  path: '/persons',
  paging: 'cursor',
  pageSize: 500,
  primaryKey: [['id']],
  cursorField: 'update_time',
  incremental: 'server',
  serverParams: { since: 'updated_since', sort: { sort_by: 'update_time', sort_direction: 'asc' } },
  tokenCost: 10,
};
