import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectUser } from '../test/gateway.js';
import { createGuild, createRole, join, type TestGuild } from '../test/guild-fixtures.js';
import { api, registerUser, startServer, type TestServer, type TestUser, uniqueName } from '../test/helper.js';

let server: TestServer;
let owner: TestUser;
let mod: TestUser;
let plain: TestUser;
let guild: TestGuild;

const MANAGE_GUILD = 1n << 5n;
const SEND = 1n << 11n;
const BAN = 1n << 2n;

beforeAll(async () => {
  server = await startServer();
  owner = await registerUser(server);
  mod = await registerUser(server);
  plain = await registerUser(server);
  guild = await createGuild(server, owner);
  await join(server, guild, mod, plain);
  const role = await createRole(server, owner.token, guild.id, { name: 'mods', permissions: String(MANAGE_GUILD | SEND | (1n << 10n)) });
  expect((await api(server, 'PUT', `/guilds/${guild.id}/members/${mod.id}/roles/${role.id}`, { token: owner.token })).status).toBe(204);
}, 180_000);
afterAll(() => server?.close());

async function newBot(by: TestUser) {
  const res = await api(server, 'POST', '/users/@me/bots', { token: by.token, body: { username: uniqueName('bot') } });
  expect(res.status).toBe(201);
  return { id: res.body.user.id as string, token: res.body.token as string };
}
const authorize = (who: TestUser, botId: string, body: Record<string, unknown>) =>
  api(server, 'POST', `/oauth2/authorize?client_id=${botId}&scope=bot`, { token: who.token, body });

describe('bot management', { timeout: 120_000 }, () => {
  it("lists, renames, resets the token of and deletes only one's own bots", async () => {
    const bot = await newBot(owner);
    const list = await api(server, 'GET', '/users/@me/bots', { token: owner.token });
    expect(list.body).toEqual([expect.objectContaining({ application_id: bot.id, guild_count: 0 })]);
    expect((await api(server, 'GET', '/users/@me/bots', { token: plain.token })).body).toEqual([]);
    for (const [method, path] of [
      ['PATCH', `/users/@me/bots/${bot.id}`],
      ['POST', `/users/@me/bots/${bot.id}/reset-token`],
      ['DELETE', `/users/@me/bots/${bot.id}`],
    ]) {
      const res = await api(server, method, path, { token: plain.token, body: method === 'PATCH' ? { username: 'stolen' } : undefined });
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    expect((await api(server, 'GET', '/users/@me/bots', { auth: `Bot ${bot.token}` })).status).toBe(403);
    const renamed = await api(server, 'PATCH', `/users/@me/bots/${bot.id}`, {
      token: owner.token,
      body: { username: uniqueName('renamed') },
    });
    expect(renamed.status).toBe(200);
    const reset = await api(server, 'POST', `/users/@me/bots/${bot.id}/reset-token`, { token: owner.token });
    expect(reset.body.token).not.toBe(bot.token);
    expect((await api(server, 'GET', '/users/@me', { auth: `Bot ${bot.token}` })).status).toBe(401);
    expect((await api(server, 'GET', '/users/@me', { auth: `Bot ${reset.body.token}` })).status).toBe(200);
    await authorize(owner, bot.id, { guild_id: guild.id, permissions: String(SEND) });
    const gw = await connectUser(server, plain);
    expect((await api(server, 'DELETE', `/users/@me/bots/${bot.id}`, { token: owner.token })).status).toBe(204);
    await gw.dispatch('GUILD_MEMBER_REMOVE', (d) => d.user.id === bot.id);
    expect((await api(server, 'GET', '/users/@me', { auth: `Bot ${reset.body.token}` })).status).toBe(401);
    const roles = await api(server, 'GET', `/guilds/${guild.id}/roles`, { token: owner.token });
    expect(roles.body.some((r: { tags?: { bot_id?: string } }) => r.tags?.bot_id === bot.id)).toBe(false);
    gw.close();
  });
});

describe('OAuth2 authorize', { timeout: 120_000 }, () => {
  it('shows the servers where the caller has MANAGE_GUILD and the requested permissions', async () => {
    const bot = await newBot(plain);
    const info = await api(server, 'GET', `/oauth2/authorize?client_id=${bot.id}&scope=bot&permissions=${SEND}`, { token: mod.token });
    expect(info.status).toBe(200);
    expect(info.body.application).toMatchObject({ id: bot.id });
    expect(info.body.guilds).toEqual([expect.objectContaining({ id: guild.id, bot_member: false })]);
    expect(info.body.permissions).toBe(String(SEND));
    const none = await api(server, 'GET', `/oauth2/authorize?client_id=${bot.id}&scope=bot`, { token: plain.token });
    expect(none.body.guilds).toEqual([]);
    expect((await api(server, 'GET', `/oauth2/authorize?client_id=${plain.id}&scope=bot`, { token: mod.token })).status).toBe(404);
    expect((await api(server, 'GET', `/oauth2/authorize?client_id=${bot.id}&scope=identify`, { token: mod.token })).status).toBe(400);
  });

  it('adds the bot with a managed role; refuses without MANAGE_GUILD or with permissions the adder lacks', async () => {
    const bot = await newBot(plain);
    const gw = await connectUser(server, plain);
    expect((await authorize(plain, bot.id, { guild_id: guild.id, permissions: String(SEND) })).status).toBe(403);
    const tooMuch = await authorize(mod, bot.id, { guild_id: guild.id, permissions: String(SEND | BAN) });
    expect(tooMuch.status).toBe(403);
    expect((await api(server, 'GET', `/guilds/${guild.id}/members/${bot.id}`, { token: owner.token })).status).toBe(404);
    const ok = await authorize(mod, bot.id, { guild_id: guild.id, permissions: String(SEND) });
    expect(ok.status).toBe(200);
    expect(ok.body.new_member).toBe(true);
    const join = await gw.dispatch('GUILD_MEMBER_ADD', (d) => d.user.id === bot.id);
    const role = (await api(server, 'GET', `/guilds/${guild.id}/roles`, { token: owner.token })).body.find(
      (r: { tags?: { bot_id?: string } }) => r.tags?.bot_id === bot.id,
    );
    expect(role).toMatchObject({ managed: true, permissions: String(SEND) });
    expect(join.d.roles).toEqual([role.id]);
    expect((await authorize(mod, bot.id, { guild_id: guild.id })).body.new_member).toBe(false);
    // The owner may grant anything.
    const other = await newBot(plain);
    expect((await authorize(owner, other.id, { guild_id: guild.id, permissions: String(BAN) })).status).toBe(200);
    expect(gw.schemaErrors).toEqual([]);
    gw.close();
  });
});
