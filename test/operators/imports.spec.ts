/**
 * The rule of `operators/`: generic RxJS operators only. Every file imports nothing but `rxjs` and its siblings
 * (`./…`); anything that knows Pipedrive or builds Airbyte messages lives in `src/`.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/paths.js';

const dir = join(packageRoot(), 'operators');
const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
const specifiers = (source: string): string[] =>
  [...source.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? m[2] ?? '');

describe('operators/ imports only rxjs and its own files', () => {
  it('has operator files', () => {
    expect(files).toContain('paginate.ts');
    expect(files.length).toBeGreaterThanOrEqual(4);
  });
  it.each(files)('%s', (file) => {
    const found = specifiers(readFileSync(join(dir, file), 'utf8'));
    for (const s of found) expect(s === 'rxjs' || /^\.\/[\w.-]+\.js$/.test(s), `${file} imports ${s}`).toBe(true);
  });
  it('the check sees imports (a file importing src/ would fail)', () => {
    expect(specifiers("import type { X } from '../src/protocol.js';\nimport { map } from 'rxjs';")).toEqual(['../src/protocol.js', 'rxjs']);
  });
});
