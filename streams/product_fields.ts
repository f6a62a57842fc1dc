import type { StreamDefinition } from './types.js';
import { v2List } from './common.js';

export const productFields: StreamDefinition = {
  name: 'product_fields',
  description: 'Field definitions of products, including custom fields (API v2).',
  ...v2List,
  path: '/productFields',
  primaryKey: [['field_code']],
  incremental: 'none',
  tokenCost: 10,
};
