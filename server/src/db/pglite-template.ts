import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MIGRATIONS_DIR, migrationTags, noLock, runMigrations } from './migrate.js';
import type { Db } from './types.js';

/**
 * PGlite clusters made once at build time and copied into an empty data dir on first start,
 * instead of running initdb (and every migration) inside the server. PGlite's initdb starts a
 * second WASM PostgreSQL plus a 128 MiB copy of its heap: the first start peaked at ~900 MiB and,
 * since V8 frees those only at some later GC and the native heap is not returned, the server idled
 * there. Migrating a new cluster left ~40 MiB of native memory behind as well. A copied cluster
 * opens like any existing data dir. Two are kept:
 * - `db`: initdb's output, for a data dir that must stop at an older schema (restoring an older backup);
 * - `migrated`: `db` with this build's migrations applied (listed in `migrated-tags`), for everything else.
 */

// src/db and dist/db sit at the same depth, so both find the built template (like MIGRATIONS_DIR).
export const TEMPLATE_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../dist/pglite-template');

/** The installed PGlite's version: a template made by another PGlite may not match its catalog. */
export function pgliteVersion(): string {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  let dir = dirname(entry);
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
}

const versionFile = (template: string) => join(template, 'pglite-version');
const tagsFile = (template: string) => join(template, 'migrated-tags');

/** Migrations applied to the template's `migrated` cluster (empty when there is none). */
function migratedTags(template: string): string[] {
  try {
    if (!existsSync(join(template, 'migrated', 'PG_VERSION'))) return [];
    return readFileSync(tagsFile(template), 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

/** The template's initdb cluster when the installed PGlite made it, else undefined. */
function initdbCluster(template: string): string | undefined {
  try {
    if (readFileSync(versionFile(template), 'utf8').trim() !== pgliteVersion()) return undefined;
  } catch {
    return undefined;
  }
  const cluster = join(template, 'db');
  return existsSync(join(cluster, 'PG_VERSION')) ? cluster : undefined;
}

/**
 * The cluster to copy for a data dir migrated with `migrationsFolder`: `migrated` when its
 * migrations are where that folder starts (the rest, if any, are applied on open as usual), else
 * `db`; undefined when the template is missing or was made by another PGlite.
 */
export function usableTemplate(template = TEMPLATE_DIR, migrationsFolder = MIGRATIONS_DIR): string | undefined {
  const initdb = initdbCluster(template);
  if (!initdb) return undefined;
  const applied = migratedTags(template);
  const wanted = migrationTags(migrationsFolder);
  if (applied.length && applied.length <= wanted.length && applied.every((tag, i) => tag === wanted[i])) return join(template, 'migrated');
  return initdb;
}

/**
 * Makes the template (build step: `node server/scripts/pglite-template.mjs`): initdb's cluster when
 * none made by this PGlite exists, and the migrated one when its migrations are not this build's.
 * False when there was nothing to do. Written beside and renamed, so an interrupted build leaves
 * no half template.
 */
export async function buildTemplate(template = TEMPLATE_DIR): Promise<boolean> {
  const tags = migrationTags();
  const fresh = initdbCluster(template) !== undefined;
  if (fresh && migratedTags(template).join('\n') === tags.join('\n')) return false;
  const { PGlite } = await import('@electric-sql/pglite');
  if (!fresh) {
    const tmp = `${template}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(join(tmp, 'db'), { recursive: true });
    const pg = await PGlite.create(join(tmp, 'db'));
    await pg.close();
    writeFileSync(versionFile(tmp), `${pgliteVersion()}\n`);
    rmSync(template, { recursive: true, force: true });
    renameSync(tmp, template);
  }
  const { drizzle } = await import('drizzle-orm/pglite');
  const { migrate } = await import('drizzle-orm/pglite/migrator');
  const tmp = join(template, `migrated.tmp-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  cpSync(join(template, 'db'), tmp, { recursive: true });
  const pg = await PGlite.create(tmp);
  try {
    await runMigrations(drizzle(pg) as unknown as Db, migrate as never, noLock);
  } finally {
    await pg.close();
  }
  rmSync(tagsFile(template), { force: true });
  rmSync(join(template, 'migrated'), { recursive: true, force: true });
  renameSync(tmp, join(template, 'migrated'));
  writeFileSync(tagsFile(template), `${tags.join('\n')}\n`);
  return true;
}

/**
 * Seeds a new PGlite data dir (absent or empty) from the template; false, leaving `dir` alone, when
 * there is no usable template or `dir` already holds something (PGlite then does what it always did).
 * Copied beside and renamed, so a crash mid-copy never leaves a half cluster that looks like one.
 */
export function seedFromTemplate(dir: string, template = TEMPLATE_DIR, migrationsFolder = MIGRATIONS_DIR): boolean {
  const cluster = usableTemplate(template, migrationsFolder);
  if (!cluster) return false;
  if (existsSync(dir)) {
    if (readdirSync(dir).length > 0) return false;
    rmdirSync(dir);
  }
  const tmp = `${dir}.seed-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  cpSync(cluster, tmp, { recursive: true });
  renameSync(tmp, dir);
  return true;
}
