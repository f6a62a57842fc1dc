import type { StreamDefinition } from './types.js';

export const organizations: StreamDefinition = {
  name: 'organizations',
  description: 'Organizations (API v2).',
  api: 'v2',
  path: '/organizations',
  paging: 'cursor',
  pageSize: 500,
  primaryKey: [['id']],
  cursorField: 'update_time',
  incremental: 'server',
  serverParams: { since: 'updated_since', sort: { sort_by: 'update_time', sort_direction: 'asc' } },
  tokenCost: 10,
};
