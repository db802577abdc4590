import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { lockDataDir } from './data-dir-lock.js';
import { noLock, postgresMigrationLock, runMigrations } from './migrate.js';
import { seedFromTemplate } from './pglite-template.js';
import * as schema from './schema.js';
import type { Db } from './types.js';

// The query types live in types.ts (migrate.ts needs them without importing this module).
export type { Db, Queryable, Tx } from './types.js';

export interface Database {
  db: Db;
  driver: 'pglite' | 'postgres';
  /** PostgreSQL's connection pool, for metrics. */
  pool?: { totalCount: number; idleCount: number; waitingCount: number };
  close(): Promise<void>;
}

/** Where connection problems are reported (the app's logger); console before it exists. */
export interface DbLog {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

export interface OpenOptions {
  databaseUrl?: string;
  dataDir: string;
  /** How long one PostgreSQL connection attempt may take (DB_CONNECT_TIMEOUT_MS). */
  dbConnectTimeoutMs?: number;
  log?: DbLog;
  /** Another migrations folder (restore: stop at a backup's schema level). */
  migrationsFolder?: string;
  /** PGlite's shared_buffers (PGLITE_SHARED_BUFFERS), default PGLITE_SHARED_BUFFERS below. */
  pgliteSharedBuffers?: string;
}

export async function openDatabase(opts: OpenOptions): Promise<Database> {
  if (opts.databaseUrl) return openPostgres(opts.databaseUrl, opts.dbConnectTimeoutMs ?? 10_000, opts.log, opts.migrationsFolder);
  mkdirSync(opts.dataDir, { recursive: true });
  const lock = lockDataDir(opts.dataDir);
  try {
    const database = await openPglite(join(opts.dataDir, 'db'), opts.migrationsFolder, opts.pgliteSharedBuffers);
    return { ...database, close: () => database.close().finally(() => lock.release()) };
  } catch (err) {
    lock.release();
    throw err;
  }
}

/**
 * PGlite's defaults plus smaller shared buffers. Its shared memory lives in the WASM heap, which
 * PostgreSQL touches whole at start and which never shrinks: the default 128MB cost ~125 MiB of RSS before
 * any query. Pages it evicts stay in the OS page cache, one read away.
 */
export const PGLITE_SHARED_BUFFERS = '16MB';

async function openPglite(dir: string, migrationsFolder?: string, sharedBuffers = PGLITE_SHARED_BUFFERS): Promise<Database> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  const { migrate } = await import('drizzle-orm/pglite/migrator');
  // A new data dir starts as a copy of a cluster made at build time, migrated when the migrations allow
  // (pglite-template.ts); else PGlite runs initdb.
  if (!existsSync(join(dir, 'PG_VERSION')) && !seedFromTemplate(dir, undefined, migrationsFolder)) mkdirSync(dir, { recursive: true });
  const client = await PGlite.create(dir, { startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${sharedBuffers}`] });
  const db = drizzle(client, { schema });
  try {
    await runMigrations(db as unknown as Db, migrate as never, noLock, migrationsFolder);
  } catch (err) {
    await client.close().catch(() => {});
    throw err;
  }
  return { db: db as unknown as Db, driver: 'pglite', close: () => client.close() };
}

/** The URL without its password, for log lines. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'DATABASE_URL';
  }
}

/**
 * A pool that survives PostgreSQL going away: a connection the server terminates (restart,
 * failover, pg_terminate_backend) emits 'error' on its client or on the pool, which without a
 * listener would kill the process. Here it is logged and the dead client dropped; the next query
 * opens a new connection, so service resumes by itself once PostgreSQL is back. Queries during an
 * outage fail fast (connection refused or the connect timeout) and the error handler answers 503.
 */
async function openPostgres(url: string, connectTimeoutMs: number, log: DbLog = consoleLog, migrationsFolder?: string): Promise<Database> {
  const pg = (await import('pg')).default;
  const { drizzle } = await import('drizzle-orm/node-postgres');
  const { migrate } = await import('drizzle-orm/node-postgres/migrator');
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: connectTimeoutMs, keepAlive: true });
  let down = false;
  const lost = (err: Error) => {
    if (!down)
      log.warn(
        { err: { message: err.message, code: (err as { code?: string }).code } },
        'database: connection lost; requests get 503 until it is back',
      );
    down = true;
  };
  pool.on('error', lost);
  // A checked-out client (inside a transaction) reports a dropped connection on itself.
  pool.on('connect', (client) => {
    client.on('error', lost);
    if (down) log.info({}, 'database: connected again');
    down = false;
  });
  try {
    await pool.query('select 1');
  } catch (err) {
    await pool.end().catch(() => {});
    throw new Error(
      `database: cannot connect to ${redactUrl(url)} within ${connectTimeoutMs} ms (DB_CONNECT_TIMEOUT_MS): ${(err as Error).message}`,
    );
  }
  const db = drizzle(pool, { schema });
  try {
    await runMigrations(db, migrate, postgresMigrationLock(pool), migrationsFolder);
  } catch (err) {
    await pool.end().catch(() => {});
    throw err;
  }
  return { db, driver: 'postgres', pool, close: () => pool.end() };
}

const consoleLog: DbLog = {
  warn: (obj, msg) => console.warn(msg, obj),
  info: (obj, msg) => console.info(msg, obj),
};
