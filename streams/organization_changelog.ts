import type { StreamDefinition } from './types.js';
import { changelog, skipGoneParents } from './common.js';
import { organizations } from './organizations.js';

export const organizationChangelog: StreamDefinition = {
  name: 'organization_changelog',
  description: 'Field history of the organizations: one record per change of a field (name, owner, address, custom fields by key), with organization_id and change_seq (API v1).',
  path: '/organizations/{id}/changelog',
  fanOut: { parent: organizations, batchSize: 1, skipParentOn: skipGoneParents, parentIdField: 'organization_id' },
  ...changelog,
  primaryKey: [['organization_id'], ['time'], ['field_key'], ['change_seq']],
};
