import type { StreamDefinition } from './types.js';

export const projects: StreamDefinition = {
  name: 'projects',
  description: 'Projects, active and archived (`/projects` then `/projects/archived`), including deleted ones (API v2).',
  api: 'v2',
  path: '/projects',
  extraPaths: ['/projects/archived'],
  params: { status: 'open,completed,canceled,deleted' },
  paging: 'cursor',
  pageSize: 500,
  primaryKey: [['id']],
  cursorField: 'update_time',
  incremental: 'client',
  tokenCost: 10,
};
