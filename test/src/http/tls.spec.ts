/** TLS verification is never switched off, anywhere in the shipped code. */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { repoRoot } from '../../helpers/protocol.js';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('TLS', () => {
  it('no shipped module disables certificate verification', () => {
    const shipped = ['src', 'operators', 'streams'].flatMap((d) => files(resolve(repoRoot, d)));
    expect(shipped.length).toBeGreaterThan(20);
    for (const file of shipped) {
      const text = readFileSync(file, 'utf8');
      expect(text, file).not.toMatch(/rejectUnauthorized\s*:\s*false/);
      expect(text, file).not.toMatch(/NODE_TLS_REJECT_UNAUTHORIZED/);
      expect(text, file).not.toMatch(/checkServerIdentity\s*:/);
    }
  });
});
