/** Option sets the command modules share, declared once (yargs `options` objects). */
import type { Options } from 'yargs';

/** `--config FILE`: every command but `spec`. */
export const configOption = {
  config: { type: 'string', demandOption: true, describe: 'Path to the config JSON' },
} as const satisfies Record<string, Options>;

/** What yargs parses for a command with `configOption` (plus the global `--quiet` / `--debug`). */
export interface ConfigArgs {
  config: string;
  quiet?: boolean;
  debug?: boolean;
}
