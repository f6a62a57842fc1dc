import type { StreamDefinition } from './types.js';
import { byId, clientByUpdateTime, deletedWhenInactive, v1Offset } from './common.js';

export const files: StreamDefinition = {
  name: 'files',
  description: 'Files (API v1, at most 100 per page).',
  api: 'v1',
  path: '/files',
  ...v1Offset,
  pageSize: 100,
  ...byId,
  ...clientByUpdateTime,
  ...deletedWhenInactive,
  tokenCost: 20,
};
