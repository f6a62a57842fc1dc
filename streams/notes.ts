import type { StreamDefinition } from './types.js';
import { byId } from './common.js';

export const notes: StreamDefinition = {
  name: 'notes',
  description: 'Notes (API v1).',
  api: 'v1',
  path: '/notes',
  paging: 'offset',
  pageSize: 500,
  ...byId,
  cursorField: 'update_time',
  incremental: 'server',
  serverParams: { since: 'updated_since', sort: { sort: 'update_time ASC' } },
  tokenCost: 20,
};
