import type { StreamDefinition } from './types.js';
import { changelog, skipGoneParents } from './common.js';
import { persons } from './persons.js';

export const personChangelog: StreamDefinition = {
  name: 'person_changelog',
  description: 'Field history of the persons: one record per change of a field (name, owner, e-mail, phone, organization, custom fields by key), with person_id and change_seq (API v1).',
  path: '/persons/{id}/changelog',
  fanOut: { parent: persons, batchSize: 1, skipParentOn: skipGoneParents, parentIdField: 'person_id' },
  ...changelog,
  primaryKey: [['person_id'], ['time'], ['field_key'], ['change_seq']],
};
