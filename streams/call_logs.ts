import type { StreamDefinition } from './types.js';
import { byId, v1Offset } from './common.js';

export const callLogs: StreamDefinition = {
  name: 'call_logs',
  description: 'Call logs (API v1, at most 50 per page). Records carry call times but no modification time.',
  api: 'v1',
  path: '/callLogs',
  ...v1Offset,
  pageSize: 50,
  ...byId,
  incremental: 'none',
  tokenCost: 20,
};
