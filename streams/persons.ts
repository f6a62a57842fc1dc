import type { StreamDefinition } from './types.js';
import { v2List, byId, serverByUpdateTime } from './common.js';

export const persons: StreamDefinition = {
  name: 'persons',
  description: 'Persons (API v2).',
  ...v2List,
  path: '/persons',
  ...byId,
  ...serverByUpdateTime,
  tokenCost: 10,
};
