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

/** `--update-config`: check, discover and read (each may rotate an OAuth refresh token). */
export const updateConfigOption = {
  'update-config': {
    type: 'boolean',
    describe: 'Write every new config the connector announces (CONTROL CONNECTOR_CONFIG: rotated OAuth credentials, '
      + 'a converted legacy config) back to the --config file, atomically, as it happens. Without it a rotated '
      + 'refresh token is only in the CONTROL message on stdout',
  },
} as const satisfies Record<string, Options>;

/** What yargs parses for a command with `configOption` and `updateConfigOption`. */
export interface ConfigFileArgs extends ConfigArgs {
  updateConfig?: boolean;
}
