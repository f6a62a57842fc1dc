import type { StreamDefinition } from './types.js';

export const leadsArchived: StreamDefinition = {
  name: 'leads_archived',
  description: 'Archived leads (API v1; no `updated_since` filter, filtered on the client).',
  api: 'v1',
  path: '/leads/archived',
  paging: 'offset',
  pageSize: 500,
  primaryKey: [['id']],
  cursorField: 'update_time',
  incremental: 'client',
  tokenCost: 40,
};
