import type { StreamDefinition } from './types.js';

export const permissionSets: StreamDefinition = {
  name: 'permission_sets',
  description: 'Permission sets (API v1, one request).',
  api: 'v1',
  path: '/permissionSets',
  paging: 'none',
  primaryKey: [['id']],
  incremental: 'none',
  tokenCost: 20,
};
