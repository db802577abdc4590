import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeAdminContext, openAdminContext, runCli } from '../admin/cli.js';
import { s3TestEnv } from '../blobs/test-env.js';
import { type BlobStore, readBlob } from '../blobs/types.js';
import { loadConfig } from '../config.js';
import type { Queryable } from '../db/client.js';
import { flushLastMessages } from '../messages/last-message.js';
import { api, backend, createPostgresDatabase, registerUser, startServer, type TestServer, type TestUser } from '../test/helper.js';
import { readArchive } from './archive.js';
import { createBackup } from './backup.js';
import { doScheduledBackup } from './schedule.js';
import { ident, listTables } from './tables.js';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Every row of every table as text (UTC), sorted: equal snapshots mean nothing was lost or changed. */
async function snapshotDb(db: Queryable): Promise<Record<string, string[]>> {
  return (db as any).transaction(async (tx: Queryable) => {
    await tx.execute(sql`set local timezone = 'UTC'`);
    const out: Record<string, string[]> = {};
    for (const t of await listTables(tx)) {
      const cols = t.columns.map((c) => `${ident(c.name)}::text`).join(', ');
      const res = (await tx.execute(sql.raw(`select json_build_array(${cols})::text as r from public.${ident(t.name)}`))) as any;
      out[t.name] = res.rows.map((r: { r: string }) => r.r).sort();
    }
    return out;
  });
}

async function snapshotFiles(blobs: BlobStore): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const key of await blobs.list('')) out[key] = sha((await readBlob(blobs, key, 1 << 30)) as Buffer);
  return out;
}

async function sendFile(server: TestServer, user: TestUser, channelId: string, content: string, bytes: Buffer) {
  const form = new FormData();
  form.append('payload_json', JSON.stringify({ content }));
  form.append('files[0]', new Blob([bytes]), 'notes.bin');
  const res = await fetch(`${server.url}/api/v10/channels/${channelId}/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${user.token}` },
    body: form,
  });
  return { status: res.status, body: (await res.json()) as any };
}

/** A target to restore into: a fresh data dir, on PGlite or a fresh PostgreSQL database, files on disk or S3. */
async function target(db: 'pglite' | 'postgres', files: 'disk' | 's3'): Promise<Record<string, string>> {
  const env: Record<string, string> = { DATA_DIR: mkdtempSync(join(tmpdir(), 'rc-restore-')), LOG_LEVEL: 'silent', REGISTRATION: 'open' };
  if (db === 'postgres') env.DATABASE_URL = await createPostgresDatabase();
  if (files === 's3') Object.assign(env, s3TestEnv());
  return env;
}

const otherBackend = backend === 'pglite' ? (process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite') : 'pglite';
const s3 = s3TestEnv() ? 's3' : 'disk';

describe(`backup and restore: ${backend} → ${otherBackend} (files: ${s3}) → ${backend}`, { timeout: 300_000 }, () => {
  let server: TestServer;
  let alice: TestUser;
  let bob: TestUser;
  let channelId: string;
  let messageId: string;
  let fileUrl: string;
  const fileBytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 37) % 251));
  const work = mkdtempSync(join(tmpdir(), 'rc-backup-'));
  const archive = join(work, 'first.tar.gz');
  let dbBefore: Record<string, string[]>;
  let filesBefore: Record<string, string>;
  const cleanup: string[] = [work];

  beforeAll(async () => {
    server = await startServer({ dataDir: mkdtempSync(join(tmpdir(), 'rc-source-')), env: { RATE_LIMIT_DISABLED: '1' } });
    cleanup.push(server.dataDir);
    alice = await registerUser(server);
    bob = await registerUser(server);
    const g = await api(server, 'POST', '/guilds', { token: alice.token, body: { name: 'Backup Club' } });
    channelId = g.body.channels.find((c: { name: string }) => c.name === 'general').id;
    const inv = await api(server, 'POST', `/channels/${channelId}/invites`, { token: alice.token, body: {} });
    await api(server, 'POST', `/invites/${inv.body.code}`, { token: bob.token });
    await api(server, 'POST', `/guilds/${g.body.id}/roles`, { token: alice.token, body: { name: 'friends', color: 0x3366ff } });
    await api(server, 'POST', `/guilds/${g.body.id}/channels`, { token: alice.token, body: { name: 'second' } });
    const m = await api(server, 'POST', `/channels/${channelId}/messages`, {
      token: alice.token,
      body: { content: 'hello from before the backup' },
    });
    messageId = m.body.id;
    await api(server, 'PUT', `/channels/${channelId}/messages/${messageId}/reactions/${encodeURIComponent('👍')}/@me`, {
      token: bob.token,
    });
    await api(server, 'POST', `/channels/${channelId}/messages/${messageId}/ack`, { token: bob.token, body: {} });
    const f = await sendFile(server, bob, channelId, 'a file', fileBytes);
    expect(f.status).toBe(200);
    fileUrl = f.body.attachments[0].url;
    // The backup flushes the written-behind channels.last_message_id; so does the reference copy.
    await flushLastMessages(server.app.ctx.db);
    dbBefore = await snapshotDb(server.app.ctx.db);
    filesBefore = await snapshotFiles(server.app.ctx.blobs);
  });
  afterAll(async () => {
    await server?.close();
    for (const d of cleanup) rmSync(d, { recursive: true, force: true });
  });

  it('npm run backup goes through the running server and writes a manifest with counts and checksums', async () => {
    const r = await runCli(['backup', archive], server.env);
    expect(r, r.out).toMatchObject({ code: 0, via: 'server' });
    const names: string[] = [];
    let manifest: any;
    for await (const e of readArchive(archive)) {
      names.push(e.name);
      if (e.name === 'manifest.json') manifest = JSON.parse(e.body.toString());
    }
    expect(names.at(-1)).toBe('manifest.json');
    expect(manifest).toMatchObject({
      format: 'retrocast-backup',
      source: { driver: backend, files: 'disk' },
      secrets: expect.arrayContaining(['jwt-secret']),
    });
    expect(manifest.migrations).toBeGreaterThan(1);
    for (const t of manifest.tables) expect(t.rows, t.name).toBe(dbBefore[t.name].length);
    expect(Object.keys(manifest.entries).filter((n) => n.startsWith('files/')).length).toBe(Object.keys(filesBefore).length);
    expect(Object.keys(filesBefore).length).toBeGreaterThan(0);
  });

  it('a backup taken while messages with files are sent is consistent', async () => {
    let sending = true;
    let sent = 0;
    const statuses: number[] = [];
    const sender = (async () => {
      while (sending) {
        const r = await sendFile(server, bob, channelId, `during ${sent}`, Buffer.from(`payload ${sent} `.repeat(500)));
        statuses.push(r.status);
        sent++;
      }
    })();
    while (sent < 2) await new Promise((r) => setTimeout(r, 50));
    const during = join(work, 'during.tar.gz');
    const r = await runCli(['backup', during], server.env);
    sending = false;
    await sender;
    expect(r.code, r.out).toBe(0);
    const rows: Record<string, (string | null)[][]> = {};
    const files = new Set<string>();
    let manifest: any;
    for await (const e of readArchive(during)) {
      if (e.name === 'manifest.json') manifest = JSON.parse(e.body.toString());
      else if (e.name.startsWith('files/')) files.add(e.name.slice(6));
      else if (e.name.startsWith('db/') && e.body.length) {
        const t = e.name.split('/')[1];
        rows[t] = [
          ...(rows[t] ?? []),
          ...e.body
            .toString()
            .split('\n')
            .map((l) => JSON.parse(l)),
        ];
      }
    }
    const col = (t: string, c: string) => manifest.tables.find((x: any) => x.name === t).columns.findIndex((x: any) => x.name === c);
    const channels = new Set(rows.channels.map((r) => r[col('channels', 'id')]));
    for (const m of rows.messages) expect(channels.has(m[col('messages', 'channel_id')])).toBe(true);
    const keyAt = col('attachments', 'blob_key');
    expect(rows.attachments.length).toBeGreaterThan(1);
    for (const a of rows.attachments) expect(files.has(a[keyAt] as string), `file of ${a[keyAt]}`).toBe(true);
    expect(sent).toBeGreaterThan(2);
    expect(statuses.every((s) => s === 200)).toBe(true);
  });

  it('scheduled backups keep the newest BACKUP_KEEP', async () => {
    const dir = join(work, 'scheduled');
    mkdirSync(dir);
    for (const n of ['retrocast-20200101-000000.tar.gz', 'retrocast-20200101-000001.tar.gz', 'unrelated.txt'])
      writeFileSync(join(dir, n), 'old');
    const file = await doScheduledBackup(server.app.ctx, dir, 2);
    expect(readdirSync(dir).sort()).toEqual(['retrocast-20200101-000001.tar.gz', basename(file), 'unrelated.txt'].sort());
    expect(basename(file)).toMatch(/^retrocast-\d{8}-\d{6}\.tar\.gz$/);
  });

  it(`restores into ${otherBackend} with files on ${s3}, then back into ${backend}: every row, file and secret, tokens still valid`, async () => {
    await server.close();
    // Leg 1: into the other backend (and MinIO when it is up).
    const env1 = await target(otherBackend, s3 as 'disk' | 's3');
    cleanup.push(env1.DATA_DIR);
    const r1 = await runCli(['restore', archive], env1);
    expect(r1, r1.out).toMatchObject({ code: 0 });
    const ctx1 = await openAdminContext(loadConfig(env1));
    const second = join(work, 'second.tar.gz');
    try {
      expect(await snapshotDb(ctx1.db)).toEqual(dbBefore);
      expect(await snapshotFiles(ctx1.blobs)).toEqual(filesBefore);
      await createBackup(ctx1, second); // server stopped: the CLI's direct path
    } finally {
      await closeAdminContext(ctx1);
    }
    expect(readFileSync(join(env1.DATA_DIR, 'jwt-secret'), 'utf8')).toBe(readFileSync(join(server.dataDir, 'jwt-secret'), 'utf8'));

    // Leg 2: back into this backend, files on disk; then serve from it.
    const env2 = await target(backend, 'disk');
    cleanup.push(env2.DATA_DIR);
    expect((await runCli(['restore', second], env2)).code).toBe(0);
    const ctx2 = await openAdminContext(loadConfig(env2));
    try {
      expect(await snapshotDb(ctx2.db)).toEqual(dbBefore);
      expect(await snapshotFiles(ctx2.blobs)).toEqual(filesBefore);
    } finally {
      await closeAdminContext(ctx2);
    }
    const restored = await startServer({ dataDir: env2.DATA_DIR, env: env2 });
    try {
      const me = await api(restored, 'GET', '/users/@me', { token: alice.token });
      expect(me.status).toBe(200);
      expect(me.body.id).toBe(alice.id);
      expect((await api(restored, 'POST', '/auth/refresh', { body: { refresh_token: bob.refreshToken } })).status).toBe(200);
      const msg = await api(restored, 'GET', `/channels/${channelId}/messages/${messageId}`, { token: bob.token });
      expect(msg.body).toMatchObject({ content: 'hello from before the backup', reactions: [expect.objectContaining({ count: 1 })] });
      // The link signed before the backup still works: the signing key is derived from the restored secret.
      const signed = new URL(fileUrl, server.url);
      const file = await fetch(`${restored.url}${signed.pathname}${signed.search}`);
      expect(file.status).toBe(200);
      expect(sha(Buffer.from(await file.arrayBuffer()))).toBe(sha(fileBytes));
      // The running server holds the target: restore refuses.
      expect((await runCli(['restore', second], env2)).out).toContain('stop it first');
    } finally {
      await restored.close();
    }
    const refused = await runCli(['restore', second], env2);
    expect(refused.code).toBe(1);
    expect(refused.out).toContain('not empty');
    expect((await runCli(['restore', second, '--force'], env2)).code).toBe(0);
  });

  it('refuses a damaged archive before touching anything', async () => {
    const bytes = readFileSync(archive);
    const bad = join(work, 'bad.tar.gz');
    writeFileSync(bad, bytes.subarray(0, bytes.length - 200));
    const env = await target(backend, 'disk');
    cleanup.push(env.DATA_DIR);
    await expect(runCli(['restore', bad], env)).rejects.toThrow();
  });
});
