/**
 * Typed custom fields: Pipedrive's custom fields arrive under random 40-hex keys with no type. The `*Fields` endpoints
 * describe them (label, `field_type`, options, subfields); from those definitions this folder
 *
 * - adds a typed JSON-schema property per custom field to its stream's schema at `discover` (API v2: inside the
 *   `custom_fields` object; API v1: at the record root, with the v1 subfield keys such as `<key>_currency`);
 * - with `custom_field_names: name`, names the fields by their label in snake_case (unique, never a built-in name),
 *   annotates each property with its key at discover, and at read keeps the names of the configured catalog;
 * - with `resolve_option_labels: true`, turns option ids of `enum` and `set` fields into their labels.
 *
 * ```
 * discover:  readPages(*Fields) ─parse─▶ definitions ─▶ schema properties ─merge─▶ catalog       (discover.ts)
 * read:      readPages(*Fields) ─parse─▶ definitions ─▶ names ─▶ per-page transform per stream  (read.ts)
 * ```
 *
 * | module | what |
 * |---|---|
 * | `options.ts` | the config options (`custom_field_names`, `resolve_option_labels`) |
 * | `definitions.ts` | parsing `*Fields` records into custom field definitions |
 * | `schema.ts` | JSON-schema typing of each field type, a stream schema with its custom fields |
 * | `names.ts` | key or snake_case naming, unique per stream, keeping the configured catalog's names |
 * | `catalogNames.ts` | the names a configured catalog gives custom fields (`x-pipedrive-field-key`) |
 * | `transform.ts` | the per-page rename / label transform |
 * | `fetch.ts` | reading the definitions through a `readPages(def)` function |
 * | `discover.ts`, `read.ts` | their use at discover and at read |
 *
 * See docs/custom-fields-and-deletes.md for the mapping table.
 */
export { customFieldOptions, transformsRecords, type CustomFieldNaming, type CustomFieldOptions } from './options.js';
export { parseFieldDefinitions, type CustomFieldDef, type FieldOption, type SubField } from './definitions.js';
export { customFieldSchema, fieldProperties, withCustomFields } from './schema.js';
export { builtinNames, customFieldNames, snakeName, streamCustomFields, type StreamCustomFields } from './names.js';
export { catalogNames, FIELD_KEY, SUBFIELD, type CatalogNames } from './catalogNames.js';
export { customFieldTransform } from './transform.js';
export { fetchCustomFields, fieldDefinitionStreams, isCredentialFailure, type FieldDefinitions, type ReadPages } from './fetch.js';
export { discoverSchemas, streamSchemas, type DiscoveredStream } from './discover.js';
export { CustomFieldsError, customFieldStages, type CustomFieldStage, type PageTransform } from './read.js';
