import type { StreamDefinition } from './types.js';
import { byId, clientByUpdateTime, deletedWhenFlagged, unpaged, skipGoneParents } from './common.js';
import { mailThreads } from './mail_threads.js';

export const mail: StreamDefinition = {
  name: 'mail',
  description: 'Mail messages of every mail thread, one request per thread (API v1).',
  api: 'v1',
  path: '/mailbox/mailThreads/{id}/mailMessages',
  fanOut: { parent: mailThreads, batchSize: 1, skipParentOn: skipGoneParents },
  ...unpaged,
  ...byId,
  ...clientByUpdateTime,
  ...deletedWhenFlagged,
  tokenCost: 20,
};
