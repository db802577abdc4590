import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * The desktop run test: the built app under Xvfb, driven through WebKitWebDriver, against a real
 * server. Slow (a real WebKit process and a real server): run by `.ci/run` after the app is built.
 */
export default defineConfig({
  resolve: { alias: { '@retrocast/protocol': fileURLToPath(new URL('../protocol/src/index.ts', import.meta.url)) } },
  test: {
    include: ['test/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // WebKit can cancel the first load right after a certificate is trusted (a known race, see
    // README): one retry keeps that from failing CI while a second failure still does.
    retry: 1,
  },
});
