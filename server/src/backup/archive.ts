import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createGunzip, createGzip } from 'node:zlib';
import tar from 'tar-stream';

/**
 * The backup archive: a gzipped tar of
 *   db/<table>/<chunk>.jsonl   rows as JSON arrays of the columns' text forms (null stays null)
 *   files/<blob key>           every stored file (attachments, avatars, icons, emoji)
 *   secrets/<path>             DATA_DIR's generated secrets (JWT key, LiveKit keys, …)
 *   manifest.json              last: version, schema level, row counts, SHA-256 of every entry
 */
export interface Manifest {
  format: 'retrocast-backup';
  format_version: 1;
  app_version: string;
  created_at: string;
  source: { driver: 'pglite' | 'postgres'; files: 'disk' | 's3' };
  /** Migrations applied to the database the backup came from. */
  migrations: number;
  tables: { name: string; columns: { name: string; type: string }[]; rows: number }[];
  files: { count: number; bytes: number };
  secrets: string[];
  /** Entry path → SHA-256 (hex) of its bytes. */
  entries: Record<string, string>;
}

export const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

// server/package.json sits two levels above both src/backup and dist/backup.
export const APP_VERSION: string = JSON.parse(
  readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../../package.json'), 'utf8'),
).version;

/** Writes entries one at a time into a .tar.gz; `done()` finishes the file. */
export function openArchiveWriter(file: string) {
  const pack = tar.pack();
  const written = pipeline(pack, createGzip({ level: 6 }), createWriteStream(file, { mode: 0o600 }));
  const entries: Record<string, string> = {};
  return {
    entries,
    add(name: string, body: Uint8Array): Promise<void> {
      entries[name] = sha256(body);
      return new Promise((resolve, reject) =>
        pack.entry({ name, size: body.length, mode: 0o600 }, body, (err) => (err ? reject(err) : resolve())),
      );
    },
    async done(manifest: Manifest) {
      const body = Buffer.from(JSON.stringify(manifest, null, 2));
      await new Promise<void>((resolve, reject) =>
        pack.entry({ name: 'manifest.json', size: body.length }, body, (err) => (err ? reject(err) : resolve())),
      );
      pack.finalize();
      await written;
    },
  };
}

/** Every entry of the archive, in order, with its bytes. */
export async function* readArchive(file: string): AsyncGenerator<{ name: string; body: Buffer }> {
  const extract = tar.extract();
  const source = createReadStream(file).pipe(createGunzip());
  source.on('error', (err) => extract.destroy(err));
  source.pipe(extract);
  for await (const entry of extract) {
    const chunks: Buffer[] = [];
    for await (const c of entry) chunks.push(c as Buffer);
    yield { name: entry.header.name, body: Buffer.concat(chunks) };
  }
}

/** Reads the manifest and checks every entry against its checksum; throws on any mismatch. */
export async function verifyArchive(file: string): Promise<Manifest> {
  const seen: Record<string, string> = {};
  let manifest: Manifest | undefined;
  for await (const { name, body } of readArchive(file)) {
    if (name === 'manifest.json') manifest = JSON.parse(body.toString('utf8'));
    else seen[name] = sha256(body);
  }
  if (manifest?.format !== 'retrocast-backup') throw new Error(`${file}: not a Retrocast backup (no manifest)`);
  for (const [name, sum] of Object.entries(manifest.entries)) {
    if (seen[name] !== sum)
      throw new Error(`${file}: ${name} ${seen[name] ? 'does not match its checksum' : 'is missing'}; the archive is damaged`);
  }
  for (const name of Object.keys(seen)) if (!(name in manifest.entries)) throw new Error(`${file}: unexpected entry ${name}`);
  return manifest;
}
