import type { StreamDefinition } from './types.js';
import { boards } from './boards.js';

export const phases: StreamDefinition = {
  name: 'phases',
  description: 'Project phases of every board (API v2, one request per board: `board_id` is required).',
  api: 'v2',
  path: '/phases',
  fanOut: { parent: boards, batchSize: 1, param: 'board_id' },
  paging: 'none',
  primaryKey: [['id']],
  cursorField: 'update_time',
  incremental: 'client',
  tokenCost: 10,
};
