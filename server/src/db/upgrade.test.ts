import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { ident, listTables } from '../backup/tables.js';
import { api, backend, createPostgresDatabase, startServer } from '../test/helper.js';
import { openDatabase, type Queryable } from './client.js';
import { appliedCount, knownMigrations, migrationsUpTo } from './migrate.js';

const here = dirname(fileURLToPath(import.meta.url));
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A fresh place for a database on this suite's backend. */
async function freshTarget() {
  const dataDir = mkdtempSync(join(tmpdir(), 'rc-upgrade-'));
  dirs.push(dataDir);
  return { dataDir, databaseUrl: backend === 'postgres' ? await createPostgresDatabase() : undefined };
}

async function rowsOf(q: Queryable, tables: string[]) {
  const out: Record<string, string[]> = {};
  for (const t of tables) {
    const res = (await q.execute(sql.raw(`select to_jsonb(x)::text as r from public.${ident(t)} x`))) as unknown as {
      rows: { r: string }[];
    };
    out[t] = res.rows.map((r) => r.r).sort();
  }
  return out;
}

/** Keeps only the columns the old schema had, so new columns (with defaults) don't count as changes. */
function project(rows: Record<string, string[]>, columns: Record<string, string[]>) {
  const out: Record<string, unknown[]> = {};
  for (const [t, list] of Object.entries(rows)) {
    out[t] = list.map((r) => {
      const o = JSON.parse(r);
      return Object.fromEntries(columns[t].map((c) => [c, o[c]]));
    });
  }
  return out;
}

describe('upgrades', { timeout: 180_000 }, () => {
  it('a database made by the first schema migrates to the current one with every row intact', async () => {
    const target = await freshTarget();
    const old = await openDatabase({ ...target, migrationsFolder: migrationsUpTo(1) });
    let before: Record<string, string[]>;
    let oldColumns: Record<string, string[]>;
    try {
      expect(await appliedCount(old.db)).toBe(1);
      for (const stmt of readFileSync(join(here, 'fixtures/schema-0000.sql'), 'utf8')
        .split(/;\s*\n/)
        .filter((s) => s.replace(/--.*$/gm, '').trim())) {
        await old.db.execute(sql.raw(stmt));
      }
      const tables = (await listTables(old.db)).filter((t) => t.columns.length);
      oldColumns = Object.fromEntries(tables.map((t) => [t.name, t.columns.map((c) => c.name)]));
      before = await rowsOf(old.db, Object.keys(oldColumns));
    } finally {
      await old.close();
    }
    expect(before.messages).toHaveLength(2);

    const upgraded = await openDatabase(target);
    try {
      expect(await appliedCount(upgraded.db)).toBe(knownMigrations());
      expect(project(await rowsOf(upgraded.db, Object.keys(oldColumns)), oldColumns)).toEqual(project(before, oldColumns));
    } finally {
      await upgraded.close();
    }

    // And the upgraded database serves: old logins work and history reads back.
    const server = await startServer({ dataDir: target.dataDir, env: target.databaseUrl ? { DATABASE_URL: target.databaseUrl } : {} });
    try {
      const login = await api(server, 'POST', '/auth/login', { body: { username: 'old_bob', password: 'fixture password' } });
      expect(login.status).toBe(200);
      const history = await api(server, 'GET', '/channels/1000000000000012/messages', { token: login.body.access_token });
      expect(history.body.map((m: { content: string }) => m.content)).toEqual(['thanks! 👋', 'welcome, <@1000000000000002>']);
      expect(history.body[1].reactions).toEqual([expect.objectContaining({ count: 1, me: true })]);
    } finally {
      await server.close();
    }
  });

  it('refuses to start on a database a newer Retrocast migrated, with a clear message', async () => {
    const target = await freshTarget();
    const db = await openDatabase(target);
    await db.db.execute(sql`insert into drizzle.__drizzle_migrations (hash, created_at) values ('from-the-future', ${Date.now() + 1e9})`);
    await db.close();
    await expect(openDatabase(target)).rejects.toThrow(
      /schema is newer than this Retrocast \(\d+ migrations applied, this version has \d+\)/,
    );
  });

  it.runIf(backend === 'postgres')('two instances starting at once on an empty database: one migrates, both serve', async () => {
    const url = await createPostgresDatabase();
    // One secret, as instances of one server share it.
    const env = { DATABASE_URL: url, JWT_SECRET: 'shared-secret-of-both-instances' };
    const [a, b] = await Promise.all([startServer({ env }), startServer({ env })]);
    try {
      const user = await api(a, 'POST', '/auth/register', { body: { username: 'both_serve', password: 'correct horse battery' } });
      expect(user.status).toBe(201);
      expect((await api(b, 'GET', '/users/@me', { token: user.body.access_token })).status).toBe(200);
      const db = await openDatabase({ databaseUrl: url, dataDir: a.dataDir });
      expect(await appliedCount(db.db)).toBe(knownMigrations());
      await db.close();
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
