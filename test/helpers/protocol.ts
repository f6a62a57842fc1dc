/**
 * Validates messages against the official Airbyte protocol: `test/reference/airbyte_protocol.schema.json`, derived
 * from `airbyte_protocol.yaml` by scripts/reference.ts (`npm run reference`) and committed.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import ajvFormats from 'ajv-formats';

export const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const protocolSchemaPath = resolve(repoRoot, 'test/reference/airbyte_protocol.schema.json');

/** The derived protocol schema (a fresh copy). */
export function protocolSchema(): Record<string, unknown> {
  return JSON.parse(readFileSync(protocolSchemaPath, 'utf8')) as Record<string, unknown>;
}

let ajv: Ajv | undefined;
const validators = new Map<string, ValidateFunction>();

/** The validator of one definition of the protocol (`AirbyteMessage`, `ConnectorSpecification`, …). */
export function protocolValidator(definition: string): ValidateFunction {
  const known = validators.get(definition);
  if (known) return known;
  if (!ajv) {
    ajv = new Ajv({ strict: false, allErrors: true });
    ajvFormats.default(ajv);
    ajv.addSchema(protocolSchema(), 'airbyte_protocol');
  }
  const v = ajv.getSchema(`airbyte_protocol#/definitions/${definition}`);
  if (!v) throw new Error(`the protocol schema has no definition ${definition}`);
  validators.set(definition, v);
  return v;
}

export function messageValidator(): ValidateFunction {
  return protocolValidator('AirbyteMessage');
}

/** Throws with the ajv errors when a message is not a valid AirbyteMessage. */
export function assertValidMessage(message: unknown): void {
  const v = messageValidator();
  if (!v(message)) throw new Error(`invalid AirbyteMessage ${JSON.stringify(message).slice(0, 300)}: ${JSON.stringify(v.errors)}`);
}
