import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type * as schema from './schema.js';

/**
 * One query API for both drivers: PGlite (embedded, default) and PostgreSQL (DATABASE_URL).
 * Drizzle's node-postgres and PGlite databases share the same query builder, so services are typed
 * against one of them and never know which driver runs.
 */
export type Db = NodePgDatabase<typeof schema>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
/** Anything that runs queries: the database or an open transaction. */
export type Queryable = Db | Tx;
