import type { StreamDefinition } from './types.js';
import { byId, clientByUpdateTime, deletedWhenInactive } from './common.js';

export const files: StreamDefinition = {
  name: 'files',
  description: 'Files (API v1, at most 100 per page).',
  api: 'v1',
  path: '/files',
  paging: 'offset',
  pageSize: 100,
  ...byId,
  ...clientByUpdateTime,
  ...deletedWhenInactive,
  tokenCost: 20,
};
