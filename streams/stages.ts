import type { StreamDefinition } from './types.js';

export const stages: StreamDefinition = {
  name: 'stages',
  description: 'Stages of all pipelines (API v2; no `updated_since` filter, filtered on the client).',
  api: 'v2',
  path: '/stages',
  paging: 'cursor',
  pageSize: 500,
  primaryKey: [['id']],
  cursorField: 'update_time',
  incremental: 'client',
  tokenCost: 5,
};
