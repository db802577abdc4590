import { readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { sql } from 'drizzle-orm';
import { type BlobStore, readBlob } from '../blobs/types.js';
import type { AppContext } from '../context.js';
import { appliedCount } from '../db/migrate.js';
import { flushLastMessages } from '../messages/last-message.js';
import { APP_VERSION, type Manifest, openArchiveWriter } from './archive.js';
import { ident, listTables } from './tables.js';

const CHUNK_ROWS = 5000;
const MAX_FILE_BYTES = 1024 * 1024 * 1024;
/** DATA_DIR entries that are not secrets: the data itself, runtime files, other people's output. */
const NOT_SECRETS = new Set(['db', 'files', 'backups', 'web', 'admin.sock', 'retrocast.lock', 'livekit.pid']);

type ArchiveWriter = ReturnType<typeof openArchiveWriter>;

/**
 * Writes a consistent backup of the running server to `file` (atomically: `file.partial`, then
 * renamed). Files are copied before and after the database snapshot, so every file a row of the
 * snapshot names is in the archive (a file deleted after the snapshot was copied the first time).
 */
export async function createBackup(ctx: AppContext, file: string): Promise<Manifest> {
  const partial = `${file}.partial`;
  const out = openArchiveWriter(partial);
  try {
    const copied = new Set<string>();
    const filesBefore = await copyFiles(ctx.blobs, out, copied);
    // channels.last_message_id is written behind sends: the snapshot must see the newest.
    await flushLastMessages(ctx.db);
    const { tables, migrations } = await dumpDatabase(ctx, out);
    const filesAfter = await copyFiles(ctx.blobs, out, copied);
    const secrets = await copySecrets(ctx.config.dataDir, out, ctx.config.backup.dir);
    const manifest: Manifest = {
      format: 'retrocast-backup',
      format_version: 1,
      app_version: APP_VERSION,
      created_at: new Date().toISOString(),
      source: { driver: ctx.database.driver, files: ctx.blobs.kind },
      migrations,
      tables,
      files: { count: copied.size, bytes: filesBefore + filesAfter },
      secrets,
      entries: out.entries,
    };
    await out.done(manifest);
    await rename(partial, file);
    return manifest;
  } catch (err) {
    await rm(partial, { force: true });
    throw err;
  }
}

/**
 * One READ ONLY, REPEATABLE READ transaction: every table as of the same instant, so no message
 * without its channel. (On PGlite the transaction holds the single connection: requests wait for
 * the dump, which takes about a second per 100k rows.)
 */
async function dumpDatabase(ctx: AppContext, out: ArchiveWriter) {
  return ctx.db.transaction(
    async (tx) => {
      // Timestamps as text in UTC: the same archive whatever the server's time zone.
      await tx.execute(sql`set local timezone = 'UTC'`);
      const migrations = await appliedCount(tx as never);
      const tables: Manifest['tables'] = [];
      for (const t of await listTables(tx)) {
        const cols = t.columns.map((c, i) => `${ident(c.name)}::text as c${i}`).join(', ');
        const order = t.columns.map((_, i) => i + 1).join(', ');
        let n = 0;
        for (let chunk = 0; ; chunk++) {
          const res = (await tx.execute(
            sql.raw(`select ${cols} from public.${ident(t.name)} order by ${order} limit ${CHUNK_ROWS} offset ${chunk * CHUNK_ROWS}`),
          )) as unknown as { rows: Record<string, string | null>[] };
          if (res.rows.length === 0 && chunk > 0) break;
          const lines = res.rows.map((r) => JSON.stringify(t.columns.map((_, i) => r[`c${i}`] ?? null)));
          await out.add(`db/${t.name}/${String(chunk).padStart(5, '0')}.jsonl`, Buffer.from(lines.join('\n')));
          n += res.rows.length;
          if (res.rows.length < CHUNK_ROWS) break;
        }
        tables.push({ name: t.name, columns: t.columns, rows: n });
      }
      return { tables, migrations };
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );
}

/** Copies every blob not copied yet; returns the bytes copied. */
async function copyFiles(blobs: BlobStore, out: ArchiveWriter, copied: Set<string>): Promise<number> {
  let bytes = 0;
  for (const key of await blobs.list('')) {
    if (copied.has(key)) continue;
    const body = await readBlob(blobs, key, MAX_FILE_BYTES);
    if (!body) continue; // deleted since it was listed
    await out.add(`files/${key}`, body);
    copied.add(key);
    bytes += body.length;
  }
  return bytes;
}

/** The small files in DATA_DIR the server generated once (JWT secret, LiveKit keys, CA, VAPID…). */
async function copySecrets(dataDir: string, out: ArchiveWriter, backupDir?: string): Promise<string[]> {
  const names: string[] = [];
  const walk = async (dir: string) => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const full = join(dir, e.name);
      const rel = relative(dataDir, full).split(sep).join('/');
      if (NOT_SECRETS.has(rel) || full === backupDir || e.name.endsWith('.partial')) continue;
      if (e.isDirectory()) await walk(full);
      else if (e.isFile() && (await stat(full)).size <= 1024 * 1024) {
        await out.add(`secrets/${rel}`, await readFile(full));
        names.push(rel);
      }
    }
  };
  await walk(dataDir);
  return names.sort();
}
