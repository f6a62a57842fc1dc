import type { StreamDefinition } from './types.js';
import { fieldOptions } from './common.js';

export const personFieldOptions: StreamDefinition = {
  name: 'person_field_options',
  description: 'Options of the single- and multiple-option person fields (custom and built-in): one record per option, keyed by field_key (the field_code of person_fields) and option id, to join option ids to labels (API v2).',
  path: '/personFields',
  ...fieldOptions,
};
