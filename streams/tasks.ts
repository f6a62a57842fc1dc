import type { StreamDefinition } from './types.js';
import { v2List, byId, clientByUpdateTime, planGated } from './common.js';

export const tasks: StreamDefinition = {
  name: 'tasks',
  description: 'Project tasks (API v2).',
  ...v2List,
  path: '/tasks',
  ...byId,
  ...clientByUpdateTime,
  ...planGated,
  tokenCost: 10,
};
