import type { StreamDefinition } from './types.js';
import { deletedWhenInactive, unpaged } from './common.js';

export const noteFields: StreamDefinition = {
  name: 'note_fields',
  description: 'Field definitions of notes (API v1, one request).',
  api: 'v1',
  path: '/noteFields',
  ...unpaged,
  primaryKey: [['key']],
  incremental: 'none',
  ...deletedWhenInactive,
  tokenCost: 20,
};
