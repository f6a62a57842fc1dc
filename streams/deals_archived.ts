import type { StreamDefinition } from './types.js';

export const dealsArchived: StreamDefinition = {
  name: 'deals_archived',
  description: 'Archived deals, including deleted ones Pipedrive still keeps (API v2).',
  api: 'v2',
  path: '/deals/archived',
  params: { status: 'open,won,lost,deleted' },
  paging: 'cursor',
  pageSize: 500,
  primaryKey: [['id']],
  cursorField: 'update_time',
  incremental: 'server',
  serverParams: { since: 'updated_since', sort: { sort_by: 'update_time', sort_direction: 'asc' } },
  estimate: { api: 'v1', path: '/deals/summary/archived', total: 'data.total_count', tokenCost: 80 },
  tokenCost: 20,
};
