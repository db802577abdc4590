import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type SQL, sql } from 'drizzle-orm';
import { openBlobStore } from '../blobs/index.js';
import type { Config } from '../config.js';
import { openDatabase, type Queryable } from '../db/client.js';
import { knownMigrations, migrationsUpTo } from '../db/migrate.js';
import { type Manifest, readArchive, verifyArchive } from './archive.js';
import { ident, listTables, resetSequences } from './tables.js';

/** A restore that was refused before anything changed (non-empty target, newer backup). */
export class RestoreRefused extends Error {}

export interface RestoreResult {
  manifest: Manifest;
  rows: number;
  files: number;
  secrets: number;
}

const INSERT_ROWS = 200;

/**
 * Restores an archive into the configured database, file store and DATA_DIR, with the server
 * stopped. The archive is verified against its manifest first; the target must be empty unless
 * `force` (then everything in it is replaced). Rows go in in one transaction. A backup from an
 * older schema is restored at its own level, then migrated forward like any upgrade. This is also
 * how a server moves between PGlite and PostgreSQL, or between disk and S3.
 */
export async function restoreBackup(config: Config, file: string, opts: { force?: boolean } = {}): Promise<RestoreResult> {
  const manifest = await verifyArchive(file);
  const known = knownMigrations();
  if (manifest.migrations > known) {
    throw new RestoreRefused(`${file} comes from a newer Retrocast (schema ${manifest.migrations}, this one has ${known}): upgrade first`);
  }
  const older = manifest.migrations < known;
  const database = await openDatabase({ ...config, migrationsFolder: older ? migrationsUpTo(manifest.migrations) : undefined });
  const blobs = await openBlobStore(config);
  const result: RestoreResult = { manifest, rows: 0, files: 0, secrets: 0 };
  try {
    const tables = await listTables(database.db);
    const keys = await blobs.list('');
    const full = await firstNonEmpty(
      database.db,
      tables.map((t) => t.name),
    );
    if ((full || keys.length) && !opts.force) {
      throw new RestoreRefused(
        `the target is not empty (${full ? `table ${full} has rows` : `${keys.length} stored files`}); restore with --force to replace everything in it`,
      );
    }
    if (tables.length) await database.db.execute(sql.raw(`truncate ${tables.map((t) => `public.${ident(t.name)}`).join(', ')} cascade`));
    await blobs.delete(keys);
    const columns = new Map(manifest.tables.map((t) => [t.name, t.columns]));
    await database.db.transaction(async (tx) => {
      for await (const { name, body } of readArchive(file)) {
        const [kind, ...rest] = name.split('/');
        if (kind === 'db') result.rows += await insertChunk(tx, rest[0], columns.get(rest[0]) ?? [], body);
        else if (kind === 'files') {
          await blobs.put(rest.join('/'), body);
          result.files++;
        } else if (kind === 'secrets') {
          if (rest.some((p) => p === '..' || p === '' || p === '.')) throw new Error(`bad entry ${name}`);
          const target = join(config.dataDir, ...rest);
          await mkdir(dirname(target), { recursive: true });
          await writeFile(target, body, { mode: 0o600 });
          result.secrets++;
        }
      }
      await resetSequences(tx);
    });
  } finally {
    await blobs.close();
    await database.close();
  }
  // An older backup: now bring it to this version's schema, as a normal start would.
  if (older) await (await openDatabase(config)).close();
  return result;
}

async function firstNonEmpty(q: Queryable, tables: string[]): Promise<string | undefined> {
  for (const t of tables) {
    const res = (await q.execute(sql.raw(`select 1 from public.${ident(t)} limit 1`))) as unknown as { rows: unknown[] };
    if (res.rows.length) return t;
  }
  return undefined;
}

/** Inserts one dumped chunk; values travel as text and are cast to each column's type. */
async function insertChunk(tx: Queryable, table: string, cols: Manifest['tables'][number]['columns'], body: Buffer): Promise<number> {
  if (!cols.length) throw new Error(`archive names table ${table} that its manifest does not describe`);
  const text = body.toString('utf8');
  if (!text) return 0;
  const rows = text.split('\n').map((l) => JSON.parse(l) as (string | null)[]);
  const head = sql.raw(`insert into public.${ident(table)} (${cols.map((c) => ident(c.name)).join(', ')}) values `);
  for (let i = 0; i < rows.length; i += INSERT_ROWS) {
    const values: SQL[] = rows.slice(i, i + INSERT_ROWS).map(
      (r) =>
        sql`(${sql.join(
          r.map((v, j) => sql`${v}::${sql.raw(cols[j].type)}`),
          sql`, `,
        )})`,
    );
    await tx.execute(sql`${head}${sql.join(values, sql`, `)}`);
  }
  return rows.length;
}
