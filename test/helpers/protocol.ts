/** Validates messages against `AirbyteMessage` of the official protocol schema in ../shared/reference. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { Ajv, type ValidateFunction } from 'ajv';
import ajvFormats from 'ajv-formats';

export const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const referenceDir = resolve(repoRoot, '../shared/reference');

let validator: ValidateFunction | undefined;

export function messageValidator(): ValidateFunction {
  if (validator) return validator;
  const doc = parse(readFileSync(resolve(referenceDir, 'airbyte_protocol.yaml'), 'utf8')) as Record<string, unknown>;
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
  ajvFormats.default(ajv);
  ajv.addSchema({ ...doc, $id: 'airbyte_protocol' }, 'airbyte_protocol');
  validator = ajv.getSchema('airbyte_protocol#/definitions/AirbyteMessage') ?? (() => { throw new Error('no AirbyteMessage'); })();
  return validator;
}

/** Throws with the ajv errors when a message is not a valid AirbyteMessage. */
export function assertValidMessage(message: unknown): void {
  const v = messageValidator();
  if (!v(message)) throw new Error(`invalid AirbyteMessage ${JSON.stringify(message).slice(0, 300)}: ${JSON.stringify(v.errors)}`);
}
