import type { StreamDefinition } from './types.js';
import { v2List } from './common.js';

export const personFields: StreamDefinition = {
  name: 'person_fields',
  description: 'Field definitions of persons, including custom fields (API v2).',
  ...v2List,
  path: '/personFields',
  primaryKey: [['field_code']],
  incremental: 'none',
  tokenCost: 10,
};
