/** `discover --config C`: the catalog of every stream with its schema, keys and sync modes (src/discover.ts). */
import type { CommandModule } from 'yargs';
import { openOutput } from './output.js';
import { configOption, type ConfigArgs } from './options.js';

export const discoverCommand: CommandModule<object, ConfigArgs> = {
  command: 'discover',
  describe: 'Print the catalog of streams (one CATALOG message)',
  builder: (y) => y.options(configOption) as never,
  handler: async (argv) => {
    const out = openOutput({ quiet: argv.quiet ?? false, debug: argv.debug ?? false });
    const [{ execute }, { readConfigFile }, { discover }] = await Promise.all([import('./execute.js'), import('../config/index.js'), import('../discover.js')]);
    await execute({
      out,
      inputs: () => ({ loaded: readConfigFile(argv.config) }),
      // Discover is interactive and custom fields only refine it: one retry, then the static schemas.
      requests: { timeoutMs: 30_000, maxRetries: 1 },
      run: (session) => discover(session),
    });
  },
};
