/**
 * docs/pipedrive.md describes what exists: its streams table is the one scripts/docs-streams.ts generates from the
 * stream definitions, its configuration reference names every option of src/config/spec.json, and the changelogs
 * have an entry for the package version.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../helpers/protocol.js';
import { allStreams } from '../../streams/index.js';
import { extractTableBlock, streamsTable, tableBlock } from '../../scripts/docs-streams.js';

const read = (p: string) => readFileSync(join(repoRoot, p), 'utf8');
const doc = read('docs/pipedrive.md');
const pkg = JSON.parse(read('package.json')) as { version: string };

/** The text of the `## title` section (up to the next `## `). */
function section(text: string, title: string): string {
  const start = text.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`no section "## ${title}"`);
  const next = text.indexOf('\n## ', start + 1);
  return text.slice(start, next < 0 ? undefined : next);
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
const anchor = (heading: string) => heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');

describe('docs/pipedrive.md', () => {
  it('has the sections of an Airbyte connector page', () => {
    for (const s of ['Prerequisites', 'Setup guide', 'Supported sync modes', 'Supported streams', 'Configuration reference', 'Rate limits and performance', 'Troubleshooting', 'Changelog']) {
      expect(() => section(doc, s)).not.toThrow();
    }
  });

  it('has the generated streams table, up to date (fix: node dist/scripts/docs-streams.js --write)', () => {
    expect(extractTableBlock(doc)).toBe(tableBlock());
  });

  it('lists every stream once, with its sync modes', () => {
    const table = streamsTable();
    for (const s of allStreams) {
      const rows = table.split('\n').filter((l) => l.startsWith(`| \`${s.name}\` |`));
      expect(rows, s.name).toHaveLength(1);
      const incremental = s.incremental !== 'none' && s.cursorField !== undefined;
      expect(rows[0]).toContain(incremental ? 'full refresh, incremental' : '| full refresh |');
      if (incremental) expect(rows[0]).toContain(`\`${s.cursorField}\``);
    }
  });

  it('describes every option of spec.json in the configuration reference', () => {
    const spec = JSON.parse(read('src/config/spec.json')) as {
      connectionSpecification: { properties: Record<string, { oneOf?: Array<{ properties: Record<string, unknown> }>; default?: unknown }> };
    };
    const reference = section(doc, 'Configuration reference');
    const props = spec.connectionSpecification.properties;
    for (const [name, prop] of Object.entries(props)) {
      expect(reference, name).toContain(`| \`${name}\` |`);
      if (prop.default !== undefined) {
        const row = reference.split('\n').find((l) => l.startsWith(`| \`${name}\` |`)) ?? '';
        const d = prop.default;
        const forms = [`\`${String(d)}\``, `\`${JSON.stringify(d)}\``];
        expect(forms.some((f) => row.includes(f)), `default of ${name} (${JSON.stringify(d)}) in: ${row}`).toBe(true);
      }
      for (const option of prop.oneOf ?? []) {
        for (const sub of Object.keys(option.properties)) expect(reference, `${name}.${sub}`).toContain(`| \`${name}.${sub}\` |`);
      }
    }
  });

  it('links only to anchors that exist', () => {
    const recipes = read('docs/recipes.md');
    const anchors = (text: string) => new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchor(m[1] ?? '')));
    const own = anchors(doc);
    const theirs = anchors(recipes);
    for (const m of doc.matchAll(/\]\((recipes\.md)?#([^)]+)\)/g)) {
      expect((m[1] ? theirs : own).has(m[2] ?? ''), `link to ${m[1] ?? ''}#${m[2]}`).toBe(true);
    }
  });

  it('has a changelog entry for the package version, as CHANGELOG.md does', () => {
    expect(section(doc, 'Changelog')).toMatch(new RegExp(`^\\| ${pkg.version.replace(/\./g, '\\.')} \\|`, 'm'));
    expect(read('CHANGELOG.md')).toMatch(new RegExp(`^## \\[?${pkg.version.replace(/\./g, '\\.')}\\]? - \\d{4}-\\d{2}-\\d{2}$`, 'm'));
  });
});
