import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers/resources.js';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runUnprivileged } from '../../helpers/unprivileged.js';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../../helpers/protocol.js';
import { checkConfigWritable, configFileUpdater } from '../../../src/config/persist.js';
import { ConfigError } from '../../../src/errors.js';
import { controlConfigMessage, logMessage, type AirbyteMessage } from '../../../src/protocol.js';

const dir = (): string => tempDir('spd-persist-');

const oauth = (refresh: string) => ({ credentials: { auth_type: 'oauth2.0', client_id: 'c', client_secret: 'top-secret-1', refresh_token: refresh }, num_workers: 2 });
const logger = () => {
  const lines: string[] = [];
  return { lines, info: (m: string) => { lines.push(`INFO ${m}`); }, error: (m: string) => { lines.push(`ERROR ${m}`); } };
};

describe('configFileUpdater', () => {
  it('writes the last CONTROL config of each batch (pretty JSON, the mode kept) and logs without the secret', () => {
    const path = join(dir(), 'config.json');
    writeFileSync(path, JSON.stringify(oauth('r0')));
    chmodSync(path, 0o600);
    const log = logger();
    const updater = configFileUpdater(path, log);
    updater.observe([logMessage('INFO', 'nothing to see')]);
    expect(updater.writes()).toBe(0);
    const batch: AirbyteMessage[] = [controlConfigMessage(oauth('r1')), logMessage('INFO', 'x'), controlConfigMessage(oauth('r2'))];
    updater.observe(batch);
    expect(updater.writes()).toBe(1);
    expect(readFileSync(path, 'utf8')).toBe(`${JSON.stringify(oauth('r2'), null, 2)}\n`);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(log.lines).toEqual([`INFO --update-config: wrote the connector's new config (rotated OAuth credentials or a converted legacy config) to '${path}'`]);
    expect(updater.failure()).toBeUndefined();
  });

  it('a write that fails does not throw: an ERROR line and a ConfigError saying where the config is', () => {
    const d = dir();
    const path = join(d, 'gone', 'config.json');
    const log = logger();
    const updater = configFileUpdater(path, log);
    updater.observe([controlConfigMessage(oauth('r1'))]);
    const failure = updater.failure();
    expect(failure).toBeInstanceOf(ConfigError);
    expect(failure?.message).toMatch(/^--update-config: could not write the new config to '.*config\.json' \(ENOENT\)\. It is in the last CONTROL message on stdout/);
    expect(log.lines).toEqual([`ERROR ${failure?.message ?? ''}`]);
    expect(log.lines.join('')).not.toContain('top-secret-1');
  });
});

describe('checkConfigWritable', () => {
  it('accepts a writable file in a writable folder', () => {
    const path = join(dir(), 'config.json');
    writeFileSync(path, '{}');
    expect(() => checkConfigWritable(path)).not.toThrow();
  });

  it('a file that cannot be resolved is a ConfigError naming --update-config', () => {
    expect(() => checkConfigWritable(join(dir(), 'missing.json'))).toThrow(/^--update-config: the config file '.*missing\.json' cannot be replaced \(ENOENT\)/);
  });

  it('a read-only folder is a ConfigError (as root: in a child without CAP_DAC_OVERRIDE, which root needs to write there)', () => {
    const d = dir();
    mkdirSync(join(d, 'ro'));
    const path = join(d, 'ro', 'config.json');
    writeFileSync(path, '{}');
    chmodSync(join(d, 'ro'), 0o500);
    try {
      // The compiled module in a child: root may write anywhere, so as root the child runs without the capabilities
      // that bypass file permissions (setpriv, util-linux); as anyone else the mode alone refuses.
      const compiled = pathToFileURL(join(repoRoot, 'dist/src/config/persist.js')).href;
      const script = `import { checkConfigWritable } from ${JSON.stringify(compiled)};
        try { checkConfigWritable(${JSON.stringify(path)}); console.log('writable'); } catch (e) { console.log(e.name + ': ' + e.message); }`;
      const r = runUnprivileged(script);
      expect(r.error, `${r.argv0} could not run (setpriv is in util-linux)`).toBeUndefined();
      expect(r.stderr).toBe('');
      expect(r.stdout.trim()).toMatch(/^ConfigError: --update-config: .* cannot be replaced \(EACCES\)/);
    } finally {
      chmodSync(join(d, 'ro'), 0o700);
    }
  });
});
