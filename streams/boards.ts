import type { StreamDefinition } from './types.js';
import { byId, clientByUpdateTime } from './common.js';

export const boards: StreamDefinition = {
  name: 'boards',
  description: 'Project boards (API v2, one request).',
  api: 'v2',
  path: '/boards',
  paging: 'none',
  ...byId,
  ...clientByUpdateTime,
  tokenCost: 10,
};
