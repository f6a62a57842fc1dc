import type { StreamDefinition } from './types.js';
import { byId } from './common.js';

export const permissionSets: StreamDefinition = {
  name: 'permission_sets',
  description: 'Permission sets (API v1, one request).',
  api: 'v1',
  path: '/permissionSets',
  paging: 'none',
  ...byId,
  incremental: 'none',
  tokenCost: 20,
};
