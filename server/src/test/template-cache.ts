import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../db/client.js';
import { MIGRATIONS_DIR } from '../db/migrate.js';
import { pgliteVersion } from '../db/pglite-template.js';

const PREFIX = 'retrocast-test-template-';
const STALE_MS = 24 * 3600_000;

/** What a migrated PGlite template depends on: PGlite's version and every migration file. */
function templateKey(): string {
  const hash = createHash('sha256').update(pgliteVersion());
  for (const name of (readdirSync(MIGRATIONS_DIR, { recursive: true }) as string[]).sort()) {
    const path = join(MIGRATIONS_DIR, name);
    if (statSync(path).isFile()) hash.update(name).update(readFileSync(path));
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * The migrated, empty PGlite cluster test servers copy, kept in `parent` between runs: making it
 * (initdb in WASM when no build template exists, then every migration) took 3 s on a quiet machine
 * and 15–20 s on a busy one, before any test could start. Made beside and renamed into place, so a
 * run never sees a half-made one; templates of other keys not used for a day are removed. Returns the
 * cluster's dir, which callers only copy.
 */
export async function cachedPgliteTemplate(parent: string): Promise<string> {
  const dir = join(parent, PREFIX + templateKey());
  if (!existsSync(join(dir, 'db', 'PG_VERSION'))) {
    const part = mkdtempSync(`${dir}.part-`);
    const database = await openDatabase({ dataDir: part });
    await database.close();
    try {
      renameSync(part, dir);
    } catch {
      rmSync(part, { recursive: true, force: true }); // another run made it first
    }
  }
  const now = new Date();
  utimesSync(dir, now, now); // in use: not stale for other runs' pruning below
  for (const name of readdirSync(parent)) {
    const path = join(parent, name);
    if (!name.startsWith(PREFIX) || path === dir) continue;
    try {
      if (Date.now() - statSync(path).mtimeMs > STALE_MS) rmSync(path, { recursive: true, force: true });
    } catch {}
  }
  return join(dir, 'db');
}
