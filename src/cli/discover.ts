/** `discover --config C`: the catalog of every stream with its schema, keys and sync modes (src/discover.ts). */
import type { CommandModule } from 'yargs';
import { openOutput } from './output.js';
import { configOption, updateConfigOption, type ConfigFileArgs } from './options.js';

export const discoverCommand: CommandModule<object, ConfigFileArgs> = {
  command: 'discover',
  describe: 'Print the catalog of streams (one CATALOG message)',
  builder: (y) => y.options({ ...configOption, ...updateConfigOption }) as never,
  handler: async (argv) => {
    const out = openOutput({ quiet: argv.quiet ?? false, debug: argv.debug ?? false });
    const [{ execute }, { readConfigFile }, { discover, DISCOVER_REQUESTS }] = await Promise.all([import('./execute.js'), import('../config/index.js'), import('../discover.js')]);
    await execute({
      out,
      inputs: () => ({ loaded: readConfigFile(argv.config) }),
      updateConfig: argv.updateConfig ? argv.config : undefined,
      requests: DISCOVER_REQUESTS,
      run: (session) => discover(session),
    });
  },
};
