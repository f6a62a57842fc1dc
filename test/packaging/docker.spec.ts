/**
 * The Airbyte platform image without a Docker engine: the Dockerfile, metadata.yaml and package.json agree with
 * each other, and the image's runtime layout, staged on disk from the Dockerfile's COPY instructions, runs the
 * ENTRYPOINT (spec, discover, check and read against a fake Pipedrive).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, posix } from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '../helpers/protocol.js';
import { allStreams } from '../../streams/index.js';
import { dockerignore, pairsOf, parseCopy, parseDockerfile, stages, type Stage } from './dockerfile.js';
import { run, smokeTest } from './smoke.js';

const IMAGE_ROOT = '/airbyte/integration_code';
const NODE_IN_IMAGE = '/usr/local/bin/node';

const read = (p: string) => readFileSync(join(repoRoot, p), 'utf8');
const dockerfile = stages(parseDockerfile(read('Dockerfile')));
const runtime = dockerfile[dockerfile.length - 1] as Stage;
const builder = dockerfile[0] as Stage;
const pkg = JSON.parse(read('package.json')) as { name: string; version: string; license: string; files: string[]; bin: Record<string, string> };
const meta = parse(read('metadata.yaml')) as { metadataSpecVersion: string; data: Record<string, unknown> };
const data = meta.data;
const spec = JSON.parse(read('src/config/spec.json')) as { documentationUrl: string };
const ignore = dockerignore(read('.dockerignore'));

const labels = pairsOf(runtime, 'LABEL');
const env = pairsOf(runtime, 'ENV');
const entrypointIns = runtime.instructions.filter((i) => i.keyword === 'ENTRYPOINT');
const entrypoint = JSON.parse(entrypointIns[entrypointIns.length - 1]?.args ?? 'null') as unknown;

/** `/build/...` in the build stage is the repository: the WORKDIR where `COPY . .` puts the context. */
function buildRoot(): string {
  let cwd = '/';
  for (const ins of builder.instructions) {
    if (ins.keyword === 'WORKDIR') cwd = posix.resolve(cwd, ins.args);
    if (ins.keyword === 'COPY') {
      const c = parseCopy(ins.args);
      if (c.from === undefined && c.sources.length === 1 && c.sources[0] === '.') return posix.resolve(cwd, c.dest);
    }
  }
  throw new Error('the build stage has no COPY . <dir>');
}

interface StagedImage {
  /** Stands for /airbyte/integration_code. */
  root: string;
  /** Paths below IMAGE_ROOT that the runtime stage copies in. */
  copied: string[];
  /** Stands for /airbyte (the final WORKDIR). */
  home: string;
}

/** Copies the build context (the repository minus .dockerignore) into `to`. */
function copyContext(from: string, to: string, rel = ''): void {
  for (const entry of readdirSync(join(from, rel), { withFileTypes: true })) {
    const path = rel === '' ? entry.name : `${rel}/${entry.name}`;
    if (ignore.ignored(path)) continue;
    if (entry.isDirectory()) {
      mkdirSync(join(to, path), { recursive: true });
      copyContext(from, to, path);
    } else if (entry.isFile()) {
      copyFileSync(join(from, path), join(to, path));
    }
  }
}

let built: { context: string; build: string } | undefined;
/** Temporary directories, removed after the tests. */
const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

/**
 * Runs the build stage on disk: the build context into a fresh directory that stands for the stage's
 * `COPY . <dir>`, node_modules (the repository's) for `npm ci`, then the stage's other RUN commands
 * (`npm run build`). A file missing from the context or a build that fails shows here as it would in `docker build`.
 */
function buildStage(): { context: string; build: string } {
  if (built) return built;
  const base = mkdtempSync(join(tmpdir(), 'spd-docker-build-'));
  temps.push(base);
  const context = join(base, 'context');
  mkdirSync(context);
  copyContext(repoRoot, context);
  const build = join(base, 'build');
  mkdirSync(build);
  copyContext(repoRoot, build);
  symlinkSync(join(repoRoot, 'node_modules'), join(build, 'node_modules'), 'dir');
  for (const ins of builder.instructions) {
    if (ins.keyword !== 'RUN' || /\bnpm ci\b/.test(ins.args)) continue;
    try {
      execFileSync('/bin/sh', ['-c', ins.args], { cwd: build, stdio: 'pipe', encoding: 'utf8', timeout: 120_000, killSignal: 'SIGKILL' });
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string };
      throw new Error(`build stage: RUN ${ins.args} failed (Dockerfile line ${ins.line}):\n${e.stdout ?? ''}${e.stderr ?? ''}`);
    }
  }
  built = { context, build };
  return built;
}

/**
 * Lays out the runtime stage on disk: every COPY of the runtime stage (from the build context, or from the build
 * stage run by buildStage()), and node_modules for `npm ci`. The repository's node_modules also holds dev
 * dependencies; the npm-pack test installs production dependencies only.
 */
function stageImage(): StagedImage {
  const { context, build: buildDir } = buildStage();
  const base = mkdtempSync(join(tmpdir(), 'spd-image-'));
  temps.push(base);
  const home = join(base, 'airbyte');
  const root = join(home, 'integration_code');
  mkdirSync(root, { recursive: true });
  const toHost = (imagePath: string) => {
    if (imagePath !== IMAGE_ROOT && !imagePath.startsWith(`${IMAGE_ROOT}/`)) throw new Error(`the runtime stage writes outside ${IMAGE_ROOT}: ${imagePath}`);
    return join(root, posix.relative(IMAGE_ROOT, imagePath));
  };
  const fromBuild = buildRoot();
  const copied: string[] = [];
  let cwd = '/';
  for (const ins of runtime.instructions) {
    if (ins.keyword === 'WORKDIR') cwd = posix.resolve(cwd, ins.args);
    if (ins.keyword === 'RUN' && /\bnpm ci\b/.test(ins.args) && cwd === IMAGE_ROOT) {
      symlinkSync(join(repoRoot, 'node_modules'), join(root, 'node_modules'), 'dir');
    }
    if (ins.keyword !== 'COPY') continue;
    const c = parseCopy(ins.args);
    const dest = posix.resolve(cwd, c.dest);
    const intoDir = c.sources.length > 1 || c.dest.endsWith('/');
    for (const src of c.sources) {
      let hostSrc: string;
      if (c.from === undefined) {
        hostSrc = join(context, src);
      } else {
        expect(c.from, `COPY --from at line ${ins.line}`).toBe(builder.name);
        const rel = posix.relative(fromBuild, posix.resolve(fromBuild, src));
        expect(rel.startsWith('..'), `COPY --from=${c.from} ${src} is outside ${fromBuild}`).toBe(false);
        hostSrc = join(buildDir, rel);
      }
      expect(existsSync(hostSrc), `COPY ${c.from ? `--from=${c.from} ` : ''}${src} (Dockerfile line ${ins.line}): no such file in the ${c.from ? 'build stage' : 'build context'}`).toBe(true);
      const target = intoDir ? posix.join(dest, basename(src)) : dest;
      mkdirSync(dirname(toHost(target)), { recursive: true });
      cpSync(hostSrc, toHost(target), { recursive: true });
      copied.push(posix.relative(IMAGE_ROOT, target));
    }
  }
  return { root, copied, home };
}

/** The ENTRYPOINT with the image's paths replaced by the staged layout and this node. */
const onHost = (staged: StagedImage) => (arg: string) =>
  arg === NODE_IN_IMAGE ? process.execPath : arg.split(IMAGE_ROOT).join(staged.root);

describe('Dockerfile', () => {
  it('is multi-stage on an official Node 20 image', () => {
    expect(dockerfile.length).toBeGreaterThanOrEqual(2);
    const official = /^(docker\.io\/(library\/)?)?node:20(\.\d+){0,2}(-[a-z0-9.-]+)?(@sha256:[0-9a-f]{64})?$/;
    const names = new Set<string>();
    for (const s of dockerfile) {
      expect(official.test(s.image) || names.has(s.image), `FROM ${s.image}`).toBe(true);
      if (s.name) names.add(s.name);
    }
    expect(official.test(runtime.image), 'the runtime stage starts from the Node image, not from the build stage').toBe(true);
    expect(builder.name).toBeTruthy();
  });

  it('builds with npm ci and tsc in the build stage; the runtime stage installs production dependencies only', () => {
    const buildRuns = builder.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args).join('\n');
    expect(buildRuns).toMatch(/\bnpm ci\b/);
    expect(buildRuns).toMatch(/\bnpm run build\b|\btsc\b/);
    const npmCi = runtime.instructions.filter((i) => i.keyword === 'RUN' && /\bnpm ci\b/.test(i.args));
    expect(npmCi).toHaveLength(1);
    expect(npmCi[0]?.args).toMatch(/--omit=dev\b/);
    expect(npmCi[0]?.args).toMatch(/--ignore-scripts\b/);
  });

  it('runs as the non-root user airbyte (uid 1000, as the platform runs connectors) with /airbyte writable', () => {
    const users = runtime.instructions.filter((i) => i.keyword === 'USER');
    expect(users[users.length - 1]?.args).toBe('airbyte');
    const runs = runtime.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args).join('\n');
    expect(runs).toMatch(/useradd\b[^\n]*--uid 1000\b[^\n]*\bairbyte\b/);
    expect(runs).toMatch(/chown\b[^\n]*airbyte(:airbyte)?\s+\/airbyte(\s|$)/);
    const workdirs = runtime.instructions.filter((i) => i.keyword === 'WORKDIR');
    expect(workdirs[workdirs.length - 1]?.args).toBe('/airbyte');
  });

  it('has an exec-form ENTRYPOINT with absolute paths, equal to AIRBYTE_ENTRYPOINT', () => {
    expect(entrypointIns).toHaveLength(1);
    expect(Array.isArray(entrypoint)).toBe(true);
    const argv = entrypoint as string[];
    expect(argv.length).toBeGreaterThanOrEqual(2);
    for (const a of argv) expect(a.startsWith('/'), `${a} is not absolute`).toBe(true);
    expect(argv[1]).toBe(posix.join(IMAGE_ROOT, pkg.bin['source-pipedrive'] ?? ''));
    expect(env.get('AIRBYTE_ENTRYPOINT')).toBe(argv.join(' '));
  });

  it('labels the image with io.airbyte.name and io.airbyte.version = metadata.yaml = package.json', () => {
    expect(labels.get('io.airbyte.name')).toBe(data['dockerRepository']);
    expect(labels.get('io.airbyte.version')).toBe(data['dockerImageTag']);
    expect(labels.get('io.airbyte.version')).toBe(pkg.version);
    expect(data['dockerRepository']).toBe(`airbyte/${pkg.name}`);
  });

  it('copies into the image exactly what package.json "files" ships (plus package.json and the lockfile)', () => {
    const staged = stageImage();
    const norm = (p: string) => p.replace(/\/+$/, '');
    expect(new Set(staged.copied.map(norm))).toEqual(new Set([...pkg.files.map(norm), 'package.json', 'package-lock.json']));
  });

  it('.dockerignore keeps out local and generated files but not what the build needs', () => {
    for (const p of ['node_modules', 'node_modules/rxjs/package.json', 'dist', 'dist/src/cli/main.js', '.git', 'x.tgz', 'test/smoke.spec.ts']) {
      expect(ignore.ignored(p), `${p} should be ignored`).toBe(true);
    }
    const tsconfig = JSON.parse(read('tsconfig.json')) as { include: string[] };
    const needed = new Set(['package.json', 'package-lock.json', 'tsconfig.json', ...tsconfig.include]);
    for (const s of dockerfile) {
      for (const ins of s.instructions) {
        if (ins.keyword !== 'COPY') continue;
        const c = parseCopy(ins.args);
        if (c.from === undefined) for (const src of c.sources) if (src !== '.') needed.add(src);
      }
    }
    for (const p of needed) expect(ignore.ignored(p), `${p} must be in the build context`).toBe(false);
    expect(ignore.ignored('streams/schemas/deals.json')).toBe(false);
    expect(ignore.ignored('src/config/spec.json')).toBe(false);
  });
});

describe('metadata.yaml', () => {
  it('is an Airbyte source metadata file (ConnectorMetadataDefinitionV0) that agrees with the package', () => {
    expect(meta.metadataSpecVersion).toBe('1.0');
    // The keys the metadata schema knows (data has additionalProperties: false there).
    const known = new Set([
      'name', 'icon', 'definitionId', 'connectorBuildOptions', 'connectorType', 'dockerRepository', 'dockerImageTag',
      'supportsDbt', 'supportsNormalization', 'license', 'documentationUrl', 'githubIssueLabel', 'maxSecondsBetweenMessages',
      'releaseDate', 'protocolVersion', 'connectorSubtype', 'releaseStage', 'supportLevel', 'tags', 'registryOverrides',
      'allowedHosts', 'releases', 'normalizationConfig', 'suggestedStreams', 'resourceRequirements', 'ab_internal',
      'remoteRegistries', 'connectorTestSuitesOptions',
    ]);
    for (const k of Object.keys(data)) expect(known.has(k), `unknown metadata key ${k}`).toBe(true);
    for (const k of ['name', 'definitionId', 'connectorType', 'dockerRepository', 'dockerImageTag', 'license', 'documentationUrl', 'githubIssueLabel', 'connectorSubtype', 'releaseStage']) {
      expect(data[k], k).toBeTruthy();
    }
    expect(data['name']).toBe('Pipedrive');
    expect(data['definitionId']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(data['connectorType']).toBe('source');
    expect(data['connectorSubtype']).toBe('api');
    expect(data['dockerImageTag']).toBe(pkg.version);
    expect(data['license']).toBe(pkg.license);
    expect(data['documentationUrl']).toBe(spec.documentationUrl);
    expect(['alpha', 'beta', 'generally_available', 'custom']).toContain(data['releaseStage']);
    expect(['community', 'certified', 'enterprise', 'archived']).toContain(data['supportLevel']);
    expect(data['tags']).toContain('language:typescript');
    expect(Number.isInteger(data['maxSecondsBetweenMessages'])).toBe(true);
    expect(data['maxSecondsBetweenMessages'] as number).toBeGreaterThan(60);
  });

  it('allows the Pipedrive hosts and suggests streams that exist', () => {
    const hosts = (data['allowedHosts'] as { hosts: string[] }).hosts;
    expect(hosts).toEqual(expect.arrayContaining(['*.pipedrive.com', 'oauth.pipedrive.com', 'api.pipedrive.com']));
    const suggested = (data['suggestedStreams'] as { streams: string[] }).streams;
    expect(suggested.length).toBeGreaterThan(0);
    const names = new Set(allStreams.map((s) => s.name));
    for (const s of suggested) expect(names.has(s), `suggested stream ${s}`).toBe(true);
    expect(new Set(suggested).size).toBe(suggested.length);
  });
});

describe('the image layout runs the ENTRYPOINT', () => {
  let staged: StagedImage;
  beforeAll(() => { staged = stageImage(); });

  const imageEnv = (): NodeJS.ProcessEnv => ({ ...Object.fromEntries(env), PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: staged.home });

  it('spec through ENTRYPOINT prints exactly one SPEC', async () => {
    const argv = (entrypoint as string[]).map(onHost(staged));
    const r = await run([...argv, 'spec'], { cwd: staged.home, env: imageEnv() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.messages.filter((m) => m.type === 'SPEC')).toHaveLength(1);
    expect(r.stdout.trim().split('\n').filter((l) => l.includes('"SPEC"'))).toHaveLength(1);
  });

  it('spec through sh -c "$AIRBYTE_ENTRYPOINT spec", as the platform runs it', async () => {
    const cmd = (env.get('AIRBYTE_ENTRYPOINT') ?? '').split(' ').map(onHost(staged)).join(' ');
    const r = await run(['/bin/sh', '-c', `${cmd} spec`], { cwd: staged.home, env: imageEnv() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.messages.filter((m) => m.type === 'SPEC')).toHaveLength(1);
  });

  it('spec, discover, check and read work from the image layout', async () => {
    await smokeTest((entrypoint as string[]).map(onHost(staged)), staged.home, { env: imageEnv() });
  });
});
