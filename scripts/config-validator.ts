/**
 * Build step: writes ajv's standalone code of the config validator (`connectionSpecification` of
 * src/config/spec.json, with ajv-formats) to dist/src/config/validate-config.cjs, which
 * src/config/index.ts loads instead of importing and compiling ajv at every start.
 *
 *   node dist/scripts/config-validator.js
 */
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AJV_OPTIONS, GENERATED_VALIDATOR, connectionSpecification, newAjv } from '../src/config/index.js';

const require = createRequire(import.meta.url);
const { _ } = require('ajv') as typeof import('ajv');
const standaloneCode = require('ajv/dist/standalone') as (ajv: import('ajv').Ajv, validate: import('ajv').ValidateFunction) => string;

// Formats are referenced by the generated code, not copied into it.
const ajv = newAjv({ ...AJV_OPTIONS, code: { source: true, formats: _`require("ajv-formats/dist/formats").fullFormats` } });
const validate = ajv.compile(connectionSpecification());
const target = join(dirname(fileURLToPath(import.meta.url)), '../src/config', GENERATED_VALIDATOR);
writeFileSync(target, standaloneCode(ajv, validate));
process.stderr.write(`wrote ${target}\n`);
