import type { StreamDefinition } from './types.js';

export const leadLabels: StreamDefinition = {
  name: 'lead_labels',
  description: 'Lead labels (API v1, one request).',
  api: 'v1',
  path: '/leadLabels',
  paging: 'none',
  primaryKey: [['id']],
  cursorField: 'update_time',
  incremental: 'client',
  tokenCost: 10,
};
