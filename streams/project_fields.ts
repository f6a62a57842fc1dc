import type { StreamDefinition } from './types.js';
import { v2List, planGated } from './common.js';

export const projectFields: StreamDefinition = {
  name: 'project_fields',
  description: 'Field definitions of projects, including custom fields (API v2).',
  ...v2List,
  path: '/projectFields',
  primaryKey: [['field_code']],
  incremental: 'none',
  ...planGated,
  tokenCost: 10,
};
