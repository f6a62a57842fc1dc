import type { StreamDefinition } from './types.js';

export const projectTemplates: StreamDefinition = {
  name: 'project_templates',
  description: 'Project templates (API v2).',
  api: 'v2',
  path: '/projectTemplates',
  paging: 'cursor',
  pageSize: 500,
  primaryKey: [['id']],
  cursorField: 'update_time',
  incremental: 'client',
  tokenCost: 10,
};
