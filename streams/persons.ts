import type { StreamDefinition } from './types.js';
import { v2List, byId, serverByUpdateTime, deletedWhenIsDeleted, sweepById } from './common.js';
import { personFields } from './person_fields.js';

export const persons: StreamDefinition = {
  name: 'persons',
  description: 'Persons (API v2).',
  ...v2List,
  path: '/persons',
  ...byId,
  ...serverByUpdateTime,
  ...deletedWhenIsDeleted,
  ...sweepById,
  customFields: personFields,
  // The OpenAPI enum of include_fields: marketing_status and doi_status need the company's marketing app (Campaigns).
  includeFields: [
    'next_activity_id', 'last_activity_id', 'open_deals_count', 'related_open_deals_count', 'closed_deals_count',
    'related_closed_deals_count', 'participant_open_deals_count', 'participant_closed_deals_count', 'email_messages_count',
    'activities_count', 'done_activities_count', 'undone_activities_count', 'files_count', 'notes_count', 'followers_count',
    'won_deals_count', 'related_won_deals_count', 'lost_deals_count', 'related_lost_deals_count', 'last_incoming_mail_time',
    'last_outgoing_mail_time', 'marketing_status', 'doi_status', 'smart_bcc_email',
  ],
  tokenCost: 10,
};
