import type { StreamDefinition } from './types.js';
import { byId, unpaged } from './common.js';

export const goals: StreamDefinition = {
  name: 'goals',
  description: "Goals (API v1 `/goals/find` without criteria: the token user's active goals).",
  api: 'v1',
  path: '/goals/find',
  ...unpaged,
  recordSelector: 'data.goals',
  ...byId,
  incremental: 'none',
  tokenCost: 20,
};
