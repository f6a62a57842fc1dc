import type { StreamDefinition } from './types.js';
import { v2List, byId, clientByUpdateTime, deletedWhenIsDeleted } from './common.js';

export const pipelines: StreamDefinition = {
  name: 'pipelines',
  description: 'Pipelines (API v2; no `updated_since` filter, filtered on the client).',
  ...v2List,
  path: '/pipelines',
  ...byId,
  ...clientByUpdateTime,
  ...deletedWhenIsDeleted,
  tokenCost: 5,
};
