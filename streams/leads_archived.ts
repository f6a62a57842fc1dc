import type { StreamDefinition } from './types.js';
import { byId, clientByUpdateTime, v1FlatOffset } from './common.js';
import { leadFields } from './lead_fields.js';

export const leadsArchived: StreamDefinition = {
  name: 'leads_archived',
  description: 'Archived leads (API v1; no `updated_since` filter, filtered on the client).',
  api: 'v1',
  path: '/leads/archived',
  ...v1FlatOffset,
  pageSize: 500,
  ...byId,
  ...clientByUpdateTime,
  customFields: leadFields,
  tokenCost: 40,
};
