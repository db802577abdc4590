import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * An empty PGlite cluster (initdb's output, no migrations) made once at build time and copied into
 * an empty data dir on first start, instead of running initdb inside the server. PGlite's initdb
 * starts a second WASM PostgreSQL plus a 128 MiB copy of its heap: the first start peaked at
 * ~900 MiB and, since V8 frees those only at some later GC and the native heap is not returned,
 * the server idled there. A copied cluster opens like any existing data dir.
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

/** The template's cluster when it was made by the installed PGlite, else undefined. */
export function usableTemplate(template = TEMPLATE_DIR): string | undefined {
  try {
    if (readFileSync(versionFile(template), 'utf8').trim() !== pgliteVersion()) return undefined;
  } catch {
    return undefined;
  }
  const cluster = join(template, 'db');
  return existsSync(join(cluster, 'PG_VERSION')) ? cluster : undefined;
}

/**
 * Makes the template (build step: `node server/scripts/pglite-template.mjs`); nothing to do when
 * one made by this PGlite exists. Written beside and renamed, so an interrupted build leaves none.
 */
export async function buildTemplate(template = TEMPLATE_DIR): Promise<boolean> {
  if (usableTemplate(template)) return false;
  const { PGlite } = await import('@electric-sql/pglite');
  const tmp = `${template}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(join(tmp, 'db'), { recursive: true });
  const pg = await PGlite.create(join(tmp, 'db'));
  await pg.close();
  writeFileSync(versionFile(tmp), `${pgliteVersion()}\n`);
  rmSync(template, { recursive: true, force: true });
  renameSync(tmp, template);
  return true;
}

/**
 * Seeds a new PGlite data dir (absent or empty) from the template; false, leaving `dir` alone, when
 * there is no usable template or `dir` already holds something (PGlite then does what it always did).
 * Copied beside and renamed, so a crash mid-copy never leaves a half cluster that looks like one.
 */
export function seedFromTemplate(dir: string, template = TEMPLATE_DIR): boolean {
  const cluster = usableTemplate(template);
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
