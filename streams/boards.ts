import type { StreamDefinition } from './types.js';

export const boards: StreamDefinition = {
  name: 'boards',
  description: 'Project boards (API v2, one request).',
  api: 'v2',
  path: '/boards',
  paging: 'none',
  primaryKey: [['id']],
  cursorField: 'update_time',
  incremental: 'client',
  tokenCost: 10,
};
