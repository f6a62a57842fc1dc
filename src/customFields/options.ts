/**
 * Custom field options of a config: how custom fields are named and whether option ids become labels
 * (docs/custom-fields-and-deletes.md).
 */

export type CustomFieldNaming = 'key' | 'name';

export interface CustomFieldOptions {
  /** `key`: Pipedrive's 40-hex keys (default, stable); `name`: snake_case names from the field labels. */
  readonly naming: CustomFieldNaming;
  /** Enum and set values as option labels instead of option ids. */
  readonly resolveLabels: boolean;
}

/** The custom field options of a (validated) config: `custom_field_names` and `resolve_option_labels`. */
export function customFieldOptions(config: Readonly<Record<string, unknown>>): CustomFieldOptions {
  return {
    naming: config['custom_field_names'] === 'name' ? 'name' : 'key',
    resolveLabels: config['resolve_option_labels'] === true,
  };
}

/** Whether records must be transformed (and the definitions read before a sync). */
export function transformsRecords(opts: CustomFieldOptions): boolean {
  return opts.naming === 'name' || opts.resolveLabels;
}

