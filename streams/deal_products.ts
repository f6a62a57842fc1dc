import type { StreamDefinition } from './types.js';
import { v2List, byId, clientByUpdateTime, skipGoneParents } from './common.js';
import { deals } from './deals.js';

export const dealProducts: StreamDefinition = {
  name: 'deal_products',
  description: 'Products attached to deals, 100 deals per request (API v2).',
  ...v2List,
  path: '/deals/products',
  fanOut: { parent: deals, batchSize: 100, param: 'deal_ids', skipParentOn: skipGoneParents },
  ...byId,
  ...clientByUpdateTime,
  tokenCost: 10,
};
