import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import type { Db } from './types.js';

// src/db and dist/db sit at the same depth, so this finds the committed SQL from either.
export const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../src/db/migrations');

/** Serialises schema changes between instances starting at once on one PostgreSQL database. */
const MIGRATION_LOCK = 0x7263_6d67; // "rcmg"

interface Journal {
  entries: { idx: number; tag: string; when: number }[];
}

const readJournal = (folder: string): Journal => JSON.parse(readFileSync(join(folder, 'meta/_journal.json'), 'utf8'));

/** The migrations of a folder, in order (drizzle's tags: `0000_name`). */
export const migrationTags = (folder = MIGRATIONS_DIR) => readJournal(folder).entries.map((e) => e.tag);

/** How many migrations this code knows. */
export const knownMigrations = (folder = MIGRATIONS_DIR) => readJournal(folder).entries.length;

/** A copy of the migrations folder that stops after the first `count` (restoring an older backup). */
export function migrationsUpTo(count: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'retrocast-migrations-'));
  cpSync(MIGRATIONS_DIR, dir, { recursive: true });
  const journal = readJournal(dir);
  writeFileSync(join(dir, 'meta/_journal.json'), JSON.stringify({ ...journal, entries: journal.entries.slice(0, count) }));
  return dir;
}

export class SchemaTooNewError extends Error {}

/** Migrations applied so far (drizzle's journal table; 0 on an empty database). */
export async function appliedCount(db: Db): Promise<number> {
  const exists = (await db.execute(sql`select to_regclass('drizzle.__drizzle_migrations') is not null as ok`)) as unknown as {
    rows: { ok: boolean }[];
  };
  if (!exists.rows[0]?.ok) return 0;
  const res = (await db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`)) as unknown as { rows: { n: number }[] };
  return Number(res.rows[0].n);
}

/**
 * Brings the schema up to date, refusing a database that a newer Retrocast already migrated
 * (running old code on it could lose data). `withLock` holds a lock for the whole check+migrate:
 * a PostgreSQL advisory lock, so of several instances starting at once one migrates and the
 * others wait, then find nothing to do.
 */
export async function runMigrations(
  db: Db,
  migrate: (db: Db, opts: { migrationsFolder: string }) => Promise<void>,
  withLock: <T>(fn: () => Promise<T>) => Promise<T>,
  folder = MIGRATIONS_DIR,
): Promise<void> {
  const known = knownMigrations(folder);
  await withLock(async () => {
    const applied = await appliedCount(db);
    if (applied > knownMigrations()) {
      throw new SchemaTooNewError(
        `database: its schema is newer than this Retrocast (${applied} migrations applied, this version has ${knownMigrations()}). ` +
          'It was used by a newer version: upgrade Retrocast again, or restore a backup made by this version.',
      );
    }
    if (applied < known) await migrate(db, { migrationsFolder: folder });
  });
}

/** withLock for PostgreSQL: a session advisory lock on one pooled connection. */
export function postgresMigrationLock(pool: { connect(): Promise<{ query(q: string): Promise<unknown>; release(): void }> }) {
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    try {
      await client.query(`select pg_advisory_lock(${MIGRATION_LOCK})`);
      return await fn();
    } finally {
      await client.query(`select pg_advisory_unlock(${MIGRATION_LOCK})`).catch(() => {});
      client.release();
    }
  };
}

/** PGlite has one connection and one process (the DATA_DIR lock): nothing to serialise. */
export const noLock = <T>(fn: () => Promise<T>) => fn();
