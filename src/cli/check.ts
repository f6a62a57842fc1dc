/**
 * `check --config C`: validates the config and asks Pipedrive who the credentials belong to (src/check.ts).
 * Bad config or credentials → one CONNECTION_STATUS FAILED with a message a person can act on, exit 0.
 */
import type { CommandModule } from 'yargs';
import { openOutput } from './output.js';
import { configOption, type ConfigArgs } from './options.js';
import { connectionStatusMessage } from '../protocol.js';
import { messageOf } from '../errors.js';

export const checkCommand: CommandModule<object, ConfigArgs> = {
  command: 'check',
  describe: 'Check the config and the credentials (one CONNECTION_STATUS message)',
  builder: (y) => y.options(configOption) as never,
  handler: async (argv) => {
    const out = openOutput({ quiet: argv.quiet ?? false, debug: argv.debug ?? false });
    const [{ execute }, { readConfigFile }, { check }] = await Promise.all([import('./execute.js'), import('../config/index.js'), import('../check.js')]);
    await execute({
      out,
      inputs: () => ({ loaded: readConfigFile(argv.config) }),
      onInputError: (err) => [connectionStatusMessage(false, messageOf(err))],
      // A check is interactive: two retries, waits of at most 5 s.
      requests: { timeoutMs: 30_000, maxRetries: 2, maxDelayMs: 5_000 },
      run: (session) => check(session),
    });
  },
};
