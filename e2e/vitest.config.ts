import { defineConfig } from 'vitest/config';

/**
 * Browser suites: each file starts its own real server (built `server/dist`, temp DATA_DIR, free
 * port) and drives Debian's Chromium through playwright-core. Files run one at a time: the
 * machine is small and each suite holds two browser contexts.
 */
export default defineConfig({
  test: {
    include: ['**/*.spec.ts'],
    exclude: ['node_modules/**'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 200_000, // beforeAll starts a server: a fresh PGlite under load can take minutes
  },
});
