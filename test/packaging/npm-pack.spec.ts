/**
 * The npm package: `npm pack` ships the runtime (dist of src, streams and operators, the bin shim, schemas, spec,
 * README, CHANGELOG, LICENSE) and nothing else; the tarball installs into an empty folder with production
 * dependencies only, and `npx source-pipedrive spec` (and discover, check, read) run from there.
 *
 * Needs a build (`npm test` builds first). The install uses the npm cache (`--offline`, filled by `npm ci`) and falls
 * back to the registry.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { timed as timedStep } from '../helpers/timing.js';
import { execFile, type ExecFileOptions } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../helpers/protocol.js';
import { trackChild } from '../helpers/resources.js';
import { allStreams } from '../../streams/index.js';
import { run, smokeTest } from './smoke.js';

const execFileAsync = promisify(execFile);
/** `execFile`, tracked (test/helpers/resources.ts) and killed after `timeout` (default 90 s). */
function exec(file: string, args: readonly string[], opts: ExecFileOptions = {}): Promise<{ stdout: string; stderr: string }> {
  const p = execFileAsync(file, args, { timeout: 90_000, killSignal: 'SIGKILL', ...opts, encoding: 'utf8' });
  trackChild(p.child);
  return p;
}
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';

/** The environment for child npm commands, without what `npm test` sets for the repository's own package. */
function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
  for (const k of Object.keys(env)) if (/^npm_(package|lifecycle)_|^npm_config_(local_prefix|global_prefix|prefix)$|^INIT_CWD$/.test(k)) delete env[k];
  return env;
}

interface PackResult {
  filename: string;
  size: number;
  unpackedSize: number;
  files: Array<{ path: string; size: number }>;
}

const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  name: string; version: string; bin: Record<string, string>; dependencies: Record<string, string>; devDependencies: Record<string, string>;
};

let packed: PackResult;
let tarball: string;
let installDir: string;
const temps: string[] = [];
const timings: Record<string, number> = {};

const timed = <T>(label: string, f: () => Promise<T>): Promise<T> => timedStep(timings, label, f);

beforeAll(async () => {
  expect(existsSync(join(repoRoot, 'dist/src/cli/main.js')), 'dist/ is missing: run npm run build first').toBe(true);
  const out = mkdtempSync(join(tmpdir(), 'spd-pack-'));
  temps.push(out);
  // --ignore-scripts: `prepare` would run tsc again; the build is already there.
  const { stdout } = await timed('npm pack', () =>
    exec(npm, ['pack', '--json', '--ignore-scripts', '--pack-destination', out], { cwd: repoRoot, env: npmEnv(), maxBuffer: 64 << 20 }));
  const result = (JSON.parse(stdout) as PackResult[])[0];
  if (!result) throw new Error(`npm pack printed no result: ${stdout.slice(0, 500)}`);
  packed = result;
  tarball = join(out, packed.filename);

  installDir = mkdtempSync(join(tmpdir(), 'spd-install-'));
  temps.push(installDir);
  writeFileSync(join(installDir, 'package.json'), JSON.stringify({ name: 'spd-install-test', version: '1.0.0', private: true }));
  const env = npmEnv();
  await timed('npm install', async () => {
    try {
      await exec(npm, ['install', '--offline', '--no-audit', '--no-fund', tarball], { cwd: installDir, env, maxBuffer: 64 << 20 });
    } catch {
      // Not everything is in the cache (npm ci was not run on this machine): ask the registry.
      timings['npm install (offline failed)'] = 1;
      await exec(npm, ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], { cwd: installDir, env, maxBuffer: 64 << 20 });
    }
  });
  process.stderr.write(`[npm-pack.spec] ${Object.entries(timings).map(([k, v]) => `${k}: ${v} ms`).join(', ')}; tarball ${packed.size} B, ${packed.files.length} files\n`);
}, 120_000);

afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

describe('npm pack', () => {
  it('ships the runtime, the bin shim, every schema, the spec and the docs', () => {
    const files = new Set(packed.files.map((f) => f.path));
    for (const f of ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'src/config/spec.json', 'dist/src/cli/main.js', 'dist/streams/index.js', 'dist/operators/index.js']) {
      expect(files.has(f), `${f} is not in the package`).toBe(true);
    }
    for (const bin of Object.values(pkg.bin)) expect(files.has(bin.replace(/^\.\//, '')), bin).toBe(true);
    for (const s of allStreams) expect(files.has(`streams/schemas/${s.schema ?? s.name}.json`), `schema of ${s.name}`).toBe(true);
  });

  it('leaves out tests, the emulator, scripts, the benchmark, TypeScript sources and local files', () => {
    const offending = packed.files.map((f) => f.path).filter((p) =>
      /^(test|emulator|scripts|bench|node_modules|coverage|\.ci|\.ci-out|\.demo|\.github|docs)\//.test(p)
      || /^dist\/(test|emulator|scripts|bench)\//.test(p)
      || (/\.(ts|mts|cts|tsx)$/.test(p) && !p.endsWith('.d.ts'))
      || /\.(map|tgz|log)$/.test(p)
      || /^(Dockerfile|\.dockerignore|metadata\.yaml|tsconfig\.json|vitest\.config\.ts|package-lock\.json)$/.test(p));
    expect(offending).toEqual([]);
    expect(packed.unpackedSize).toBeLessThan(5_000_000);
  });

  it('imports at run time only Node built-ins and its own dependencies', () => {
    const builtins = new Set(builtinModules);
    const deps = new Set(Object.keys(pkg.dependencies));
    const foreign = new Set<string>();
    for (const f of packed.files.filter((x) => x.path.endsWith('.js'))) {
      const text = readFileSync(join(repoRoot, f.path), 'utf8');
      for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"]([^'"./][^'"]*)['"]/gm)) {
        const spec = m[1] ?? '';
        if (spec.startsWith('node:') || builtins.has(spec)) continue;
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] ?? spec);
        if (!deps.has(name)) foreign.add(`${f.path}: ${spec}`);
      }
    }
    expect([...foreign]).toEqual([]);
    for (const d of Object.keys(pkg.dependencies)) expect(pkg.devDependencies[d], `${d} is in both dependencies and devDependencies`).toBeUndefined();
  });
});

describe('the packed tarball, installed in an empty folder', () => {
  it('installs production dependencies only', () => {
    const installed = new Set(readdirSync(join(installDir, 'node_modules')));
    expect(installed.has(pkg.name)).toBe(true);
    for (const d of Object.keys(pkg.dependencies)) expect(installed.has(d), `dependency ${d}`).toBe(true);
    for (const d of ['typescript', 'vitest', 'nock', 'fast-check', 'yaml', '@duckdb/node-api']) expect(existsSync(join(installDir, 'node_modules', d)), `dev dependency ${d} was installed`).toBe(false);
  });

  it('npx source-pipedrive spec prints exactly one SPEC', async () => {
    const r = await run([npx, '--no', 'source-pipedrive', 'spec'], { cwd: installDir, env: npmEnv() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.messages.filter((m) => m.type === 'SPEC')).toHaveLength(1);
    expect(r.messages.every((m) => m.type === 'SPEC' || m.type === 'LOG')).toBe(true);
  });

  it('source-pipedrive --version prints the package version', async () => {
    const { stdout } = await exec(join(installDir, 'node_modules/.bin/source-pipedrive'), ['--version'], { cwd: installDir });
    expect(stdout.trim()).toBe(pkg.version);
  });

  it('spec, discover, check and read work from the installed package', async () => {
    await smokeTest([join(installDir, 'node_modules/.bin/source-pipedrive')], installDir);
  });
});
