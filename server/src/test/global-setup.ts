import { randomBytes } from 'node:crypto';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../db/client.js';
import { cachedPgliteTemplate } from './template-cache.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A migrated, empty PGlite data dir that test servers copy instead of running initdb + migrations. */
    pgliteTemplate?: string;
    /** A migrated, empty PostgreSQL database that test databases are created from (CREATE DATABASE … TEMPLATE). */
    postgresTemplate?: string;
    /** Where test servers make their data dirs (RAM when the machine has /dev/shm); removed after the run. */
    testDataRoot?: string;
  }
}

/**
 * A PGlite data dir is ~1,100 files (40 MB): every test server copies one at start and deletes it at
 * close, synchronously. On disk, on a busy machine, that blocked a worker for ~1 s per server; in RAM
 * it takes a few milliseconds. Elsewhere (no /dev/shm) the OS temp dir.
 */
function ramOrTmp(): string {
  try {
    accessSync('/dev/shm', constants.W_OK);
    return '/dev/shm';
  } catch {
    return tmpdir();
  }
}

/**
 * Once per server test project: one migrated database to copy. A fresh PGlite costs initdb in WASM
 * plus every migration (~3 s idle, 15 s on a loaded 2-core box); a copy of the template opens in a
 * fraction of that (and the template itself is kept between runs: template-cache.ts), and PostgreSQL
 * clones a template database without replaying migrations.
 */
export default async function setup(project: TestProject) {
  const backend = project.config.env?.RETROCAST_TEST_BACKEND;
  const root = mkdtempSync(join(ramOrTmp(), 'retrocast-vitest-'));
  project.provide('testDataRoot', root);
  const removeRoot = () => rmSync(root, { recursive: true, force: true });
  if (backend === 'pglite') {
    project.provide('pgliteTemplate', await cachedPgliteTemplate(ramOrTmp()));
    return removeRoot;
  }
  if (backend === 'postgres' && process.env.TEST_DATABASE_URL) {
    const pg = (await import('pg')).default;
    const name = `rc_test_template_${randomBytes(6).toString('hex')}`;
    const admin = async (sql: string) => {
      const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
      await client.connect();
      await client.query(sql).finally(() => client.end());
    };
    await admin(`CREATE DATABASE ${name}`);
    const url = new URL(process.env.TEST_DATABASE_URL);
    url.pathname = `/${name}`;
    const database = await openDatabase({ databaseUrl: url.toString(), dataDir: tmpdir() });
    await database.close();
    project.provide('postgresTemplate', name);
    return async () => {
      removeRoot();
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    };
  }
  return removeRoot;
}
