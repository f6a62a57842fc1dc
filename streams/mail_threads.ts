import type { StreamDefinition } from './types.js';
import { byId, clientByUpdateTime, deletedWhenFlagged, v1OffsetWhileFull } from './common.js';

export const mailThreads: StreamDefinition = {
  name: 'mail_threads',
  description: "Mail threads of the token user's folders inbox, drafts, sent and archive (API v1; a thread can be in several folders).",
  api: 'v1',
  path: '/mailbox/mailThreads',
  partitions: [{ folder: 'inbox' }, { folder: 'drafts' }, { folder: 'sent' }, { folder: 'archive' }],
  ...v1OffsetWhileFull,
  pageSize: 50,
  ...byId,
  ...clientByUpdateTime,
  ...deletedWhenFlagged,
  tokenCost: 20,
};
