import type { StreamDefinition } from './types.js';
import { v2List, byId, skipGoneParents, planGated } from './common.js';
import { deals } from './deals.js';

export const dealInstallments: StreamDefinition = {
  name: 'deal_installments',
  description: 'Installments of deals, 100 deals per request (API v2, Growth plans and above). Records carry no modification time.',
  ...v2List,
  path: '/deals/installments',
  fanOut: { parent: deals, batchSize: 100, param: 'deal_ids', skipParentOn: skipGoneParents },
  ...byId,
  incremental: 'none',
  ...planGated,
  tokenCost: 10,
};
