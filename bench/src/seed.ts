import { join } from 'node:path';
import { nowMs } from './proc-stats.js';

/**
 * Seeds a channel's history straight into the database with one INSERT … SELECT generate_series per
 * 100,000 rows: the server's own tables and indexes (including the full-text GIN index), no REST.
 * Ids are real snowflakes 10 ms apart ending a day ago, with worker bits 31 so they never collide
 * with ids the running server hands out.
 */
export interface SeedTarget {
  channelId: string;
  guildId: string;
  authorId: string;
  count: number;
}

export interface SeededHistory {
  count: number;
  /** The id of the i-th seeded message (0 = oldest). */
  idAt(i: number): string;
  elapsedMs: number;
}

const EPOCH = 1735689600000n;
const SPACING_MS = 10n;
const WORKER_BITS = 31n << 17n;
const CHUNK = 100_000;

type Exec = (sql: string) => Promise<unknown>;

export function historyIds(count: number, endMs = Date.now() - 86_400_000) {
  const base = BigInt(endMs) - EPOCH - BigInt(count) * SPACING_MS;
  return { base, idAt: (i: number) => (((base + BigInt(i) * SPACING_MS) << 22n) | WORKER_BITS).toString() };
}

async function seedWith(exec: Exec, t: SeedTarget, log: (m: string) => void): Promise<SeededHistory> {
  const started = nowMs();
  const { base, idAt } = historyIds(t.count);
  for (let from = 0; from < t.count; from += CHUNK) {
    const to = Math.min(t.count, from + CHUNK) - 1;
    // Plain literals: every value is a number or a snowflake we built, never user input.
    await exec(`
      INSERT INTO messages (id, channel_id, guild_id, author_id, content, created_at)
      SELECT ((${base} + i * ${SPACING_MS}) << 22) | ${WORKER_BITS},
             ${t.channelId}, ${t.guildId}, ${t.authorId},
             'history message ' || i || ': the quick brown fox jumps over the lazy dog',
             to_timestamp((${EPOCH} + ${base} + i * ${SPACING_MS}) / 1000.0)
      FROM generate_series(${from}, ${to}) AS i`);
    log(`seeded ${to + 1}/${t.count} messages (${Math.round((nowMs() - started) / 1000)} s)`);
  }
  await exec(`UPDATE channels SET last_message_id = ${idAt(t.count - 1)} WHERE id = ${t.channelId}`);
  // VACUUM as well: a table this size in service has been vacuumed long ago; left to autovacuum
  // (PostgreSQL, naptime 1 min), its scan of the fresh 1 M rows landed in or near the measured window.
  await exec('VACUUM ANALYZE messages');
  return { count: t.count, idAt, elapsedMs: nowMs() - started };
}

/** PostgreSQL: works while the server runs. */
export async function seedPostgres(databaseUrl: string, t: SeedTarget, log: (m: string) => void): Promise<SeededHistory> {
  const pg = (await import('pg')).default;
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await seedWith((q) => client.query(q), t, log);
  } finally {
    await client.end();
  }
}

/** PGlite: one process owns the data dir, so the server must be stopped while this runs. */
export async function seedPglite(dataDir: string, t: SeedTarget, log: (m: string) => void): Promise<SeededHistory> {
  const { PGlite } = await import('@electric-sql/pglite');
  const db = await PGlite.create(join(dataDir, 'db'));
  try {
    return await seedWith((q) => db.exec(q), t, log);
  } finally {
    await db.close();
  }
}
