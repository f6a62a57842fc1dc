/**
 * `npm run emulator`: starts the Pipedrive emulator and prints its URL and a ready connector config
 * to stderr. Runs until SIGINT/SIGTERM.
 *
 *   node dist/emulator/main.js [--port 8080] [--seed 1] [--deals 5000] [--persons 2000] [--<entity> N …]
 *     [--rate-limit 40] [--window-ms 2000] [--daily-budget 30000] [--latency 50]
 *     [--error5xx 0.05] [--reset 0.02] [--truncate 0.02] [--api-token T] [--now 2026-11-01T00:00:00Z]
 *     [--access-ttl N]
 */
import { startEmulator, type EmulatorOptions } from './server.js';
import { DEFAULT_SIZES } from './world.js';

function usage(): string {
  return [
    'usage: npm run emulator -- [options]',
    '  --port N            listen port (default: random free port)',
    '  --seed N            data seed (default 1)',
    `  --<entity> N        record count, entities: ${Object.keys(DEFAULT_SIZES).join(', ')}`,
    '  --rate-limit N      burst limit per rolling window (default: unlimited)',
    '  --window-ms MS      rolling window length (default 2000)',
    '  --daily-budget N    daily token budget (default: unlimited)',
    '  --latency MS        added latency per request',
    '  --error5xx S, --reset S, --truncate S   fault shares 0..1',
    '  --api-token T       accepted API token (default emulator-token)',
    '  --access-ttl N      OAuth access tokens expire after N requests',
    '  --now ISO           the emulator\'s "now" (default 2026-11-01T00:00:00Z)',
  ].join('\n');
}

export function parseArgs(argv: readonly string[]): EmulatorOptions {
  const opts: EmulatorOptions = {};
  const sizes: Record<string, number> = {};
  const faults: { error5xx?: number; reset?: number; truncate?: number } = {};
  let windowMs: number | undefined;
  let burst: number | undefined;
  for (let k = 0; k < argv.length; k++) {
    const raw = argv[k]!;
    if (raw === '--help' || raw === '-h') throw new Error(usage());
    if (!raw.startsWith('--')) throw new Error(`unexpected argument '${raw}'\n${usage()}`);
    let name = raw.slice(2);
    let value: string | undefined;
    const eq = name.indexOf('=');
    if (eq >= 0) {
      value = name.slice(eq + 1);
      name = name.slice(0, eq);
    } else {
      value = argv[++k];
    }
    if (value === undefined) throw new Error(`--${name} needs a value`);
    const num = (): number => {
      const n = Number(value);
      if (!Number.isFinite(n)) throw new Error(`--${name} must be a number, got '${value}'`);
      return n;
    };
    const key = name.replace(/-/g, '_');
    switch (name) {
      case 'port': opts.port = num(); break;
      case 'seed': opts.seed = num(); break;
      case 'rate-limit': burst = num(); break;
      case 'window-ms': windowMs = num(); break;
      case 'daily-budget': opts.dailyBudget = num(); break;
      case 'latency': opts.latencyMs = num(); break;
      case 'error5xx': faults.error5xx = num(); break;
      case 'reset': faults.reset = num(); break;
      case 'truncate': faults.truncate = num(); break;
      case 'api-token': opts.apiToken = value; break;
      case 'access-ttl': opts.oauth = { clientId: 'emulator-client', clientSecret: 'emulator-secret', refreshToken: 'emulator-refresh-0', accessTokenTtlRequests: num() }; break;
      case 'now': {
        const d = new Date(value);
        if (Number.isNaN(d.getTime())) throw new Error(`--now must be an ISO timestamp, got '${value}'`);
        opts.now = d;
        break;
      }
      default:
        if (key in DEFAULT_SIZES) sizes[key] = num();
        else throw new Error(`unknown option --${name}\n${usage()}`);
    }
  }
  if (Object.keys(sizes).length) opts.sizes = sizes;
  if (Object.keys(faults).length) opts.faults = faults;
  if (burst !== undefined) opts.rateLimit = { burst, ...(windowMs !== undefined ? { windowMs } : {}) };
  return opts;
}

async function main(): Promise<void> {
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
