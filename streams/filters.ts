import type { StreamDefinition } from './types.js';
import { byId, clientByUpdateTime, deletedWhenInactive, unpaged } from './common.js';

export const filters: StreamDefinition = {
  name: 'filters',
  description: 'Filters (API v1, one request).',
  api: 'v1',
  path: '/filters',
  ...unpaged,
  ...byId,
  ...clientByUpdateTime,
  ...deletedWhenInactive,
  tokenCost: 20,
};
