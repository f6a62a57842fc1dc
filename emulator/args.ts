/** Command-line flags of `npm run emulator` (see `main.ts`). */
import type { EmulatorOptions } from './server.js';
import { DEFAULT_SIZES } from './world.js';

export function usage(): string {
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
