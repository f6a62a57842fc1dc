/**
 * `check --config C`: validates the config and asks Pipedrive who the credentials belong to.
 * Bad config or credentials → one CONNECTION_STATUS FAILED with a message a person can act on, exit 0.
 */
import type { CommandModule } from 'yargs';
import { openOutput } from './output.js';
import { connectionStatusMessage, controlConfigMessage } from '../protocol.js';
import { messageOf, redact } from '../errors.js';

interface CheckArgs { config: string; quiet?: boolean; debug?: boolean }

export const checkCommand: CommandModule<object, CheckArgs> = {
  command: 'check',
  describe: 'Check the config and the credentials (one CONNECTION_STATUS message)',
  builder: (y) => y.option('config', { type: 'string', demandOption: true, describe: 'Path to the config JSON' }) as never,
  handler: async (argv) => {
    const out = openOutput({ quiet: argv.quiet ?? false, debug: argv.debug ?? false });
    const [{ readConfigFile }, { secretsOf }] = await Promise.all([import('../config/index.js'), import('../config/types.js')]);
    let loaded;
    try {
      loaded = readConfigFile(argv.config);
    } catch (err) {
      await out.emit(connectionStatusMessage(false, messageOf(err)));
      return;
    }
    const { config } = loaded;
    let raw: Record<string, unknown> = loaded.migrated ?? loaded.raw;
    const secrets = secretsOf(config);
    if (loaded.migrated) await out.emit(controlConfigMessage(loaded.migrated));
    const [{ createAxiosPort }, { createAuth }, { apiRoot }, { retryRateLimited }, rx] = await Promise.all([
      import('../http/axios.js'), import('../http/auth.js'), import('../http/urls.js'),
      import('../../operators/index.js'), import('rxjs'),
    ]);
    const port = createAxiosPort({ timeoutMs: 30_000 });
    const pending: Promise<void>[] = [];
    const auth = createAuth(config, {
      port,
      onConfigChange: (credentials) => {
        raw = { ...raw, credentials: { ...credentials } };
        secrets.push(credentials.refresh_token, credentials.access_token ?? '');
        pending.push(out.emit(controlConfigMessage(raw)));
      },
    });
    const authed = auth.wrap(port);
    try {
      const me = await rx.lastValueFrom(auth.baseUrl().pipe(
        rx.concatMap((base) => authed({ method: 'GET', url: `${apiRoot(base, 'v1')}/users/me` }).pipe(retryRateLimited({ maxRetries: 2, maxDelayMs: 5_000 }))),
      ));
      await Promise.all(pending);
      const data = (me.data as { data?: { name?: unknown; company_name?: unknown } } | null)?.data;
      const who = data && typeof data.name === 'string' ? ` as ${data.name}${typeof data.company_name === 'string' ? ` (${data.company_name})` : ''}` : '';
      out.log.info(`Connected to Pipedrive${who}`);
      await out.emit(connectionStatusMessage(true));
    } catch (err) {
      await Promise.all(pending);
      await out.emit(connectionStatusMessage(false, redact(messageOf(err), secrets)));
    }
  },
};
