import type { StreamDefinition } from './types.js';
import { v2List, byId, clientByUpdateTime } from './common.js';

export const stages: StreamDefinition = {
  name: 'stages',
  description: 'Stages of all pipelines (API v2; no `updated_since` filter, filtered on the client).',
  ...v2List,
  path: '/stages',
  ...byId,
  ...clientByUpdateTime,
  tokenCost: 5,
};
