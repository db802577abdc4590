import type { Db } from './types.js';

/**
 * A statement run past Drizzle: its SQL text and the name it is prepared under (once per
 * connection on PostgreSQL, once per database on PGlite). The name is an SQL identifier.
 */
export interface RawStatement {
  name: string;
  text: string;
}

/**
 * Snowflake ids as one PostgreSQL array literal (`{1,2,3}`), to pass as a single `::bigint[]`
 * parameter instead of one parameter per id. Snowflakes are digits only, so nothing needs quoting.
 */
export const idArrayLiteral = (ids: string[]) => `{${ids.join(',')}}`;

/** Parameter values a raw statement takes: ids as decimal strings, numbers, booleans, null. */
export type RawValue = string | number | boolean | null;

type Run = (s: RawStatement, values: RawValue[]) => Promise<Record<string, unknown>[]>;

interface PoolLike {
  query(config: { name: string; text: string; values: RawValue[] }): Promise<{ rows: Record<string, unknown>[] }>;
  connect(): unknown;
}
interface PgliteLike {
  query(text: string): Promise<{ rows: Record<string, unknown>[] }>;
  exec(text: string): Promise<unknown>;
  describeQuery(text: string): unknown;
}

const runners = new WeakMap<Db, Run>();

/**
 * Runs one prepared statement on the driver under `db` (node-postgres pool or PGlite); rows come
 * with the driver's own type parsing (json parsed, int8 as string). For the few hot reads where
 * building the query with Drizzle, and planning it every time, cost more than running it.
 */
export function rawQuery(db: Db, s: RawStatement, values: RawValue[]): Promise<Record<string, unknown>[]> {
  let run = runners.get(db);
  if (!run) {
    run = runnerFor((db as unknown as { $client: unknown }).$client);
    runners.set(db, run);
  }
  return run(s, values);
}

function runnerFor(client: unknown): Run {
  if (typeof (client as PgliteLike).describeQuery === 'function') return pgliteRunner(client as PgliteLike);
  if (typeof (client as PoolLike).connect === 'function') {
    const pool = client as PoolLike;
    // node-postgres parses a named statement once per connection, then only binds and executes it.
    return async (s, values) => (await pool.query({ name: s.name, text: s.text, values })).rows;
  }
  throw new Error('rawQuery: unknown database driver');
}

/**
 * PGlite has no named statements in its API, and parsing and planning a statement of several
 * subqueries costs it more than running it: so the statement is PREPAREd once in its one session
 * and run with EXECUTE, the values written as SQL literals (`literal`). Both go through `query`,
 * so they wait for an open transaction like every other query.
 */
function pgliteRunner(pglite: PgliteLike): Run {
  const prepared = new Map<string, Promise<unknown>>();
  return async (s, values) => {
    let ready = prepared.get(s.name);
    if (!ready) {
      ready = pglite.exec(`prepare ${s.name} as ${s.text}`);
      prepared.set(s.name, ready);
      ready.catch(() => prepared.delete(s.name));
    }
    await ready;
    return (await pglite.query(`execute ${s.name}(${values.map(literal).join(', ')})`)).rows;
  };
}

/** A value as an SQL literal: numbers and booleans as they are, strings quoted (standard_conforming_strings is on). */
export function literal(v: RawValue): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`rawQuery: ${v} is not a finite number`);
    return String(v);
  }
  if (v.includes('\0')) throw new Error('rawQuery: NUL in a string value');
  return `'${v.replaceAll("'", "''")}'`;
}
