import type { StreamDefinition } from './types.js';
import { unpaged } from './common.js';

export const leadSources: StreamDefinition = {
  name: 'lead_sources',
  description: 'Lead sources (API v1, a fixed list). Records carry no timestamp.',
  api: 'v1',
  path: '/leadSources',
  ...unpaged,
  primaryKey: [['name']],
  incremental: 'none',
  tokenCost: 2,
};
