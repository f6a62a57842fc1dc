/**
 * The connector configuration: the spec (`spec.json`, read at run time), legacy migrations, validation with ajv
 * against `connectionSpecification`, and normalisation into a `ConnectorConfig`.
 *
 * Error messages name the setting in dotted `config.` form and never repeat a secret value.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Ajv, ErrorObject, Options, ValidateFunction } from 'ajv';
import { ConfigError, SystemError } from '../errors.js';
import { checkedBaseUrl } from '../http/urls.js';
import { packageRoot } from '../paths.js';
import { DEFAULT_OAUTH_URL, type ConnectorConfig } from './types.js';
import { isPlainObject, parseJsonText, readJsonFile, show } from './input.js';
import { strictIsoCursor } from '../cursor.js';

export interface LoadedConfig {
  config: ConnectorConfig;
  /** The migrated raw config to persist with one CONTROL message, or null when the input had the current shape. */
  migrated: Record<string, unknown> | null;
  /** The raw config object as given (before migration and normalisation): what the platform stores. */
  raw: Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------------------------
// spec.json

let specCache: Record<string, unknown> | undefined;

/** `src/config/spec.json` below the package root. */
function specPath(): string {
  return join(packageRoot(), 'src', 'config', 'spec.json');
}

/** The ConnectorSpecification (what `spec` prints inside the SPEC message). Returns a fresh copy on every call. */
export function loadSpec(): Record<string, unknown> {
  if (!specCache) {
    const path = specPath();
    try {
      specCache = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    } catch (err) {
      throw new SystemError(`Cannot read the connector spec at ${path}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return structuredClone(specCache);
}

export function connectionSpecification(): Record<string, unknown> {
  const cs = loadSpec()['connectionSpecification'];
  if (!isPlainObject(cs)) throw new SystemError('spec.json has no connectionSpecification object');
  return cs;
}

let validator: ValidateFunction | undefined;
let authTypes: string[] | undefined;

/** The ajv options of the config validator (shared with the build step that generates it). */
export const AJV_OPTIONS: Options = { allErrors: true, strict: false };

const require = createRequire(import.meta.url);

/** A new ajv instance with ajv-formats, loaded on demand (CommonJS, so synchronously). */
export function newAjv(options: Options = AJV_OPTIONS): Ajv {
  const { Ajv: AjvClass } = require('ajv') as { Ajv: new (o: Options) => Ajv };
  const addFormats = require('ajv-formats') as (ajv: Ajv) => Ajv;
  return addFormats(new AjvClass(options));
}

/**
 * The build (`scripts/config-validator.ts`) writes ajv's standalone code of the validator next to
 * the compiled module; loading it saves ajv's import and compilation at every start (about 40 ms).
 * Without it (running from the TypeScript sources) the validator is compiled here.
 */
export const GENERATED_VALIDATOR = 'validate-config.cjs';

/** The ajv validator of connectionSpecification, loaded or compiled once on first use. */
function getValidator(): ValidateFunction {
  if (!validator) {
    const schema = connectionSpecification();
    const generated = join(dirname(fileURLToPath(import.meta.url)), GENERATED_VALIDATOR);
    validator = existsSync(generated) ? (require(generated) as ValidateFunction) : newAjv().compile(schema);
    authTypes = credentialOptions(schema).map((o) => o.authType);
  }
  return validator;
}

/** The `credentials.oneOf` options of the schema, with their auth_type const, in order. */
function credentialOptions(schema: Record<string, unknown>): { authType: string }[] {
  const props = schema['properties'];
  const creds = isPlainObject(props) ? props['credentials'] : undefined;
  const oneOf = isPlainObject(creds) ? creds['oneOf'] : undefined;
  if (!Array.isArray(oneOf)) return [];
  return oneOf.map((o: unknown) => {
    const p = isPlainObject(o) ? o['properties'] : undefined;
    const at = isPlainObject(p) ? p['auth_type'] : undefined;
    return { authType: isPlainObject(at) ? String(at['const']) : '' };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// loading

/**
 * Parses (string) or takes (object) a raw config: migrates legacy shapes, validates with ajv against spec.json's
 * connectionSpecification, normalises. Throws ConfigError with a readable message naming the offending setting,
 * never echoing a secret value.
 */
export function loadConfig(raw: unknown): LoadedConfig {
  const input = typeof raw === 'string' ? parseJsonText(raw, 'config') : raw;
  if (!isPlainObject(input)) {
    throw new ConfigError(`config must be a JSON object (got ${input === null ? 'null' : Array.isArray(input) ? 'an array' : typeof input})`);
  }
  const migration = migrate(input);
  const shaped = migration?.config ?? input;
  const cleaned = withoutEmptyOptionals(shaped);

  const validate = getValidator();
  const messages = validate(cleaned) ? [] : describeErrors(validate.errors ?? [], cleaned);
  const { config, errors } = normalise(cleaned);
  // Checks the schema cannot express (calendar dates, URL schemes) are reported along with the schema's.
  for (const e of errors) if (!messages.some((m) => m.startsWith(e.setting))) messages.push(e.message);
  if (messages.length > 0) {
    throw new ConfigError(messages.join('; ') + (migration ? ` (the config was converted from ${migration.from})` : ''));
  }
  return { config, migrated: migration?.config ?? null, raw: input };
}

/** Reads `--config FILE` and loads it. A missing, unreadable or non-JSON file is a ConfigError naming --config. */
export function readConfigFile(path: string): LoadedConfig {
  return loadConfig(readJsonFile(path, '--config'));
}

// ---------------------------------------------------------------------------------------------------------------
// legacy shapes (CONTRACT §3)

interface Migration { config: Record<string, unknown>; from: string }

/**
 * - Airbyte 2.x–4.x flat `{api_token, …}` → `{credentials: {auth_type: 'api_token', api_token}, …}`;
 * - pre-2.0 `{authorization: {auth_type: 'Token', api_token}}` → api_token credentials;
 * - pre-2.0 `{authorization: {auth_type: 'Client', client_id, client_secret, refresh_token, access_token?,
 *   token_expiry_date?}}` → oauth2.0 credentials.
 * Other fields are kept. A config that has `credentials` is current and is not migrated.
 */
function migrate(raw: Record<string, unknown>): Migration | null {
  if ('credentials' in raw) return null;
  const { authorization, ...rest } = raw;
  if (isPlainObject(authorization)) {
    const kind = typeof authorization['auth_type'] === 'string' ? authorization['auth_type'].toLowerCase() : undefined;
    const from = "the pre-2.0 'authorization' form";
    if (kind === 'token') {
      return { config: { credentials: { auth_type: 'api_token', api_token: authorization['api_token'] }, ...rest }, from };
    }
    if (kind === 'client') {
      const credentials: Record<string, unknown> = {
        auth_type: 'oauth2.0',
        client_id: authorization['client_id'],
        client_secret: authorization['client_secret'],
        refresh_token: authorization['refresh_token'],
      };
      for (const k of ['access_token', 'token_expiry_date']) {
        if (authorization[k] !== undefined && authorization[k] !== null) credentials[k] = authorization[k];
      }
      return { config: { credentials, ...rest }, from };
    }
    throw new ConfigError(
      "config.authorization.auth_type must be 'Token' or 'Client' (the pre-2.0 config form); " +
        "current configs use config.credentials with auth_type 'oauth2.0' or 'api_token'",
    );
  }
  if ('api_token' in raw) {
    const { api_token, ...others } = raw;
    return { config: { credentials: { auth_type: 'api_token', api_token }, ...others }, from: "the legacy flat 'api_token' form" };
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------------------
// validation messages

const TOP_OPTIONALS = ['replication_start_date', 'num_workers', 'api_url', 'oauth_url', 'custom_field_names', 'resolve_option_labels', 'request_timeout_seconds', 'fanout_concurrency', 'max_tokens_per_read', 'include_v1_fields', 'detect_deletes'];
const CREDENTIAL_OPTIONALS = ['access_token', 'token_expiry_date', 'api_domain'];

/** Optional settings set to null or a blank string mean "not set" (as some UIs and older platforms store them). */
function withoutEmptyOptionals(config: Record<string, unknown>): Record<string, unknown> {
  const isEmpty = (v: unknown): boolean => v === null || (typeof v === 'string' && v.trim() === '');
  const out: Record<string, unknown> = { ...config };
  for (const k of TOP_OPTIONALS) if (k in out && isEmpty(out[k])) delete out[k];
  const creds = out['credentials'];
  if (isPlainObject(creds) && CREDENTIAL_OPTIONALS.some((k) => k in creds && isEmpty(creds[k]))) {
    const c: Record<string, unknown> = { ...creds };
    for (const k of CREDENTIAL_OPTIONALS) if (k in c && isEmpty(c[k])) delete c[k];
    out['credentials'] = c;
  }
  return out;
}

const DATE_HINT = 'use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ';

function badDate(value: unknown): string {
  return `config.replication_start_date ${show(value)} is not a valid date: ${DATE_HINT}`;
}

/** `/credentials/api_token` → `config.credentials.api_token`. */
function dotted(instancePath: string, child?: string): string {
  const parts = instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (child !== undefined) parts.push(child);
  return ['config', ...parts].join('.');
}

function article(type: unknown): string {
  const t = String(type);
  return `${/^[aeiou]/.test(t) ? 'an' : 'a'} ${t}`;
}

/** An auth_type value is echoed only when it looks like a type name (never a pasted secret). */
function showAuthType(value: unknown): string {
  if (value === undefined) return 'it is missing';
  return typeof value === 'string' && /^[A-Za-z0-9_.\- ]{1,20}$/.test(value) ? `got ${show(value)}` : 'got another value';
}

function describeError(e: ErrorObject, data: Record<string, unknown>): string {
  const path = dotted(e.instancePath);
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return `${dotted(e.instancePath, String(p['missingProperty']))} is required`;
    case 'type':
      return `${path} must be ${String(p['type']).split(',').map(article).join(' or ')}`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `${path} must be ${String(p['comparison'])} ${String(p['limit'])}`;
    case 'enum':
      return `${path} must be one of ${(p['allowedValues'] as unknown[]).map((v) => show(v)).join(', ')}`;
    case 'const':
      return `${path} must be ${show(p['allowedValue'])}`;
    case 'minLength':
      return p['limit'] === 1 ? `${path} must not be empty` : `${path} must have at least ${String(p['limit'])} characters`;
    case 'format':
      return p['format'] === 'date-time'
        ? `${path} must be an RFC 3339 date-time such as 2025-01-01T00:00:00Z`
        : `${path} must be a valid ${String(p['format'])}`;
    case 'pattern':
      return path === 'config.replication_start_date' ? badDate(data['replication_start_date']) : `${path} has an invalid format`;
    default:
      return `${path} ${e.message ?? 'is invalid'}`;
  }
}

/** Human messages for ajv errors; `credentials` oneOf failures are explained for the auth_type given. */
function describeErrors(errors: readonly ErrorObject[], data: Record<string, unknown>): string[] {
  const out: string[] = [];
  const credentialErrors = errors.filter((e) => e.schemaPath.startsWith('#/properties/credentials/'));
  for (const e of errors) {
    if (!credentialErrors.includes(e)) out.push(describeError(e, data));
  }
  if (credentialErrors.length > 0) out.push(...describeCredentialErrors(credentialErrors, data));
  if (errors.some((e) => e.keyword === 'required' && e.instancePath === '' && e.params['missingProperty'] === 'credentials')) {
    const i = out.indexOf('config.credentials is required');
    out[i] = `config.credentials is required: an object with auth_type ${allowedAuthTypes()} and its fields`;
  }
  return [...new Set(out)];
}

function allowedAuthTypes(): string {
  return (authTypes ?? []).map((t) => `'${t}'`).join(' or ');
}

function describeCredentialErrors(errors: readonly ErrorObject[], data: Record<string, unknown>): string[] {
  const creds = data['credentials'];
  if (!isPlainObject(creds)) {
    return [`config.credentials must be an object with auth_type ${allowedAuthTypes()}`];
  }
  const authType = creds['auth_type'];
  const index = typeof authType === 'string' ? (authTypes ?? []).indexOf(authType) : -1;
  if (index < 0) {
    return [`config.credentials.auth_type must be ${allowedAuthTypes()} (${showAuthType(authType)})`];
  }
  const prefix = `#/properties/credentials/oneOf/${index}/`;
  const own = errors.filter((e) => e.schemaPath.startsWith(prefix));
  const missing = own.filter((e) => e.keyword === 'required').map((e) => String(e.params['missingProperty']));
  const out: string[] = [];
  if (missing.length > 0) {
    out.push(
      `config.credentials is missing ${missing.join(', ')} (required with auth_type '${authType as string}'; ` +
        `auth_type may be ${allowedAuthTypes()})`,
    );
  }
  for (const e of own) if (e.keyword !== 'required') out.push(describeError(e, data));
  if (out.length === 0) out.push(`config.credentials does not match auth_type '${authType as string}'`);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// normalisation

/**
 * Normalises a config (types are trusted only where checked: this also runs on configs that failed validation,
 * to report the checks the schema cannot express). Returns the problems found as `{setting, message}`.
 */
function normalise(c: Record<string, unknown>): { config: ConnectorConfig; errors: { setting: string; message: string }[] } {
  const errors: { setting: string; message: string }[] = [];
  const out: Record<string, unknown> = { ...c };

  const creds = c['credentials'];
  if (isPlainObject(creds)) {
    const copy: Record<string, unknown> = { ...creds };
    const iso = strictIsoCursor(copy['token_expiry_date']);
    if (iso !== undefined) copy['token_expiry_date'] = iso;
    out['credentials'] = copy;
  }

  const start = c['replication_start_date'];
  if (typeof start === 'string') {
    const iso = strictIsoCursor(start);
    if (iso === undefined) errors.push({ setting: 'config.replication_start_date', message: badDate(start) });
    else out['replication_start_date'] = iso;
  }
  out['num_workers'] = c['num_workers'] ?? 3;
  for (const setting of ['api_url', 'oauth_url'] as const) {
    const value = c[setting] ?? (setting === 'oauth_url' ? DEFAULT_OAUTH_URL : undefined);
    if (typeof value !== 'string') continue;
    try {
      out[setting] = checkedBaseUrl(value, setting, `config.${setting}`);
    } catch (err) {
      errors.push({ setting: `config.${setting}`, message: (err as Error).message });
    }
  }
  return { config: out as unknown as ConnectorConfig, errors };
}
