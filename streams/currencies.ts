import type { StreamDefinition } from './types.js';
import { byId } from './common.js';

export const currencies: StreamDefinition = {
  name: 'currencies',
  description: 'Currencies of the company (API v1, one request).',
  api: 'v1',
  path: '/currencies',
  paging: 'none',
  ...byId,
  incremental: 'none',
  tokenCost: 20,
};
