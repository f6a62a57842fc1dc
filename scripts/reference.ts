/**
 * The one place that reads the upstream reference specs (`../shared/reference/` beside the repository, or `--ref DIR`):
 *
 *   npm run reference                 writes test/reference/airbyte_protocol.schema.json and
 *                                     test/reference/pipedrive-openapi-facts.json (what the tests use instead)
 *   npm run reference -- --check      writes nothing; exits 1 naming every derived file that differs from what the
 *                                     generators make of the upstream files: the two above, streams/schemas/*.json
 *                                     (scripts/schemas.ts) and emulator/meta.json (scripts/emulator-meta.ts)
 *
 * Tests, `npm test` and runtime code never read `../shared`; a fresh clone has only the committed artifacts.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { allStreams } from '../streams/index.js';
import type { ApiVersion } from '../streams/types.js';
import { packageRoot } from '../src/paths.js';
import { SpecReader, schemaFiles } from './schemas.js';
import { emulatorMeta } from './emulator-meta.js';
import { artifactText, isNode, openApiFacts, protocolSchema, type Node, type Source } from './reference-facts.js';

export const PROTOCOL_FILE = 'airbyte_protocol.yaml';
export const OPENAPI_FILES: Record<ApiVersion, string> = { v1: 'pipedrive-openapi-v1.yaml', v2: 'pipedrive-openapi-v2.yaml' };

/** A file derived from the upstream specs: its path in the repository, its expected text and how to regenerate it. */
export interface Derived {
  path: string;
  text: string;
  fix: string;
}

/** A directory all of whose `.json` files are derived: any other `.json` file in it is drift too. */
export interface DerivedDir {
  dir: string;
  fix: string;
}

function load(refDir: string, file: string): { doc: Node; text: string } {
  const path = join(refDir, file);
  if (!existsSync(path)) throw new Error(`${path} not found (pass --ref DIR, the folder holding ${file})`);
  const text = readFileSync(path, 'utf8');
  const doc: unknown = parse(text, { maxAliasCount: -1 });
  if (!isNode(doc)) throw new Error(`${path} is not a YAML mapping`);
  return { doc, text };
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function source(file: string, text: string, id: unknown, version: unknown): Source {
  if (typeof version !== 'string' && typeof version !== 'number') throw new Error(`${file} has no version`);
  return { file, id: String(id ?? file), version: String(version), sha256: sha256(text) };
}

/** Everything derived from the upstream files in `refDir` (with `all`, also the stream schemas and emulator meta). */
export function derive(refDir: string, all: boolean): { files: Derived[]; dirs: DerivedDir[] } {
  const protocol = load(refDir, PROTOCOL_FILE);
  const specs = { v1: load(refDir, OPENAPI_FILES.v1), v2: load(refDir, OPENAPI_FILES.v2) };
  const info = (api: ApiVersion) => (isNode(specs[api].doc['info']) ? specs[api].doc['info'] : {});
  const sources = {
    v1: source(OPENAPI_FILES.v1, specs.v1.text, info('v1')['title'], info('v1')['version']),
    v2: source(OPENAPI_FILES.v2, specs.v2.text, info('v2')['title'], info('v2')['version']),
  };
  const fix = 'npm run build && npm run reference';
  const files: Derived[] = [
    {
      path: 'test/reference/airbyte_protocol.schema.json',
      text: artifactText(protocolSchema(protocol.doc, source(PROTOCOL_FILE, protocol.text, protocol.doc['$id'], protocol.doc['version']))),
      fix,
    },
    {
      path: 'test/reference/pipedrive-openapi-facts.json',
      text: artifactText(openApiFacts({ v1: specs.v1.doc, v2: specs.v2.doc }, sources, allStreams)),
      fix,
    },
  ];
  const dirs: DerivedDir[] = [{ dir: 'test/reference', fix }];
  if (!all) return { files, dirs };
  // Copies: the generators must not see each other's changes, should one ever touch its input.
  const readers = { v1: new SpecReader('v1', structuredClone(specs.v1.doc)), v2: new SpecReader('v2', structuredClone(specs.v2.doc)) };
  for (const [file, text] of schemaFiles(readers)) files.push({ path: `streams/schemas/${file}`, text, fix: 'npm run build && npm run schemas' });
  dirs.push({ dir: 'streams/schemas', fix: 'npm run build && npm run schemas' });
  files.push({ path: 'emulator/meta.json', text: emulatorMeta({ v1: specs.v1.doc, v2: specs.v2.doc }), fix: 'npm run build && npm run emulator-meta' });
  return { files, dirs };
}

/** One line per derived file of `root` that differs from what the generators make (empty: all current). */
export function drift(root: string, derived: { files: Derived[]; dirs: DerivedDir[] }): string[] {
  const out: string[] = [];
  for (const f of derived.files) {
    const path = join(root, f.path);
    if (!existsSync(path)) out.push(`${f.path}: missing (fix: ${f.fix})`);
    else if (readFileSync(path, 'utf8') !== f.text) out.push(`${f.path}: differs from what the generator makes of the reference specs (fix: ${f.fix})`);
  }
  const expected = new Set(derived.files.map((f) => f.path));
  for (const d of derived.dirs) {
    if (!existsSync(join(root, d.dir))) continue;
    for (const name of readdirSync(join(root, d.dir)).sort()) {
      const path = `${d.dir}/${name}`;
      if (name.endsWith('.json') && !expected.has(path)) out.push(`${path}: not generated from the reference specs (fix: ${d.fix})`);
    }
  }
  return out;
}

function main(argv: readonly string[]): void {
  const root = packageRoot();
  const at = argv.indexOf('--ref');
  const refDir = resolve(at >= 0 && argv[at + 1] !== undefined ? argv[at + 1] as string : join(root, '../shared/reference'));
  const unknown = argv.filter((a, i) => a !== '--check' && a !== '--ref' && argv[i - 1] !== '--ref');
  if (unknown.length > 0) throw new Error(`unknown argument ${unknown[0]} (usage: npm run reference -- [--check] [--ref DIR])`);
  if (argv.includes('--check')) {
    const derived = derive(refDir, true);
    const lines = drift(root, derived);
    for (const line of lines) process.stderr.write(`drift: ${line}\n`);
    if (lines.length > 0) {
      process.exitCode = 1;
      process.stderr.write(`reference check FAILED: ${lines.length} of ${derived.files.length} derived files are not current with ${refDir}\n`);
    } else {
      process.stdout.write(`reference check passed: ${derived.files.length} derived files current with ${refDir}\n`);
    }
    return;
  }
  for (const f of derive(refDir, false).files) {
    const path = join(root, f.path);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, f.text);
    process.stderr.write(`wrote ${relative(root, path)} (${f.text.length} bytes)\n`);
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    main(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`reference: ${(e as Error).message}\n`);
    process.exitCode = 2;
  }
}
