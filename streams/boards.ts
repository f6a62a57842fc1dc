import type { StreamDefinition } from './types.js';
import { byId, clientByUpdateTime, unpaged, planGated } from './common.js';

export const boards: StreamDefinition = {
  name: 'boards',
  description: 'Project boards (API v2, one request).',
  api: 'v2',
  path: '/boards',
  ...unpaged,
  ...byId,
  ...clientByUpdateTime,
  ...planGated,
  tokenCost: 10,
};
