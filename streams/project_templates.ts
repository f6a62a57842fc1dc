import type { StreamDefinition } from './types.js';
import { v2List, byId, clientByUpdateTime } from './common.js';

export const projectTemplates: StreamDefinition = {
  name: 'project_templates',
  description: 'Project templates (API v2).',
  ...v2List,
  path: '/projectTemplates',
  ...byId,
  ...clientByUpdateTime,
  tokenCost: 10,
};
