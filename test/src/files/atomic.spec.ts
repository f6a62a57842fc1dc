import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers/resources.js';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../../../src/files/atomic.js';

const dir = (): string => tempDir('spd-atomic-');

describe('writeFileAtomic', () => {
  it('creates a file, then replaces it, leaving no temporary file behind', () => {
    const d = dir();
    const path = join(d, 'state.json');
    writeFileAtomic(path, 'one\n');
    expect(readFileSync(path, 'utf8')).toBe('one\n');
    writeFileAtomic(path, 'two, longer than one\n');
    expect(readFileSync(path, 'utf8')).toBe('two, longer than one\n');
    expect(readdirSync(d)).toEqual(['state.json']);
  });

  it('replaces the file (a new inode), so a reader holding the old one never sees a mix', () => {
    const d = dir();
    const path = join(d, 'f.json');
    writeFileAtomic(path, 'old');
    const before = statSync(path).ino;
    writeFileAtomic(path, 'new');
    expect(statSync(path).ino).not.toBe(before);
  });

  it('keeps the permission bits of the file it replaces (a config with secrets stays 0600)', () => {
    const d = dir();
    const path = join(d, 'config.json');
    writeFileSync(path, '{}');
    chmodSync(path, 0o600);
    writeFileAtomic(path, '{"credentials": {}}');
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('follows a symbolic link: the target is replaced, the link stays', () => {
    const d = dir();
    mkdirSync(join(d, 'real'));
    const target = join(d, 'real', 'config.json');
    writeFileSync(target, 'old');
    const link = join(d, 'config.json');
    symlinkSync(target, link);
    writeFileAtomic(link, 'new');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, 'utf8')).toBe('new');
    expect(readdirSync(join(d, 'real'))).toEqual(['config.json']);
  });

  it('on failure, throws, keeps what was there and removes its temporary file', () => {
    const d = dir();
    // A non-empty folder cannot be replaced by a file: the rename fails after the temporary file is written.
    const path = join(d, 'taken');
    mkdirSync(path);
    writeFileSync(join(path, 'inside'), 'x');
    expect(() => writeFileAtomic(path, 'data')).toThrow();
    expect(readdirSync(d)).toEqual(['taken']);
    expect(readdirSync(path)).toEqual(['inside']);
  });

  it('fails for a folder that does not exist', () => {
    expect(() => writeFileAtomic(join(dir(), 'missing', 'x.json'), 'data')).toThrow(/ENOENT/);
  });
});
