import type { StreamDefinition } from './types.js';
import { v2List, byId, serverByUpdateTime, deletedWhenIsDeleted, sweepById } from './common.js';
import { organizationFields } from './organization_fields.js';

export const organizations: StreamDefinition = {
  name: 'organizations',
  description: 'Organizations (API v2).',
  ...v2List,
  path: '/organizations',
  ...byId,
  ...serverByUpdateTime,
  ...deletedWhenIsDeleted,
  ...sweepById,
  customFields: organizationFields,
  // The OpenAPI enum of include_fields.
  includeFields: [
    'next_activity_id', 'last_activity_id', 'open_deals_count', 'related_open_deals_count', 'closed_deals_count',
    'related_closed_deals_count', 'email_messages_count', 'people_count', 'activities_count', 'done_activities_count',
    'undone_activities_count', 'files_count', 'notes_count', 'followers_count', 'won_deals_count', 'related_won_deals_count',
    'lost_deals_count', 'related_lost_deals_count', 'smart_bcc_email',
  ],
  tokenCost: 10,
};
