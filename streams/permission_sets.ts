import type { StreamDefinition } from './types.js';
import { byId, unpaged } from './common.js';

export const permissionSets: StreamDefinition = {
  name: 'permission_sets',
  description: 'Permission sets (API v1, one request).',
  api: 'v1',
  path: '/permissionSets',
  ...unpaged,
  ...byId,
  incremental: 'none',
  tokenCost: 20,
};
