import type { StreamDefinition } from './types.js';

export const products: StreamDefinition = {
  name: 'products',
  description: 'Products (API v2).',
  api: 'v2',
  path: '/products',
  paging: 'cursor',
  pageSize: 500,
  primaryKey: [['id']],
  cursorField: 'update_time',
  incremental: 'server',
  serverParams: { since: 'updated_since', sort: { sort_by: 'update_time', sort_direction: 'asc' } },
  tokenCost: 10,
};
