import type { StreamDefinition } from './types.js';
import { v2List, byId, serverByUpdateTime, deletedWhenIsDeleted, sweepById } from './common.js';
import { productFields } from './product_fields.js';

export const products: StreamDefinition = {
  name: 'products',
  description: 'Products (API v2).',
  ...v2List,
  path: '/products',
  ...byId,
  ...serverByUpdateTime,
  ...deletedWhenIsDeleted,
  ...sweepById,
  customFields: productFields,
  tokenCost: 10,
};
