/**
 * The CLI: Airbyte's four commands as yargs command modules. Usage errors become a TRACE ERROR
 * (`config_error`) and exit 1; `--help` and `--version` print as yargs does.
 */
import yargs from 'yargs';
import { specCommand } from './spec.js';
import { checkCommand } from './check.js';
import { discoverCommand } from './discover.js';
import { readCommand } from './read.js';
import { packageVersion } from '../paths.js';
import { errorTrace } from '../protocol.js';
import { openOutput } from './output.js';

class UsageError extends Error {}

export async function main(argv: readonly string[]): Promise<void> {
  const parser = yargs([...argv])
    .scriptName('source-pipedrive')
    .usage('$0 <command> [options]\n\nAn Airbyte source for Pipedrive CRM. stdout carries Airbyte protocol messages only.')
    .command([specCommand, checkCommand, discoverCommand, readCommand] as never)
    .option('quiet', { type: 'boolean', describe: 'No logs or progress on stderr', global: true })
    .option('debug', { type: 'boolean', describe: 'Debug logs on stderr', global: true })
    .demandCommand(1, 'Name a command: spec, check, discover or read')
    .strict()
    .version(packageVersion())
    .help()
    .exitProcess(false)
    .fail((msg: string | null, err: Error | undefined) => {
      // yargs reports a failing command handler here too (without a message): that is not a usage error.
      if (msg === null && err) throw err;
      // Abort parsing so that no command handler runs after a usage error.
      throw new UsageError(msg ?? 'invalid command line');
    });
  try {
    await parser.parseAsync();
  } catch (err) {
    // Even these go to stdout through the sink, the only writer of stdout.
    const out = openOutput();
    process.exitCode = 1;
    if (err instanceof UsageError) {
      process.stderr.write(`${err.message}\nRun source-pipedrive --help for usage.\n`);
      await out.emit(errorTrace(`Invalid command line: ${err.message}`, 'config_error'));
    } else {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      await out.emit(errorTrace('Unexpected failure of the connector', 'system_error'));
    }
  }
}
