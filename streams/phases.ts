import type { StreamDefinition } from './types.js';
import { byId, clientByUpdateTime, unpaged, skipGoneParents, planGated } from './common.js';
import { boards } from './boards.js';

export const phases: StreamDefinition = {
  name: 'phases',
  description: 'Project phases of every board (API v2, one request per board: `board_id` is required).',
  api: 'v2',
  path: '/phases',
  fanOut: { parent: boards, batchSize: 1, param: 'board_id', skipParentOn: skipGoneParents },
  ...unpaged,
  ...byId,
  ...clientByUpdateTime,
  ...planGated,
  tokenCost: 10,
};
