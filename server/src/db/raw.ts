import { is, Param, Placeholder, type SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
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

/** A statement Drizzle built once with `sql.placeholder`s, and how to fill them for each run. */
export interface CompiledStatement {
  stmt: RawStatement;
  fill: ((values: Record<string, unknown>) => RawValue)[];
}

const dialect = new PgDialect();

/**
 * Compiles a Drizzle query whose values are `sql.placeholder(name)`s into a named raw statement, so
 * a hot write keeps Drizzle's column encoding (jsonb, bigint strings) without rebuilding the SQL on
 * every call. A placeholder given for a column is encoded by it (null stays SQL NULL); a bare one in
 * an `sql` template is passed as it is.
 */
export function compileStatement(name: string, query: SQL): CompiledStatement {
  const { sql: text, params } = dialect.sqlToQuery(query);
  const fill = params.map((p): ((values: Record<string, unknown>) => RawValue) => {
    if (is(p, Placeholder)) return (v) => needValue(v, p.name) as RawValue;
    if (is(p, Param) && is(p.value, Placeholder)) {
      const { name: key } = p.value;
      const { encoder } = p;
      return (v) => {
        const x = needValue(v, key);
        return x === null ? null : (encoder.mapToDriverValue(x) as RawValue);
      };
    }
    return () => p as RawValue;
  });
  return { stmt: { name, text }, fill };
}

function needValue(values: Record<string, unknown>, key: string): unknown {
  const x = values[key];
  if (x === undefined) throw new Error(`compiled statement: no value for ${key}`);
  return x;
}

/** Runs a compiled statement with its placeholders' values. */
export function runCompiled(db: Db, c: CompiledStatement, values: Record<string, unknown>) {
  return rawQuery(
    db,
    c.stmt,
    c.fill.map((f) => f(values)),
  );
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
