/**
 * `check --config C`: validates the config and asks Pipedrive who the credentials belong to.
 * Bad config or credentials → one CONNECTION_STATUS FAILED with a message a person can act on, exit 0.
 */
import type { CommandModule } from 'yargs';
import { credentialPersister, openOutput } from './output.js';
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
    const secrets = secretsOf(config);
    if (loaded.migrated) await out.emit(controlConfigMessage(loaded.migrated));
    const [{ createAxiosPort }, { createRequester }, { apiRoot }, rx] = await Promise.all([
      import('../http/axios.js'), import('../read/requester.js'), import('../http/urls.js'), import('rxjs'),
    ]);
    const persister = credentialPersister(out, loaded.migrated ?? loaded.raw, secrets);
    // A check is interactive: two retries, waits of at most 5 s.
    const requester = createRequester({
      config,
      port: createAxiosPort({ timeoutMs: 30_000 }),
      onCredentials: persister.onCredentials,
      maxRetries: 2,
      maxDelayMs: 5_000,
    });
    try {
      const me = await rx.lastValueFrom(requester.baseUrl().pipe(
        rx.concatMap((base) => requester.request({ name: 'check', tokenCost: 2 }, { method: 'GET', url: `${apiRoot(base, 'v1')}/users/me` })),
      ));
      await persister.flush();
      const data = (me.data as { data?: { name?: unknown; company_name?: unknown } } | null)?.data;
      const who = data && typeof data.name === 'string' ? ` as ${data.name}${typeof data.company_name === 'string' ? ` (${data.company_name})` : ''}` : '';
      out.log.info(`Connected to Pipedrive${who}`);
      await out.emit(connectionStatusMessage(true));
    } catch (err) {
      await persister.flush();
      await out.emit(connectionStatusMessage(false, redact(messageOf(err), secrets)));
    }
  },
};
