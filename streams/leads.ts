import type { StreamDefinition } from './types.js';
import { byId, v1ServerByUpdateTime, v1FlatOffset } from './common.js';
import { leadFields } from './lead_fields.js';

export const leads: StreamDefinition = {
  name: 'leads',
  description: 'Leads that are not archived (API v1).',
  api: 'v1',
  path: '/leads',
  ...v1FlatOffset,
  pageSize: 500,
  ...byId,
  ...v1ServerByUpdateTime,
  customFields: leadFields,
  tokenCost: 20,
};
