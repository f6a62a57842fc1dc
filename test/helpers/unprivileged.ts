/**
 * Runs an ES module script with plain `node`, as a user whom file permissions bind: as root, without the capabilities
 * that bypass them (`setpriv` of util-linux drops CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH); as anyone else, as is.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';

export function runUnprivileged(script: string): SpawnSyncReturns<string> & { argv0: string } {
  const node = [process.execPath, '--input-type=module', '-e', script];
  const drop = '-dac_override,-dac_read_search';
  const argv = process.getuid?.() === 0 ? ['setpriv', `--inh-caps=${drop}`, `--bounding-set=${drop}`, ...node] : node;
  const r = spawnSync(argv[0] as string, argv.slice(1), { encoding: 'utf8', timeout: 20_000, killSignal: 'SIGKILL' });
  return Object.assign(r, { argv0: argv[0] as string });
}
