import { defineConfig } from 'vitest/config';

/**
 * The suite fails fast and never hangs: tests and hooks have short default limits (slow cases set their own),
 * test/setup.ts kills leftover child processes and closes servers after every file and bounds each file's time,
 * and `teardownTimeout` bounds vitest's own shutdown.
 */
export default defineConfig({
  test: {
    include: ['test/**/*.spec.ts'],
    exclude: ['**/node_modules/**', 'test/fixtures/**'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    teardownTimeout: 10_000,
    pool: 'forks',
  },
});
