import type { StreamDefinition } from './types.js';

export const files: StreamDefinition = {
  name: 'files',
  description: 'Files (API v1, at most 100 per page).',
  api: 'v1',
  path: '/files',
  paging: 'offset',
  pageSize: 100,
  primaryKey: [['id']],
  cursorField: 'update_time',
  incremental: 'client',
  tokenCost: 20,
};
