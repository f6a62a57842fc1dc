import type { StreamDefinition } from './types.js';

export const pipelines: StreamDefinition = {
  name: 'pipelines',
  description: 'Pipelines (API v2; no `updated_since` filter, filtered on the client).',
  api: 'v2',
  path: '/pipelines',
  paging: 'cursor',
  pageSize: 500,
  primaryKey: [['id']],
  cursorField: 'update_time',
  incremental: 'client',
  tokenCost: 5,
};
