import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { backend } from '../test/helper.js';
import { openDatabase } from './client.js';
import { appliedCount, knownMigrations, migrationsUpTo } from './migrate.js';
import { buildTemplate, seedFromTemplate, usableTemplate } from './pglite-template.js';

// PGlite only: the template replaces PGlite's initdb; PostgreSQL never uses it.
describe.skipIf(backend !== 'pglite')('PGlite first-start template', () => {
  const root = mkdtempSync(join(tmpdir(), 'rc-pglite-template-'));
  const template = join(root, 'template');
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('is built once per PGlite version and migration set, and a seeded data dir opens migrated', async () => {
    expect(await buildTemplate(template)).toBe(true);
    expect(usableTemplate(template)).toBe(join(template, 'migrated'));
    // A data dir that must stop at an older schema (restoring an older backup) gets initdb's cluster.
    expect(usableTemplate(template, migrationsUpTo(1))).toBe(join(template, 'db'));
    expect(await buildTemplate(template)).toBe(false);
    expect(readdirSync(root)).toEqual(['template']); // no temp dir left behind
    expect(readdirSync(template).sort()).toEqual(['db', 'migrated', 'migrated-tags', 'pglite-version']);

    const dataDir = join(root, 'data');
    mkdirSync(join(dataDir, 'db'), { recursive: true }); // an empty db dir is seeded too
    expect(seedFromTemplate(join(dataDir, 'db'), template)).toBe(true);
    expect(existsSync(join(dataDir, 'db', 'PG_VERSION'))).toBe(true);
    expect(readdirSync(join(dataDir))).toEqual(['db']);
    const database = await openDatabase({ dataDir });
    try {
      expect(await appliedCount(database.db)).toBe(knownMigrations());
      const res = (await database.db.execute(sql`show shared_buffers`)) as unknown as { rows: { shared_buffers: string }[] };
      expect(res.rows[0].shared_buffers).toBe('16MB');
    } finally {
      await database.close();
    }
    // PGLITE_SHARED_BUFFERS reaches PostgreSQL on the next open; nonsense is refused at config load.
    const again = await openDatabase({ dataDir, pgliteSharedBuffers: '32MB' });
    try {
      const res = (await again.db.execute(sql`show shared_buffers`)) as unknown as { rows: { shared_buffers: string }[] };
      expect(res.rows[0].shared_buffers).toBe('32MB');
    } finally {
      await again.close();
    }
    expect(loadConfig({ DATA_DIR: dataDir }).pgliteSharedBuffers).toBe('16MB');
    expect(() => loadConfig({ DATA_DIR: dataDir, PGLITE_SHARED_BUFFERS: 'lots' })).toThrow(/PGLITE_SHARED_BUFFERS/);
  });

  it('a migrated cluster from other migrations is not used, and the next build replaces it', async () => {
    writeFileSync(join(template, 'migrated-tags'), '0000_something_else\n');
    expect(usableTemplate(template)).toBe(join(template, 'db'));
    expect(await buildTemplate(template)).toBe(true);
    expect(usableTemplate(template)).toBe(join(template, 'migrated'));
  });

  it('leaves a data dir alone when it is not empty or the template is from another PGlite', () => {
    const busy = join(root, 'busy');
    mkdirSync(busy);
    writeFileSync(join(busy, 'something'), 'x');
    expect(seedFromTemplate(busy, template)).toBe(false);
    expect(readdirSync(busy)).toEqual(['something']);

    writeFileSync(join(template, 'pglite-version'), '0.0.0\n');
    expect(usableTemplate(template)).toBeUndefined();
    const fresh = join(root, 'fresh');
    expect(seedFromTemplate(fresh, template)).toBe(false);
    expect(existsSync(fresh)).toBe(false);
    expect(usableTemplate(join(root, 'missing'))).toBeUndefined();
  });
});
