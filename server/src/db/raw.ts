import type { Db } from './types.js';

/** A statement run past Drizzle: its SQL text and, on PostgreSQL, the name it is prepared under per connection. */
export interface RawStatement {
  name: string;
  text: string;
}

type Run = (s: RawStatement, values: unknown[]) => Promise<Record<string, unknown>[]>;

interface PoolLike {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: Record<string, unknown>[] }>;
  connect(): unknown;
}
interface PgliteLike {
  query(text: string, values: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  describeQuery(text: string): unknown;
}

const runners = new WeakMap<Db, Run>();

/**
 * Runs one statement on the driver under `db` (node-postgres pool or PGlite), rows with the
 * driver's own type parsing (json → parsed, int8 → string). For the few hot reads where building
 * the query with Drizzle costs more than running it: node-postgres prepares it once per
 * connection, under its name.
 */
export function rawQuery(db: Db, s: RawStatement, values: unknown[]): Promise<Record<string, unknown>[]> {
  let run = runners.get(db);
  if (!run) {
    run = runnerFor((db as unknown as { $client: unknown }).$client);
    runners.set(db, run);
  }
  return run(s, values);
}

function runnerFor(client: unknown): Run {
  if (typeof (client as PgliteLike).describeQuery === 'function') {
    const pglite = client as PgliteLike;
    return async (s, values) => (await pglite.query(s.text, values)).rows;
  }
  if (typeof (client as PoolLike).connect === 'function') {
    const pool = client as PoolLike;
    return async (s, values) => (await pool.query({ name: s.name, text: s.text, values })).rows;
  }
  throw new Error('rawQuery: unknown database driver');
}
