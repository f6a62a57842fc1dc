import type { StreamDefinition } from './types.js';

export const filters: StreamDefinition = {
  name: 'filters',
  description: 'Filters (API v1, one request).',
  api: 'v1',
  path: '/filters',
  paging: 'none',
  primaryKey: [['id']],
  cursorField: 'update_time',
  incremental: 'client',
  tokenCost: 20,
};
