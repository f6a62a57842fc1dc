import type { StreamDefinition } from './types.js';

export const productFields: StreamDefinition = {
  name: 'product_fields',
  description: 'Field definitions of products, including custom fields (API v2).',
  api: 'v2',
  path: '/productFields',
  paging: 'cursor',
  pageSize: 500,
  primaryKey: [['field_code']],
  incremental: 'none',
  tokenCost: 10,
};
