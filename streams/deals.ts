import type { StreamDefinition } from './types.js';
import { v2List, byId, serverByUpdateTime, deletedWhenIsDeleted, dealIncludeFields } from './common.js';
import { dealFields } from './deal_fields.js';

export const deals: StreamDefinition = {
  name: 'deals',
  description: 'Deals that are not archived, including deleted deals Pipedrive still keeps (up to 30 days), API v2.',
  ...v2List,
  path: '/deals',
  params: { status: 'open,won,lost,deleted' },
  ...byId,
  ...serverByUpdateTime,
  estimate: { api: 'v1', path: '/deals/summary', total: 'data.total_count', tokenCost: 40 },
  ...deletedWhenIsDeleted,
  // Deleted deals stay listed 30 days (marked by the stream itself); the sweep finds the ones that are gone for good.
  sweep: { params: { status: 'open,won,lost,deleted', sort_by: 'id' } },
  customFields: dealFields,
  ...dealIncludeFields,
  tokenCost: 10,
};
