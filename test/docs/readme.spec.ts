import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { repoRoot } from '../helpers/protocol.js';
import { allStreams } from '../../streams/index.js';

const readme = readFileSync(resolve(repoRoot, 'README.md'), 'utf8');

describe('README', () => {
  it('has the two-command quick start', () => {
    expect(readme).toContain('npm ci && npm run demo');
    expect(readme).toContain('npm test');
  });

  it('its streams table lists exactly the streams the connector offers, with their keys and cursors', () => {
    const section = readme.slice(readme.indexOf('## Streams'), readme.indexOf('## State'));
    const rows = section.split('\n').filter((l) => /^\| [a-z_]+ \|/.test(l) && !l.startsWith('| stream |')).map((l) => l.split('|').map((c) => c.trim()));
    expect(rows.map((r) => r[1])).toEqual(allStreams.map((d) => d.name));
    for (const def of allStreams) {
      const row = rows.find((r) => r[1] === def.name) as string[];
      expect(row[3], def.name).toBe(def.api);
      expect(row[4], def.name).toBe(def.primaryKey.map((k) => k.join('.')).join(', '));
      expect(row[5], def.name).toBe(def.cursorField ?? '–');
      expect(row[6]?.startsWith(def.incremental === 'none' ? 'full refresh only' : def.incremental), def.name).toBe(true);
    }
  });

  it('documents every config option of the spec', () => {
    const spec = JSON.parse(readFileSync(resolve(repoRoot, 'src/config/spec.json'), 'utf8')) as { connectionSpecification: { properties: Record<string, unknown> } };
    for (const key of Object.keys(spec.connectionSpecification.properties)) expect(readme, key).toContain(`\`${key}\``);
  });
});
