import type { StreamDefinition } from './types.js';
import { byId, deletedWhenFlagged, unpaged } from './common.js';

export const legacyTeams: StreamDefinition = {
  name: 'legacy_teams',
  description: 'Teams (API v1 `/legacyTeams`, deprecated by Pipedrive). Records carry a creation time but no modification time.',
  api: 'v1',
  path: '/legacyTeams',
  ...unpaged,
  ...byId,
  incremental: 'none',
  ...deletedWhenFlagged,
  tokenCost: 20,
};
