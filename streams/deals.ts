import type { StreamDefinition } from './types.js';

export const deals: StreamDefinition = {
  name: 'deals',
  description: 'Deals that are not archived, including deleted deals Pipedrive still keeps (up to 30 days), API v2.',
  api: 'v2',
  path: '/deals',
  params: { status: 'open,won,lost,deleted' },
  paging: 'cursor',
  pageSize: 500,
  primaryKey: [['id']],
  cursorField: 'update_time',
  incremental: 'server',
  serverParams: { since: 'updated_since', sort: { sort_by: 'update_time', sort_direction: 'asc' } },
  estimate: { api: 'v1', path: '/deals/summary', total: 'data.total_count', tokenCost: 40 },
  tokenCost: 10,
};
