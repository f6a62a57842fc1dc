import type { StreamDefinition } from './types.js';
import { v2List, byId, serverByUpdateTime, deletedWhenIsDeleted, dealIncludeFields } from './common.js';
import { dealFields } from './deal_fields.js';

export const dealsArchived: StreamDefinition = {
  name: 'deals_archived',
  description: 'Archived deals, including deleted ones Pipedrive still keeps (API v2).',
  ...v2List,
  path: '/deals/archived',
  params: { status: 'open,won,lost,deleted' },
  ...byId,
  ...serverByUpdateTime,
  estimate: { api: 'v1', path: '/deals/summary/archived', total: 'data.total_count', tokenCost: 80 },
  ...deletedWhenIsDeleted,
  customFields: dealFields,
  ...dealIncludeFields,
  tokenCost: 20,
};
