/**
 * Test helper: the facts of Pipedrive's OpenAPI specs the tests check the stream definitions and schemas against,
 * from `test/reference/pipedrive-openapi-facts.json` (derived from the upstream specs by scripts/reference.ts,
 * `npm run reference`, and committed).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ApiVersion } from '../../streams/types.js';
import type { ApiFacts, FieldFacts, OperationFacts, ParamFacts } from '../../scripts/reference-facts.js';
import { repoRoot } from './protocol.js';

export type { FieldFacts, OperationFacts, ParamFacts };
export { isNode } from '../../scripts/reference-facts.js';

export const openApiFactsPath = resolve(repoRoot, 'test/reference/pipedrive-openapi-facts.json');

let facts: Record<ApiVersion, ApiFacts> & Record<string, unknown> | undefined;

export function openApiFacts(): Record<ApiVersion, ApiFacts> & Record<string, unknown> {
  facts ??= JSON.parse(readFileSync(openApiFactsPath, 'utf8')) as Record<ApiVersion, ApiFacts> & Record<string, unknown>;
  return facts;
}

/** Whether the spec of `api` has a GET operation at `path`. */
export function hasGet(api: ApiVersion, path: string): boolean {
  return openApiFacts()[api].getPaths.includes(path);
}

/**
 * The facts of the GET operation at `path`: undefined when the spec has no such GET; an error when it has one
 * the facts do not cover (a path no stream read when they were derived: run `npm run reference`).
 */
export function getOperation(api: ApiVersion, path: string): OperationFacts | undefined {
  if (!hasGet(api, path)) return undefined;
  const op = openApiFacts()[api].operations[path];
  if (!op) throw new Error(`${openApiFactsPath} has no facts of ${api} GET ${path}: regenerate them (npm run build && npm run reference)`);
  return op;
}

/** Query parameters of a GET operation, by name (empty when the spec has no such GET). */
export function queryParams(api: ApiVersion, path: string): Map<string, ParamFacts> {
  return new Map(Object.entries(getOperation(api, path)?.query ?? {}));
}

/** The top-level fields of the records at `selector` (default `data`) of a GET operation's 200 response. */
export function recordFields(api: ApiVersion, path: string, selector = 'data'): Map<string, FieldFacts> {
  const fields = getOperation(api, path)?.records[selector];
  if (!fields) throw new Error(`${openApiFactsPath} has no records at ${selector} of ${api} GET ${path}: regenerate them (npm run build && npm run reference)`);
  return new Map(Object.entries(fields));
}
