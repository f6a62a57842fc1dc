/**
 * The CLI: Airbyte's four commands as yargs command modules. Usage errors become a TRACE ERROR
 * (`config_error`) and exit 1; `--help` and `--version` print as yargs does.
 */
import yargs from 'yargs';
import { specCommand } from './spec.js';
import { checkCommand } from './check.js';
import { discoverCommand } from './discover.js';
import { readCommand } from './read.js';
import { packageVersion } from './paths.js';
import { errorTrace } from '../protocol.js';
import { serializeBatch } from '../sink.js';

class UsageError extends Error {}

export async function main(argv: readonly string[]): Promise<void> {
  let failed = false;
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
      if (failed) return;
      failed = true;
      const message = msg ?? err?.message ?? 'invalid command line';
      process.stderr.write(`${message}\nRun source-pipedrive --help for usage.\n`);
      process.stdout.write(serializeBatch([errorTrace(`Invalid command line: ${message}`, 'config_error')]));
      process.exitCode = 1;
      // Abort parsing so that no command handler runs after a usage error.
      throw new UsageError(message);
    });
  try {
    await parser.parseAsync();
  } catch (err) {
    if (!failed && !(err instanceof UsageError)) {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.stdout.write(serializeBatch([errorTrace('Unexpected failure of the connector', 'system_error')]));
      process.exitCode = 1;
    }
  }
}
