/** The start-up fast path: which command lines skip yargs, and that they mean what yargs would make of them. */
import { describe, expect, it } from 'vitest';
import { plainInvocation } from '../../../src/cli/main.js';

const args = (argv: string[]) => plainInvocation(argv)?.args;

describe('plainInvocation', () => {
  it('takes the plain command lines of the four commands, with the values yargs would give the handler', () => {
    expect(args(['spec'])).toEqual({ _: ['spec'], $0: 'source-pipedrive' });
    expect(args(['check', '--config', 'c.json'])).toEqual({ _: ['check'], $0: 'source-pipedrive', config: 'c.json' });
    expect(args(['discover', '--config=c.json', '--debug'])).toEqual({ _: ['discover'], $0: 'source-pipedrive', config: 'c.json', debug: true });
    expect(args(['read', '--quiet', '--catalog', 'k.json', '--config', 'c.json', '--state', 's.json'])).toEqual({
      _: ['read'], $0: 'source-pipedrive', config: 'c.json', catalog: 'k.json', state: 's.json', quiet: true,
    });
    expect(plainInvocation(['read', '--config', 'c.json', '--catalog', 'k.json'])?.command.module.command).toBe('read');
  });

  it('leaves everything else to yargs: help, version, usage errors and forms it does not take', () => {
    for (const argv of [
      [],
      ['--help'],
      ['--version'],
      ['spec', '--help'],
      ['nonsense'],
      ['toString'],
      ['read', '--config', 'c.json'], // missing --catalog
      ['read', '--config', 'c.json', '--catalog', 'k.json', 'extra'], // a positional
      ['read', '--config', 'c.json', '--catalog', 'k.json', '--config', 'd.json'], // repeated
      ['read', '--config', 'c.json', '--catalog', 'k.json', '--unknown', 'x'],
      ['check', '--config'], // no value
      ['check', '--config', '--quiet'], // a value that looks like an option
      ['check', '--config', 'c.json', '--quiet=false'],
      ['check', '--config', 'c.json', '--no-quiet'],
      ['check', '-q', '--config', 'c.json'],
      ['spec', '--state', 's.json'], // an option of another command
    ]) {
      expect(plainInvocation(argv), JSON.stringify(argv)).toBeUndefined();
    }
  });
});
