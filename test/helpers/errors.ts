/** Catching the typed error a call must throw. */
import { ConfigError } from '../../src/errors.js';

/** The ConfigError `f` throws; any other outcome fails the test. */
export function configErrorOf(f: () => unknown): ConfigError {
  try {
    f();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}
