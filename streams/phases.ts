import type { StreamDefinition } from './types.js';
import { byId, clientByUpdateTime } from './common.js';
import { boards } from './boards.js';

export const phases: StreamDefinition = {
  name: 'phases',
  description: 'Project phases of every board (API v2, one request per board: `board_id` is required).',
  api: 'v2',
  path: '/phases',
  fanOut: { parent: boards, batchSize: 1, param: 'board_id' },
  paging: 'none',
  ...byId,
  ...clientByUpdateTime,
  tokenCost: 10,
};
