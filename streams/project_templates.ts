import type { StreamDefinition } from './types.js';
import { v2List, byId, clientByUpdateTime, planGated } from './common.js';

export const projectTemplates: StreamDefinition = {
  name: 'project_templates',
  description: 'Project templates (API v2).',
  ...v2List,
  path: '/projectTemplates',
  ...byId,
  ...clientByUpdateTime,
  ...planGated,
  tokenCost: 10,
};
