import type { StreamDefinition } from './types.js';

export const currencies: StreamDefinition = {
  name: 'currencies',
  description: 'Currencies of the company (API v1, one request).',
  api: 'v1',
  path: '/currencies',
  paging: 'none',
  primaryKey: [['id']],
  incremental: 'none',
  tokenCost: 20,
};
