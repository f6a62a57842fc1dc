/**
 * `npm run emulator`: starts the Pipedrive emulator and prints its URL and a ready connector config
 * to stderr. Runs until SIGINT/SIGTERM.
 *
 *   node dist/emulator/main.js [--port 8080] [--seed 1] [--deals 5000] [--persons 2000] [--<entity> N …]
 *     [--rate-limit 40] [--window-ms 2000] [--daily-budget 30000] [--latency 50]
 *     [--error5xx 0.05] [--reset 0.02] [--truncate 0.02] [--api-token T] [--now 2026-11-01T00:00:00Z]
 *     [--access-ttl N]
 */
import { parseArgs, usage } from './args.js';
import { startEmulator, type EmulatorOptions } from './server.js';

async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stderr.write(`${usage()}\n`);
    return;
  }
  let opts: EmulatorOptions;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 2;
    return;
  }
  const emu = await startEmulator(opts);
  process.stderr.write(`Pipedrive emulator listening on ${emu.url}\n`);
  process.stderr.write(`connector config (api token):\n${JSON.stringify(emu.config())}\n`);
  process.stderr.write(`connector config (oauth):\n${JSON.stringify(emu.oauthConfig())}\n`);
  process.stderr.write(`admin: ${emu.url}/__admin/knobs | /__admin/requests | /__admin/truth/<stream> | POST /__admin/mutate\n`);
  const stop = (signal: NodeJS.Signals): void => {
    process.stderr.write(`\n${signal}: stopping emulator\n`);
    emu.close().then(
      () => {
        process.exitCode = signal === 'SIGINT' ? 130 : 143;
      },
      () => {
        process.exitCode = 1;
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

void main();
