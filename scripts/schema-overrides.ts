/**
 * What the schema generator (`scripts/schemas.ts`) declares beyond the OpenAPI response schemas: fields real
 * accounts send, the connector's own fields and the types of `include_fields` values. `npm run schemas` prints every
 * field declared from here (and the fields the stream definitions make the engine add: `fanOut.parentIdField`,
 * `sequence.field`, `flatten.as`).
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Schema = { [key: string]: Json };

/** Set by the connector on records that Pipedrive reports as deleted; every stream with a delete rule has it. */
export const CDC_DELETED_AT: Schema = {
  type: ['string', 'null'],
  format: 'date-time',
  description:
    'Set by the connector when Pipedrive reports the record as deleted (is_deleted, active_flag false, deleted_flag or status deleted, by entity): its update time.',
};

/** Added to the `_ab_cdc_deleted_at` description of the streams with an id sweep (`detect_deletes`). */
export const CDC_TOMBSTONE =
  'With detect_deletes on, also set on the tombstone of a record whose id left the list ({id, update_time, _ab_cdc_deleted_at}): the time of the id sweep that found it gone.';

const nullable = (type: string, description: string, extra: Schema = {}): Schema => ({ type: [type, 'null'], description, ...extra });
const REAL = 'Not in the OpenAPI response schema; sent by real Pipedrive accounts.';

/** A declared field the spec does not describe: where it goes, its schema, and why it is there. */
export interface Override {
  readonly path: readonly string[];
  readonly schema: Schema;
  readonly replace?: boolean;
}

/** Streams whose records need a field the spec does not describe (every one is reported when the generator runs). */
export const EXTRA_FIELDS: Readonly<Record<string, ReadonlyArray<Override>>> = {
  deals: [{ path: ['_ab_cdc_deleted_at'], schema: CDC_DELETED_AT }],
  // Fields real accounts send that the OpenAPI response schemas omit (typed from what they hold).
  activities: [{ path: ['private'], schema: nullable('boolean', `Whether the activity is private. ${REAL}`) }],
  organizations: [{ path: ['address', 'formatted_address'], schema: nullable('string', `The full address, formatted. ${REAL}`) }],
  users: [
    { path: ['is_admin'], schema: nullable('integer', `1 when the user is an admin, else 0. ${REAL}`) },
    { path: ['signup_flow_variation'], schema: nullable('string', `How the user signed up (e.g. invite). ${REAL}`) },
  ],
  roles: [{ path: ['description'], schema: nullable('string', `The description of the role. ${REAL}`) }],
  files: [
    { path: ['log_id'], schema: nullable('integer', `The ID of the mail log entry the file came with. ${REAL}`) },
    { path: ['people_name'], schema: nullable('string', `The name of the person the file is attached to. ${REAL}`) },
  ],
  notes: [
    {
      path: ['lead'],
      schema: nullable('object', `The lead this note is attached to. ${REAL}`, {
        additionalProperties: true,
        properties: { title: nullable('string', 'The title of the lead this note is attached to') },
      }),
    },
  ],
  permission_set_assignments: [
    { path: ['permission_set_app'], schema: nullable('string', `The app of the permission set (e.g. sales, global). ${REAL}`) },
    { path: ['permission_set_type'], schema: nullable('string', `The type of the permission set (admin, regular, …). ${REAL}`) },
  ],
  goals: [{ path: ['expected_outcome', 'currency_id'], schema: nullable('integer', `The currency of a sum goal's target. ${REAL}`) }],
  deal_flow: [
    {
      path: ['data', 'id'],
      // The spec leaves `data` untyped; its example shows integer ids, but the update kinds (invoice, document, …)
      // are not all documented, so a string id is allowed too.
      schema: { type: ['integer', 'string'], description: 'The ID of the updated item (unique per `object`).' },
      replace: true,
    },
  ],
};

/** The type of an `include_fields` value, by its name (the spec gives names only). */
export function includeFieldSchema(name: string): Schema {
  const desc = `Sent when config include_v1_fields is true (the connector asks for it with \`include_fields=${name}\`).`;
  if (name.endsWith('_count')) return nullable('integer', desc);
  if (name.endsWith('_id')) return nullable('integer', desc);
  if (name.endsWith('_time')) return nullable('string', desc, { format: 'date-time' });
  return nullable('string', desc);
}

/** The parent's id the engine adds to each child record (`fanOut.parentIdField`), typed as the parent's key. */
export function parentIdSchema(parent: string, parentKey: string, type: Json): Schema {
  return { type, description: `Added by the connector: the \`${parentKey}\` of the ${parent} record this record belongs to.` };
}

/** The number the engine gives records of one parent that share `groupBy` (`StreamDefinition.sequence`). */
export function sequenceSchema(groupBy: readonly string[]): Schema {
  return {
    type: 'integer',
    description:
      `Added by the connector: how many older records of the same parent have the same ${groupBy.join(' and ')} (0 for the oldest). ` +
      'It tells apart changes of one field within one second, and keeps its value when later reads see newer changes.',
  };
}
