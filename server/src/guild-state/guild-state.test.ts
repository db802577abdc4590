import { Permissions as P } from '@retrocast/protocol';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channels } from '../db/schema.js';
import { loadChannelAccess, loadChannelAccessFromDb, loadGuildAccess, loadGuildAccessFromDb } from '../permissions/access.js';
import { createGuild, createRole, join, type TestGuild } from '../test/guild-fixtures.js';
import { api, registerUser, startServer, type TestServer, type TestUser } from '../test/helper.js';
import { guildStateCacheOf } from './cache.js';

let server: TestServer;
let owner: TestUser;
let a: TestUser;
let b: TestUser;
let c: TestUser;
let g: TestGuild;

beforeAll(async () => {
  server = await startServer();
  [owner, a, b, c] = await Promise.all(Array.from({ length: 4 }, () => registerUser(server)));
  g = await createGuild(server, owner, 'Cache');
  await join(server, g, a, b, c);
});
afterAll(() => server?.close());

const ok = (r: { status: number; body: unknown }, status = [200, 201, 204]) => expect(status, JSON.stringify(r.body)).toContain(r.status);

/**
 * For every user and every channel of the guild: the cached answer (what REST decides with) equals
 * a fresh load from the database. Called right after each mutation's response, without waiting
 * for the bus, and again before the next one so the cache is warm when the mutation happens.
 */
async function expectCacheAgrees(step: string) {
  const { db } = server.app.ctx;
  expect(guildStateCacheOf(db), 'the app installed a cache for its database').toBeDefined();
  const ids = (await db.select({ id: channels.id }).from(channels).where(eq(channels.guildId, g.id))).map((r) => r.id);
  for (const u of [owner, a, b, c]) {
    const cached = await loadGuildAccess(db, g.id, u.id);
    const fresh = await loadGuildAccessFromDb(db, g.id, u.id);
    expect(cached?.permissions, `${step}: guild permissions of ${u.username}`).toBe(fresh?.permissions);
    expect(cached?.guild.ownerId, `${step}: owner`).toBe(fresh?.guild.ownerId);
    for (const id of ids) {
      const cc = await loadChannelAccess(db, id, u.id);
      const fc = await loadChannelAccessFromDb(db, id, u.id);
      expect(cc?.permissions, `${step}: ${u.username} in channel ${id}`).toBe(fc?.permissions);
      expect(cc?.channel.parentId, `${step}: parent of ${id}`).toBe(fc?.channel.parentId);
      expect(cc?.channel.rateLimitPerUser, `${step}: slowmode of ${id}`).toBe(fc?.channel.rateLimitPerUser);
    }
  }
}

/** Runs a mutation between two agreement checks. */
async function step(name: string, mutate: () => Promise<void>) {
  await expectCacheAgrees(`before ${name}`);
  await mutate();
  await expectCacheAgrees(`after ${name}`);
}

describe('guild state cache', () => {
  it('never grants what the database would deny, through role, channel, member and guild changes', async () => {
    const t = owner.token;
    const role = await createRole(server, t, g.id, { name: 'seer', permissions: (P.VIEW_CHANNEL | P.SEND_MESSAGES).toString() });
    let secret = '';
    await step('assign role', async () => ok(await api(server, 'PUT', `/guilds/${g.id}/members/${a.id}/roles/${role.id}`, { token: t })));
    await step('private channel', async () => {
      const r = await api(server, 'POST', `/guilds/${g.id}/channels`, {
        token: t,
        body: {
          name: 'secret',
          type: 0,
          parent_id: g.textCategoryId,
          permission_overwrites: [
            { id: g.id, type: 0, allow: '0', deny: P.VIEW_CHANNEL.toString() },
            { id: role.id, type: 0, allow: P.VIEW_CHANNEL.toString(), deny: '0' },
          ],
        },
      });
      ok(r);
      secret = r.body.id;
    });
    await step('member overwrite', async () =>
      ok(
        await api(server, 'PUT', `/channels/${secret}/permissions/${c.id}`, {
          token: t,
          body: { type: 1, allow: P.VIEW_CHANNEL.toString(), deny: '0' },
        }),
      ),
    );
    await step('deny everyone on general', async () =>
      ok(
        await api(server, 'PUT', `/channels/${g.generalId}/permissions/${g.id}`, {
          token: t,
          body: { type: 0, allow: '0', deny: P.SEND_MESSAGES.toString() },
        }),
      ),
    );
    await step('role loses VIEW_CHANNEL', async () =>
      ok(await api(server, 'PATCH', `/guilds/${g.id}/roles/${role.id}`, { token: t, body: { permissions: P.SEND_MESSAGES.toString() } })),
    );
    await step('@everyone loses VIEW_CHANNEL', async () =>
      ok(await api(server, 'PATCH', `/guilds/${g.id}/roles/${g.id}`, { token: t, body: { permissions: '0' } })),
    );
    await step('@everyone regains it', async () =>
      ok(
        await api(server, 'PATCH', `/guilds/${g.id}/roles/${g.id}`, {
          token: t,
          body: { permissions: (P.VIEW_CHANNEL | P.SEND_MESSAGES | P.READ_MESSAGE_HISTORY).toString() },
        }),
      ),
    );
    await step('member roles replaced', async () =>
      ok(await api(server, 'PATCH', `/guilds/${g.id}/members/${b.id}`, { token: t, body: { roles: [role.id] } })),
    );
    await step('role removed from member', async () =>
      ok(await api(server, 'DELETE', `/guilds/${g.id}/members/${a.id}/roles/${role.id}`, { token: t })),
    );
    await step('admin role', async () => {
      const admin = await createRole(server, t, g.id, { name: 'admin', permissions: P.ADMINISTRATOR.toString() });
      ok(await api(server, 'PUT', `/guilds/${g.id}/members/${c.id}/roles/${admin.id}`, { token: t }));
      await expectCacheAgrees('admin granted');
      ok(await api(server, 'DELETE', `/guilds/${g.id}/roles/${admin.id}`, { token: t }));
    });
    await step('overwrite deleted', async () => ok(await api(server, 'DELETE', `/channels/${secret}/permissions/${c.id}`, { token: t })));
    await step('slowmode and move out of the category', async () =>
      ok(await api(server, 'PATCH', `/channels/${secret}`, { token: t, body: { rate_limit_per_user: 30, parent_id: null } })),
    );
    await step('category overwrite synced to a child', async () => {
      ok(
        await api(server, 'PUT', `/channels/${g.textCategoryId}/permissions/${role.id}`, {
          token: t,
          body: { type: 0, allow: '0', deny: P.SEND_MESSAGES.toString() },
        }),
      );
      ok(await api(server, 'PATCH', `/channels/${secret}`, { token: t, body: { parent_id: g.textCategoryId, lock_permissions: true } }));
    });
    await step('kick', async () => ok(await api(server, 'DELETE', `/guilds/${g.id}/members/${c.id}`, { token: t })));
    await step('rejoin', async () => join(server, g, c));
    await step('ban', async () => ok(await api(server, 'PUT', `/guilds/${g.id}/bans/${b.id}`, { token: t, body: {} })));
    await step('ownership transferred', async () =>
      ok(await api(server, 'PATCH', `/guilds/${g.id}`, { token: t, body: { owner_id: a.id } })),
    );
    await step('old owner leaves', async () => ok(await api(server, 'DELETE', `/users/@me/guilds/${g.id}`, { token: t })));
    await step('role deleted', async () => ok(await api(server, 'DELETE', `/guilds/${g.id}/roles/${role.id}`, { token: a.token })));
    await step('channel deleted', async () => ok(await api(server, 'DELETE', `/channels/${secret}`, { token: a.token })));
    await step('guild deleted', async () => ok(await api(server, 'DELETE', `/guilds/${g.id}`, { token: a.token })));
    expect(await loadGuildAccess(server.app.ctx.db, g.id, a.id)).toBeNull();
  }, 300_000);

  it('a revoked permission is refused by the very next request', async () => {
    const g2 = await createGuild(server, owner, 'Revoke');
    await join(server, g2, c);
    const send = () => api(server, 'POST', `/channels/${g2.generalId}/messages`, { token: c.token, body: { content: 'hi' } });
    expect((await send()).status).toBe(200);
    ok(
      await api(server, 'PUT', `/channels/${g2.generalId}/permissions/${c.id}`, {
        token: owner.token,
        body: { type: 1, allow: '0', deny: P.SEND_MESSAGES.toString() },
      }),
    );
    expect((await send()).status).toBe(403);
    ok(await api(server, 'DELETE', `/guilds/${g2.id}/members/${c.id}`, { token: owner.token }));
    expect((await send()).status).toBe(404);
  });
});
