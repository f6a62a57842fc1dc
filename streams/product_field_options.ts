import type { StreamDefinition } from './types.js';
import { fieldOptions } from './common.js';

export const productFieldOptions: StreamDefinition = {
  name: 'product_field_options',
  description: 'Options of the single- and multiple-option product fields (custom and built-in): one record per option, keyed by field_key (the field_code of product_fields) and option id, to join option ids to labels (API v2).',
  path: '/productFields',
  ...fieldOptions,
};
