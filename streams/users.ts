import type { StreamDefinition } from './types.js';
import { byId, deletedWhenIsDeleted, unpaged } from './common.js';

export const users: StreamDefinition = {
  name: 'users',
  description: 'Users of the company (API v1, one request).',
  api: 'v1',
  path: '/users',
  ...unpaged,
  ...byId,
  cursorField: 'modified',
  incremental: 'client',
  ...deletedWhenIsDeleted,
  tokenCost: 20,
};
