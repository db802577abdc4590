import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const alias = { '@retrocast/protocol': fileURLToPath(new URL('./protocol/src/index.ts', import.meta.url)) };

/** `npm run test:slow`: long suites (multi-process, large data) that CI runs after `npm test`. */
export default defineConfig({
  resolve: { alias },
  test: {
    testTimeout: 300_000,
    hookTimeout: 300_000,
    fileParallelism: false,
    projects: [
      { extends: true, test: { name: 'slow-pglite', include: ['server/src/**/*.slow.test.ts'], env: { RETROCAST_TEST_BACKEND: 'pglite' } } },
      ...(process.env.TEST_DATABASE_URL
        ? [{ extends: true, test: { name: 'slow-postgres', include: ['server/src/**/*.slow.test.ts'], env: { RETROCAST_TEST_BACKEND: 'postgres' } } }]
        : []),
    ],
  },
});
