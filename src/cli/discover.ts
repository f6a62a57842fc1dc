/** `discover --config C`: the catalog of every stream with its schema, keys and sync modes. */
import type { CommandModule } from 'yargs';
import { openOutput } from './output.js';
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
    const [{ readConfigFile }, { allStreams, loadSchema }] = await Promise.all([
      import('../config/index.js'), import('../../streams/index.js'),
    ]);
    try {
      const loaded = readConfigFile(argv.config);
      if (loaded.migrated) await out.emit(controlConfigMessage(loaded.migrated));
      await out.emit(catalogMessage(allStreams.map((def) => airbyteStream(def, loadSchema(def)))));
    } catch (err) {
      await out.fail(err);
    }
  },
};
