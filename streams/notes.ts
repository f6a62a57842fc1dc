import type { StreamDefinition } from './types.js';
import { byId, v1ServerByUpdateTime, deletedWhenInactive, v1Offset } from './common.js';
import { noteFields } from './note_fields.js';

export const notes: StreamDefinition = {
  name: 'notes',
  description: 'Notes (API v1).',
  api: 'v1',
  path: '/notes',
  ...v1Offset,
  pageSize: 500,
  ...byId,
  ...v1ServerByUpdateTime,
  ...deletedWhenInactive,
  customFields: noteFields,
  tokenCost: 20,
};
