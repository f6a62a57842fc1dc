import type { StreamDefinition } from './types.js';
import { byId, clientByUpdateTime, deletedWhenInactive } from './common.js';

export const filters: StreamDefinition = {
  name: 'filters',
  description: 'Filters (API v1, one request).',
  api: 'v1',
  path: '/filters',
  paging: 'none',
  ...byId,
  ...clientByUpdateTime,
  ...deletedWhenInactive,
  tokenCost: 20,
};
