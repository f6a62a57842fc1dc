import type { StreamDefinition } from './types.js';
import { v2List, byId, clientByUpdateTime, deletedWhenIsDeleted } from './common.js';

export const stages: StreamDefinition = {
  name: 'stages',
  description: 'Stages of all pipelines (API v2; no `updated_since` filter, filtered on the client).',
  ...v2List,
  path: '/stages',
  ...byId,
  ...clientByUpdateTime,
  ...deletedWhenIsDeleted,
  tokenCost: 5,
};
