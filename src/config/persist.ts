/**
 * `--update-config`: the config file follows the connector's CONTROL `CONNECTOR_CONFIG` messages, as the Airbyte
 * platform's stored config does. Pipedrive rotates OAuth refresh tokens: the token a run started with stops working
 * once it has been exchanged, so a cron job that does not keep the new one cannot authenticate the next time.
 *
 * Each CONTROL config (the file's own fields with the new credentials, or a legacy config converted to the current
 * shape; built by src/session.ts) replaces the file atomically (src/files/atomic.ts) the moment it passes, not at
 * the end: a run killed later still leaves a config that works. Nothing here prints a secret.
 */
import { accessSync, constants, realpathSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError, messageOf } from '../errors.js';
import type { AirbyteMessage } from '../protocol.js';
import { writeFileAtomic } from '../files/atomic.js';

export const UPDATE_CONFIG_OPTION = '--update-config';

export interface ConfigFileUpdater {
  /** Writes the config of every CONNECTOR_CONFIG CONTROL message of the batch (the last one wins). */
  observe(batch: readonly AirbyteMessage[]): void;
  /** How many times the file was written. */
  writes(): number;
  /** The error of a write that failed, if one did (a ConfigError naming --update-config). */
  failure(): ConfigError | undefined;
}

/**
 * Checks up front that the config file can be replaced: the file and its folder (where the temporary file goes) are
 * writable. A ConfigError naming --update-config otherwise, before any request is made.
 */
export function checkConfigWritable(path: string): void {
  let target = path;
  try {
    target = realpathSync(path);
    accessSync(target, constants.W_OK);
    accessSync(dirname(target), constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigError(`${UPDATE_CONFIG_OPTION}: the config file '${path}' cannot be replaced (${code}): it and its folder must be writable`);
  }
}

/** An updater of the config file `path`; `log` gets one line per write (never the config itself). */
export function configFileUpdater(path: string, log: { info(m: string): void; error(m: string): void }): ConfigFileUpdater {
  let writes = 0;
  let failure: ConfigError | undefined;
  return {
    observe: (batch) => {
      let config: Record<string, unknown> | undefined;
      for (const m of batch) if (m.type === 'CONTROL' && m.control.type === 'CONNECTOR_CONFIG') config = m.control.connectorConfig.config;
      if (config === undefined) return;
      try {
        writeFileAtomic(path, `${JSON.stringify(config, null, 2)}\n`);
        writes++;
        log.info(`${UPDATE_CONFIG_OPTION}: wrote the connector's new config (rotated OAuth credentials or a converted legacy config) to '${path}'`);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        failure = new ConfigError(
          `${UPDATE_CONFIG_OPTION}: could not write the new config to '${path}' (${code ?? messageOf(err)}). It is in the last CONTROL message ` +
            'on stdout: save it (docs/recipes.md, "Keep a rotated OAuth config"), or the next run may not authenticate',
        );
        log.error(failure.message);
      }
    },
    writes: () => writes,
    failure: () => failure,
  };
}
