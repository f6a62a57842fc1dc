/** `discover --config C`: the catalog of every stream with its schema, keys and sync modes. */
import type { CommandModule } from 'yargs';
import { credentialPersister, openOutput, type Output } from './output.js';
import type { LoadedConfig } from '../config/index.js';
import { catalogMessage, controlConfigMessage, type AirbyteStream } from '../protocol.js';
import type { StreamDefinition } from '../../streams/types.js';

interface DiscoverArgs { config: string; quiet?: boolean; debug?: boolean }

/** The catalog entry of one stream definition. */
export function airbyteStream(def: StreamDefinition, schema: Record<string, unknown>): AirbyteStream {
  const incremental = def.incremental !== 'none' && def.cursorField !== undefined;
  return {
    name: def.name,
    json_schema: schema,
    supported_sync_modes: incremental ? ['full_refresh', 'incremental'] : ['full_refresh'],
    source_defined_primary_key: def.primaryKey.map((k) => [...k]),
    ...(incremental ? { source_defined_cursor: true, default_cursor_field: [def.cursorField as string], is_resumable: true } : {}),
  };
}

export const discoverCommand: CommandModule<object, DiscoverArgs> = {
  command: 'discover',
  describe: 'Print the catalog of streams (one CATALOG message)',
  builder: (y) => y.option('config', { type: 'string', demandOption: true, describe: 'Path to the config JSON' }) as never,
  handler: async (argv) => {
    const out = openOutput({ quiet: argv.quiet ?? false, debug: argv.debug ?? false });
    const [{ readConfigFile }, { secretsOf }] = await Promise.all([import('../config/index.js'), import('../config/types.js')]);
    const secrets: string[] = [];
    try {
      const loaded = readConfigFile(argv.config);
      secrets.push(...secretsOf(loaded.config));
      if (loaded.migrated) await out.emit(controlConfigMessage(loaded.migrated));
      const schemas = await discoverWithCustomFields(loaded, out, secrets);
      await out.emit(catalogMessage(schemas.map(({ def, schema }) => airbyteStream(def, schema))));
    } catch (err) {
      await out.fail(err, secrets);
    }
  },
};

/**
 * Every stream's schema, with the account's custom fields typed (src/customFields.ts): the `*Fields` endpoints are
 * read with the config's credentials (OAuth refresh persisted with a CONTROL message, one retry per request).
 * Wrong credentials fail discover (config_error); any other problem with the field definitions only logs a WARN and
 * leaves the affected streams with their static schemas.
 */
async function discoverWithCustomFields(
  loaded: LoadedConfig,
  out: Output,
  secrets: string[],
): Promise<Array<{ def: StreamDefinition; schema: Record<string, unknown> }>> {
  const [{ createAxiosPort }, { createRequester }, { apiRoot }, cf, rx] = await Promise.all([
    import('../http/axios.js'), import('../read/requester.js'), import('../http/urls.js'), import('../customFields.js'), import('rxjs'),
  ]);
  const { config } = loaded;
  out.log.addSecrets(secrets);
  const persister = credentialPersister(out, loaded.migrated ?? loaded.raw, secrets);
  const pending: Promise<void>[] = [];
  const logs = out.log.messages$.subscribe((batch) => { pending.push(out.emit(...batch)); });
  const requester = createRequester({
    config,
    port: createAxiosPort({ timeoutMs: 30_000 }),
    // Discover is interactive and custom fields only refine it: one retry, then the static schemas.
    maxRetries: 1,
    onCredentials: persister.onCredentials,
    warn: (message) => out.log.warn(message),
  });
  const ctx$ = requester.baseUrl().pipe(rx.map((base) => ({ request: requester.request, root: (api: 'v1' | 'v2') => apiRoot(base, api) })));
  try {
    return await rx.lastValueFrom(cf.discoverSchemas(ctx$, cf.customFieldOptions(config), (m) => out.log.warn(m)));
  } finally {
    logs.unsubscribe();
    await Promise.all(pending);
    await persister.flush();
  }
}
