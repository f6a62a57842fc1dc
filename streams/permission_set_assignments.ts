import type { StreamDefinition } from './types.js';
import { v1OffsetWhileFull, skipGoneParents } from './common.js';
import { permissionSets } from './permission_sets.js';

export const permissionSetAssignments: StreamDefinition = {
  name: 'permission_set_assignments',
  description: 'Users assigned to each permission set, one request per set (API v1). Records carry no timestamp.',
  api: 'v1',
  path: '/permissionSets/{id}/assignments',
  fanOut: { parent: permissionSets, batchSize: 1, skipParentOn: skipGoneParents },
  ...v1OffsetWhileFull,
  pageSize: 500,
  primaryKey: [['user_id'], ['permission_set_id']],
  incremental: 'none',
  tokenCost: 20,
};
