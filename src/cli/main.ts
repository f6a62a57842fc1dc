/**
 * The CLI: Airbyte's four commands as yargs command modules. Usage errors become a TRACE ERROR
 * (`config_error`) and exit 1; `--help` and `--version` print as yargs does.
 *
 * Start-up: the platform runs `spec`, `check`, `discover` and `read` with plain `--name value` options. Such a
 * command line is parsed with `node:util`'s strict `parseArgs` and handed straight to the command's handler; yargs
 * (tens of milliseconds to load) is only loaded for anything else: `--help`, `--version`, a usage error, or a form
 * the strict parser does not take (which yargs then parses exactly as before).
 */
import { parseArgs } from 'node:util';
import type { ArgumentsCamelCase, CommandModule } from 'yargs';
import { specCommand } from './spec.js';
import { checkCommand } from './check.js';
import { discoverCommand } from './discover.js';
import { readCommand } from './read.js';
import { packageVersion } from './paths.js';
import { errorTrace } from '../protocol.js';
import { serializeBatch } from '../sink.js';

class UsageError extends Error {}

interface PlainCommand {
  // The handlers take their own argument types; the table only forwards parsed values to them.
  readonly module: CommandModule<object, never>;
  /** String options of the command (those of its yargs builder). */
  readonly strings: readonly string[];
  /** The options its builder demands. */
  readonly required: readonly string[];
}

const PLAIN_COMMANDS: Readonly<Record<string, PlainCommand>> = {
  spec: { module: specCommand as CommandModule<object, never>, strings: [], required: [] },
  check: { module: checkCommand as CommandModule<object, never>, strings: ['config'], required: ['config'] },
  discover: { module: discoverCommand as CommandModule<object, never>, strings: ['config'], required: ['config'] },
  read: { module: readCommand as CommandModule<object, never>, strings: ['config', 'catalog', 'state'], required: ['config', 'catalog'] },
};

/** Global boolean options (those registered with yargs below). */
const GLOBAL_FLAGS = ['quiet', 'debug'] as const;

/**
 * The command and its arguments when `argv` is a plain invocation: a known command, then each of its options at
 * most once (`--name value` or `--name=value`, flags without a value), every demanded option present, nothing else.
 * `undefined` means yargs decides.
 */
export function plainInvocation(argv: readonly string[]): { command: PlainCommand; args: Record<string, unknown> } | undefined {
  const [name, ...rest] = argv;
  if (name === undefined || !Object.hasOwn(PLAIN_COMMANDS, name)) return undefined;
  const command = PLAIN_COMMANDS[name] as PlainCommand;
  const options: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const flag of GLOBAL_FLAGS) options[flag] = { type: 'boolean' };
  for (const option of command.strings) options[option] = { type: 'string' };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: rest, options, strict: true, allowPositionals: false, tokens: true });
  } catch {
    return undefined;
  }
  const given = (parsed.tokens ?? []).flatMap((t) => (t.kind === 'option' ? [t.name] : []));
  // yargs turns a repeated option into an array: leave that (and its error) to yargs.
  if (new Set(given).size !== given.length) return undefined;
  if (command.required.some((option) => typeof parsed.values[option] !== 'string')) return undefined;
  return { command, args: { _: [name], $0: 'source-pipedrive', ...parsed.values } };
}

function unexpectedFailure(err: unknown): void {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.stdout.write(serializeBatch([errorTrace('Unexpected failure of the connector', 'system_error')]));
  process.exitCode = 1;
}

export async function main(argv: readonly string[]): Promise<void> {
  const plain = plainInvocation(argv);
  if (plain) {
    try {
      await plain.command.module.handler(plain.args as ArgumentsCamelCase<never>);
    } catch (err) {
      unexpectedFailure(err);
    }
    return;
  }

  const { default: yargs } = await import('yargs');
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
    if (!failed && !(err instanceof UsageError)) unexpectedFailure(err);
  }
}
