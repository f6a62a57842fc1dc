import type { StreamDefinition } from './types.js';
import { byId } from './common.js';

export const roles: StreamDefinition = {
  name: 'roles',
  description: 'Roles (API v1).',
  api: 'v1',
  path: '/roles',
  paging: 'offset',
  pageSize: 500,
  ...byId,
  incremental: 'none',
  tokenCost: 20,
};
