import { describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { repoRoot } from '../helpers/protocol.js';
import { readmeBlock } from '../helpers/readme.js';
import { startTestEmulator } from '../helpers/emulator.js';
import { runShell } from '../helpers/shell.js';
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

describe('README: the cron-style incremental sync, run as printed against the emulator', () => {
  it('is three lines, right after the quick start, using --streams and --state-file', () => {
    const block = readmeBlock('cron-sync');
    expect(block.split('\n')).toHaveLength(3);
    expect(block).toContain('--streams');
    expect(block).toContain('--state-file');
    const quick = readme.indexOf('npm ci && npm run demo');
    expect(readme.indexOf('<!-- readme: cron-sync -->')).toBeGreaterThan(quick);
    expect(readme.indexOf('<!-- readme: cron-sync -->')).toBeLessThan(readme.indexOf('## Install and run'));
  });

  it('twice, with changes in between: the first run reads everything, the second only the changes; the OAuth token carries over', async () => {
    const emu = await startTestEmulator({ seed: 8, sizes: { deals: 700, persons: 300 } });
    const dir = mkdtempSync(join(tmpdir(), 'spd-cron-'));
    const bin = mkdtempSync(join(tmpdir(), 'spd-bin-'));
    try {
      writeFileSync(join(bin, 'source-pipedrive'), `#!/bin/sh\nexec "${process.execPath}" "${resolve(repoRoot, 'bin/source-pipedrive.js')}" "$@"\n`);
      chmodSync(join(bin, 'source-pipedrive'), 0o755);
      writeFileSync(join(dir, 'config.json'), JSON.stringify(emu.oauthConfig()));
      // Without a valid access token and with tokens that expire after 4 requests, both runs rotate the refresh token.
      emu.set({ oauth: { accessTokenTtlRequests: 4 } });
      const run = async () => {
        const r = await runShell(readmeBlock('cron-sync'), { cwd: dir, bashArgs: ['-e', '-o', 'pipefail'], env: { ...process.env, PATH: `${bin}:${process.env['PATH'] ?? ''}` } });
        if (r.code !== 0) throw new Error(`the README's cron sync failed (${String(r.code)}): ${r.stderr.slice(-2000)}`);
      };
      const outputs = () => readdirSync(join(dir, 'out')).sort();
      const recordsOf = (file: string, stream: string) => readFileSync(join(dir, 'out', file), 'utf8').split('\n').filter(Boolean)
        .map((l) => JSON.parse(l) as { type: string; record?: { stream: string; data: { id: number } } })
        .filter((m) => m.type === 'RECORD' && m.record?.stream === stream).map((m) => m.record?.data.id);
      const refreshToken = () => (JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { credentials: { refresh_token: string } }).credentials.refresh_token;

      const before = refreshToken();
      await run();
      const [first] = outputs();
      expect(first).toMatch(/^\d{8}T\d{6}Z\.jsonl$/);
      for (const s of ['deals', 'persons']) expect(new Set(recordsOf(first as string, s)), s).toEqual(new Set([...emu.groundTruth(s)].map((r) => r['id'])));
      const rotated = refreshToken();
      expect(rotated).not.toBe(before);

      const changes = emu.mutate({ touch: { deals: 6, persons: 3 } });
      // The file name has the second in it: let it change.
      await new Promise((r) => setTimeout(r, 1100));
      await run();
      const second = outputs().find((f) => f !== first) as string;
      expect(outputs()).toHaveLength(2);
      const deals = new Set(recordsOf(second, 'deals'));
      for (const id of changes.touched['deals'] ?? []) expect(deals.has(id as number)).toBe(true);
      expect(deals.size).toBeLessThan(100);
      expect(new Set(recordsOf(second, 'persons')).size).toBeLessThan(50);
      expect(refreshToken()).not.toBe(rotated);
      const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as Array<{ stream: { stream_descriptor: { name: string } } }>;
      expect(state.map((s) => s.stream.stream_descriptor.name)).toEqual(['deals', 'persons']);
    } finally {
      await emu.close();
      rmSync(dir, { recursive: true, force: true });
      rmSync(bin, { recursive: true, force: true });
    }
  });
});
