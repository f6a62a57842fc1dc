import type { StreamDefinition } from './types.js';
import { byId, unpaged } from './common.js';

export const currencies: StreamDefinition = {
  name: 'currencies',
  description: 'Currencies of the company (API v1, one request).',
  api: 'v1',
  path: '/currencies',
  ...unpaged,
  ...byId,
  incremental: 'none',
  tokenCost: 20,
};
