/**
 * Runs before every test file (vitest `setupFiles`): the suite fails fast and never hangs.
 * - After each test, child processes of `call` scope it left running (a timed-out CLI run) are killed.
 * - After the file — also when its `beforeAll` threw or timed out — every tracked child is killed and every
 *   tracked server (emulators, fake APIs) closed, and the temporary directories of `tempFiles` removed
 *   (test/helpers/resources.ts).
 * - A file may run FILE_LIMIT_MS at most: past it, its children are killed (so what awaits them ends with an
 *   error), and every further test fails at once with an error naming the limit.
 */
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { closeServers, killChildren, killChildrenAndWait, removeTempDirs } from './helpers/resources.js';

/** Generous: the slowest file takes about 15 s alone on 2 cores. `SPD_TEST_FILE_LIMIT_MS` overrides it (the fixtures use it). */
export const FILE_LIMIT_MS = Number(process.env['SPD_TEST_FILE_LIMIT_MS'] ?? 180_000);

let file = '(unknown file)';
let overrun: Error | undefined;
let watchdog: NodeJS.Timeout | undefined;

beforeAll(() => {
  file = expect.getState().testPath ?? file;
  watchdog = setTimeout(() => {
    overrun = new Error(`${file} ran past its limit of ${FILE_LIMIT_MS / 1000} s (test/setup.ts FILE_LIMIT_MS); its child processes were killed`);
    const killed = killChildren();
    process.stderr.write(`\n${overrun.message} (${killed} still running)\n`);
  }, FILE_LIMIT_MS);
  watchdog.unref();
});

beforeEach(() => {
  if (overrun) throw overrun;
});

afterEach(async () => {
  await killChildrenAndWait('call');
});

afterAll(async () => {
  clearTimeout(watchdog);
  await killChildrenAndWait();
  const { errors } = await closeServers();
  removeTempDirs();
  if (errors.length > 0) throw new Error(`closing servers after ${file}: ${errors.map(String).join('; ')}`);
});
