import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const alias = { '@retrocast/protocol': fileURLToPath(new URL('./protocol/src/index.ts', import.meta.url)) };
const serverTests = ['server/src/**/*.test.ts'];
/** Server projects start from a migrated template database (PGlite data dir / PostgreSQL TEMPLATE). */
const globalSetup = ['server/src/test/global-setup.ts'];

/** Projects that start servers: the long ones. */
const serverProjects = new Set(['pglite', 'postgres']);

/**
 * Vitest runs the projects one after another (a worker is reused only within its project), in
 * name order, so the unit project came last and deploy.test.ts (~13 s) ran alone at the end while
 * the other workers had nothing left. The unit and web projects go first instead; within each
 * project the order stays Vitest's (longest or largest first).
 */
class ServerProjectsLast extends BaseSequencer {
  async sort(files: TestSpecification[]) {
    const sorted = await super.sort(files);
    const last = (s: TestSpecification) => serverProjects.has(s.project.name);
    return [...sorted.filter((s) => !last(s)), ...sorted.filter(last)];
  }
}

/**
 * `npm test`: unit tests once, server suites on PGlite + in-process bus, and again on
 * PostgreSQL + Redis when TEST_DATABASE_URL (and TEST_REDIS_URL) are set, as .ci/run does.
 */
export default defineConfig({
  resolve: { alias },
  test: {
    testTimeout: 120_000, // generous: a loaded 2-core machine stretches server restarts and PGlite opens
    hookTimeout: 180_000, // server starts (PGlite migrations) are slow on a loaded 2-core machine
    // Vitest's default on 2 cores is one worker (cores − 1); server suites mostly wait on sockets and
    // timers, so a few files at once use the machine better. VITEST_MAX_WORKERS overrides.
    maxWorkers: 3,
    // Server suites start their own servers and keep no module-level state between files, so a
    // worker reuses the loaded modules instead of importing the whole server again per file.
    isolate: false,
    sequence: { sequencer: ServerProjectsLast },
    projects: [
      { extends: true, test: { name: 'unit', include: ['protocol/src/**/*.test.ts', 'deploy/**/*.test.ts'] } },
      { extends: true, test: { name: 'web', include: ['web/src/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'pglite',
          include: serverTests,
          exclude: ['**/*.slow.test.ts'],
          globalSetup,
          env: { RETROCAST_TEST_BACKEND: 'pglite' },
        },
      },
      ...(process.env.TEST_DATABASE_URL
        ? [
            {
              extends: true,
              test: {
                name: 'postgres',
                include: serverTests,
                exclude: ['**/*.slow.test.ts'],
                globalSetup,
                env: { RETROCAST_TEST_BACKEND: 'postgres' },
              },
            },
          ]
        : []),
    ],
  },
});
