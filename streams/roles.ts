import type { StreamDefinition } from './types.js';
import { byId, deletedWhenInactive, v1Offset } from './common.js';

export const roles: StreamDefinition = {
  name: 'roles',
  description: 'Roles (API v1).',
  api: 'v1',
  path: '/roles',
  ...v1Offset,
  pageSize: 500,
  ...byId,
  incremental: 'none',
  ...deletedWhenInactive,
  tokenCost: 20,
};
