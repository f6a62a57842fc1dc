import type { StreamDefinition } from './types.js';
import { fieldOptions } from './common.js';

export const activityFieldOptions: StreamDefinition = {
  name: 'activity_field_options',
  description: 'Options of the single- and multiple-option activity fields (custom and built-in): one record per option, keyed by field_key (the field_code of activity_fields) and option id, to join option ids to labels (API v2).',
  path: '/activityFields',
  ...fieldOptions,
};
