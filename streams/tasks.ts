import type { StreamDefinition } from './types.js';

export const tasks: StreamDefinition = {
  name: 'tasks',
  description: 'Project tasks (API v2).',
  api: 'v2',
  path: '/tasks',
  paging: 'cursor',
  pageSize: 500,
  primaryKey: [['id']],
  cursorField: 'update_time',
  incremental: 'client',
  tokenCost: 10,
};
