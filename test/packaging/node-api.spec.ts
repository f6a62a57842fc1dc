/**
 * The Node API as a user gets it: `npm pack`, the tarball installed into an empty project with `typescript` and
 * `@types/node`, a consumer program compiled against the package's declarations (strict, no skipLibCheck) and run
 * against the emulator; a program with deliberate type errors must not compile (so the types are real); and the
 * README's Node example, compiled and run exactly as printed.
 *
 * Needs a build (`npm test` builds first). Installs from the npm cache (`--offline`, filled by `npm ci`), falling
 * back to the registry.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { timed as timedStep } from '../helpers/timing.js';
import { execFile, type ExecFileOptions } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startTestEmulator, type Emulator } from '../helpers/emulator.js';
import { trackChild } from '../helpers/resources.js';
import { repoRoot } from '../helpers/protocol.js';
import { readmeBlock } from '../helpers/readme.js';
import { allStreams } from '../../streams/index.js';

const execFileAsync = promisify(execFile);
/** `execFile`, tracked (test/helpers/resources.ts) and killed after `timeout` (default 90 s). */
function exec(file: string, args: readonly string[], opts: ExecFileOptions = {}): Promise<{ stdout: string; stderr: string }> {
  const p = execFileAsync(file, args, { timeout: 90_000, killSignal: 'SIGKILL', maxBuffer: 64 << 20, ...opts, encoding: 'utf8' });
  trackChild(p.child);
  return p;
}
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** The environment for child npm commands, without what `npm test` sets for the repository's own package. */
function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
  for (const k of Object.keys(env)) if (/^npm_(package|lifecycle)_|^npm_config_(local_prefix|global_prefix|prefix)$|^INIT_CWD$/.test(k)) delete env[k];
  return env;
}

/** The version of a dev dependency the repository is locked to (the consumer compiles with the same TypeScript). */
const locked = (name: string): string => {
  const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version: string }> };
  const v = lock.packages[`node_modules/${name}`]?.version;
  if (!v) throw new Error(`${name} is not in package-lock.json`);
  return v;
};

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true, skipLibCheck: false, types: ['node'], outDir: 'out', rootDir: '.',
  },
};

/** Uses the records and errors of the API; prints what it got as one JSON line. */
const CONSUMER = `import { readFileSync } from 'node:fs';
import { read, check, ConfigError, STREAM_NAMES, type Deal, type Person, type StreamRecords, type ReadSummary } from 'source-pipedrive';

const config = JSON.parse(readFileSync(process.argv[2] as string, 'utf8')) as Record<string, unknown>;
const titles: string[] = [];
const persons: Array<Person['id']> = [];
const sync = read({ config, streams: ['deals', 'persons'] });
for await (const msg of sync) {
  if (msg.type !== 'RECORD') continue;
  if (msg.record.stream === 'deals') {
    const deal: Deal = msg.record.data;
    titles.push(deal.title ?? '');
  } else {
    const id: number = msg.record.data.id;
    persons.push(id);
  }
}
const summary: ReadSummary | undefined = sync.summary();
let value = 0;
for await (const msg of read({ config, streams: ['deals'] })) {
  if (msg.type === 'RECORD') value += msg.record.data.value ?? 0;
}
const names: ReadonlyArray<keyof StreamRecords> = STREAM_NAMES;
let refused = '';
try {
  read({ config, streams: [] });
} catch (err) {
  if (err instanceof ConfigError) refused = err.failureType;
}
const status = await check({ config });
console.log(JSON.stringify({ deals: titles.length, persons: persons.length, value, streams: names.length, refused, status: status.status, failed: summary?.failed }));
`;

/** Deliberate type errors, each on its own line (numbers below): the compiler must reject every one. */
const BAD = `import { read } from 'source-pipedrive';
const config = {};
for await (const msg of read({ config, streams: ['deals'] })) {
  if (msg.type === 'RECORD') {
    const title: number = msg.record.data.title;
    console.log(title);
  }
}
read({ config, streams: ['dealz'] });
for await (const msg of read({ config, streams: ['persons'] })) {
  if (msg.type === 'RECORD' && msg.record.stream === 'deals') console.log(msg);
}
`;
const BAD_LINES = [5, 9, 11];

let emu: Emulator;
let project: string;
const temps: string[] = [];
const timings: Record<string, number> = {};

const timed = <T>(label: string, f: () => Promise<T>): Promise<T> => timedStep(timings, label, f);

const tsc = (args: string[]) => exec(join(project, 'node_modules/.bin/tsc'), args, { cwd: project, maxBuffer: 16 << 20 });

beforeAll(async () => {
  expect(existsSync(join(repoRoot, 'dist/src/api/index.d.ts')), 'dist/ is missing: run npm run build first').toBe(true);
  const out = mkdtempSync(join(tmpdir(), 'spd-pack-api-'));
  temps.push(out);
  const { stdout } = await timed('npm pack', () => exec(npm, ['pack', '--json', '--ignore-scripts', '--pack-destination', out], { cwd: repoRoot, env: npmEnv(), maxBuffer: 64 << 20 }));
  const packed = (JSON.parse(stdout) as Array<{ filename: string; files: Array<{ path: string }> }>)[0];
  if (!packed) throw new Error(`npm pack printed no result: ${stdout.slice(0, 300)}`);
  expect(packed.files.map((f) => f.path)).toEqual(expect.arrayContaining(['dist/src/api/index.js', 'dist/src/api/index.d.ts', 'dist/streams/records.d.ts']));
  project = mkdtempSync(join(tmpdir(), 'spd-consumer-'));
  temps.push(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'spd-consumer', version: '1.0.0', private: true, type: 'module' }));
  const specs = [join(out, packed.filename), `typescript@${locked('typescript')}`, `@types/node@${locked('@types/node')}`];
  await timed('npm install', async () => {
    try {
      await exec(npm, ['install', '--offline', '--no-audit', '--no-fund', ...specs], { cwd: project, env: npmEnv(), maxBuffer: 64 << 20 });
    } catch {
      await exec(npm, ['install', '--prefer-offline', '--no-audit', '--no-fund', ...specs], { cwd: project, env: npmEnv(), maxBuffer: 64 << 20 });
    }
  });
  emu = await startTestEmulator({ seed: 4, sizes: { deals: 600, persons: 200 } });
  writeFileSync(join(project, 'config.json'), JSON.stringify(emu.config()));
  process.stderr.write(`[node-api.spec] ${Object.entries(timings).map(([k, v]) => `${k}: ${v} ms`).join(', ')}\n`);
}, 180_000);

afterAll(async () => {
  await emu?.close();
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

describe('the packed package, used from TypeScript', () => {
  it('exports the API (types first) and keeps the bin', () => {
    const pkg = JSON.parse(readFileSync(join(project, 'node_modules/source-pipedrive/package.json'), 'utf8')) as { exports: Record<string, unknown>; bin: Record<string, string> };
    expect(pkg.exports['.']).toEqual({ types: './dist/src/api/index.d.ts', default: './dist/src/api/index.js' });
    expect(Object.keys(pkg.exports['.'] as object)[0]).toBe('types');
    expect(pkg.bin).toEqual({ 'source-pipedrive': 'bin/source-pipedrive.js' });
    expect(existsSync(join(project, 'node_modules/.bin/source-pipedrive'))).toBe(true);
  });

  it('a consumer compiles against the declarations (strict, without skipLibCheck) and reads the emulator', async () => {
    writeFileSync(join(project, 'consumer.ts'), CONSUMER);
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ ...TSCONFIG, files: ['consumer.ts'] }));
    await tsc(['-p', 'tsconfig.json']);
    const { stdout } = await exec(process.execPath, [join(project, 'out/consumer.js'), join(project, 'config.json')], { cwd: project });
    const got = JSON.parse(stdout) as Record<string, unknown>;
    const deals = [...emu.groundTruth('deals')];
    expect(got).toEqual({
      deals: deals.length,
      persons: [...emu.groundTruth('persons')].length,
      value: deals.reduce((a, d) => a + ((d['value'] as number | null) ?? 0), 0),
      streams: allStreams.length,
      refused: 'config_error',
      status: 'SUCCEEDED',
      failed: false,
    });
  }, 120_000);

  it('a program with type errors does not compile: a number from a string field, an unknown stream, a stream not read', async () => {
    writeFileSync(join(project, 'bad.ts'), BAD);
    writeFileSync(join(project, 'tsconfig.bad.json'), JSON.stringify({ ...TSCONFIG, compilerOptions: { ...TSCONFIG.compilerOptions, noEmit: true }, files: ['bad.ts'] }));
    const result = await tsc(['-p', 'tsconfig.bad.json', '--pretty', 'false']).then(() => ({ code: 0, stdout: '' }), (e: { code: number; stdout: string }) => e);
    expect(result.code).not.toBe(0);
    const errorLines = [...result.stdout.matchAll(/^bad\.ts\((\d+),\d+\): error TS\d+/gm)].map((m) => Number(m[1]));
    expect([...new Set(errorLines)].sort((a, b) => a - b)).toEqual(BAD_LINES);
    expect(result.stdout).toMatch(/bad\.ts\(5,\d+\): error TS2322: Type 'string \| null \| undefined' is not assignable to type 'number'/);
    expect(result.stdout).toMatch(/bad\.ts\(9,\d+\): error TS\d+: Type '"dealz"' is not assignable to type 'keyof StreamRecords'/);
    expect(result.stdout).toMatch(/bad\.ts\(11,\d+\): error TS2367: .* the types '"persons"' and '"deals"' have no overlap/);
  }, 120_000);

  it("the README's Node example, compiled and run exactly as printed, prints every deal", async () => {
    const example = readmeBlock('node-example', 'ts');
    expect(example.split('\n')).toHaveLength(5);
    writeFileSync(join(project, 'example.ts'), `${example}\n`);
    writeFileSync(join(project, 'tsconfig.example.json'), JSON.stringify({ ...TSCONFIG, files: ['example.ts'] }));
    await tsc(['-p', 'tsconfig.example.json']);
    const truth = [...emu.groundTruth('deals')].map((d) => `${String(d['id'])} ${String(d['title'])}`);
    const compiled = await exec(process.execPath, [join(project, 'out/example.js')], { cwd: project, maxBuffer: 16 << 20 });
    expect(compiled.stdout.split('\n').filter(Boolean).sort()).toEqual(truth.sort());
    // It is plain JavaScript too.
    writeFileSync(join(project, 'example.mjs'), `${example}\n`);
    const plain = await exec(process.execPath, [join(project, 'example.mjs')], { cwd: project, maxBuffer: 16 << 20 });
    expect(plain.stdout).toBe(compiled.stdout);
  }, 120_000);
});
