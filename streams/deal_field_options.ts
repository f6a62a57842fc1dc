import type { StreamDefinition } from './types.js';
import { fieldOptions } from './common.js';

export const dealFieldOptions: StreamDefinition = {
  name: 'deal_field_options',
  description: 'Options of the single- and multiple-option deal fields (custom and built-in): one record per option, keyed by field_key (the field_code of deal_fields) and option id, to join option ids to labels (API v2).',
  path: '/dealFields',
  ...fieldOptions,
};
