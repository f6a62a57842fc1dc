import type { StreamDefinition } from './types.js';
import { deals } from './deals.js';

export const dealProducts: StreamDefinition = {
  name: 'deal_products',
  description: 'Products attached to deals, 100 deals per request (API v2).',
  api: 'v2',
  path: '/deals/products',
  fanOut: { parent: deals, batchSize: 100, param: 'deal_ids' },
  paging: 'cursor',
  pageSize: 500,
  primaryKey: [['id']],
  cursorField: 'update_time',
  incremental: 'client',
  tokenCost: 10,
};
