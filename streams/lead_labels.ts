import type { StreamDefinition } from './types.js';
import { byId, clientByUpdateTime, unpaged } from './common.js';

export const leadLabels: StreamDefinition = {
  name: 'lead_labels',
  description: 'Lead labels (API v1, one request).',
  api: 'v1',
  path: '/leadLabels',
  ...unpaged,
  ...byId,
  ...clientByUpdateTime,
  tokenCost: 10,
};
