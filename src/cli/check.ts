/**
 * `check --config C`: validates the config and asks Pipedrive who the credentials belong to (src/check.ts).
 * Bad config or credentials → one CONNECTION_STATUS FAILED with a message a person can act on, exit 0.
 */
import type { CommandModule } from 'yargs';
import { openOutput } from './output.js';
import { configOption, updateConfigOption, type ConfigFileArgs } from './options.js';
import { connectionStatusMessage } from '../protocol.js';
import { messageOf } from '../errors.js';

export const checkCommand: CommandModule<object, ConfigFileArgs> = {
  command: 'check',
  describe: 'Check the config and the credentials (one CONNECTION_STATUS message)',
  builder: (y) => y.options({ ...configOption, ...updateConfigOption }) as never,
  handler: async (argv) => {
    const out = openOutput({ quiet: argv.quiet ?? false, debug: argv.debug ?? false });
    const [{ execute }, { readConfigFile }, { check, CHECK_REQUESTS }] = await Promise.all([import('./execute.js'), import('../config/index.js'), import('../check.js')]);
    await execute({
      out,
      inputs: () => ({ loaded: readConfigFile(argv.config) }),
      updateConfig: argv.updateConfig ? argv.config : undefined,
      onInputError: (err) => [connectionStatusMessage(false, messageOf(err))],
      requests: CHECK_REQUESTS,
      run: (session) => check(session),
    });
  },
};
