import type { StreamDefinition } from './types.js';
import { v2List, byId, clientByUpdateTime, planGated } from './common.js';
import { projectFields } from './project_fields.js';

export const projects: StreamDefinition = {
  name: 'projects',
  description: 'Projects, active and archived (`/projects` then `/projects/archived`), including deleted ones (API v2).',
  ...v2List,
  path: '/projects',
  extraPaths: ['/projects/archived'],
  params: { status: 'open,completed,canceled,deleted' },
  ...byId,
  ...clientByUpdateTime,
  deleted: { field: 'status', equals: 'deleted' },
  customFields: projectFields,
  ...planGated,
  tokenCost: 10,
};
