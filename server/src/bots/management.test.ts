import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectUser, GatewayClient } from '../test/gateway.js';
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

describe('a managed role', { timeout: 120_000 }, () => {
  it('cannot be given, taken or deleted by anyone, the owner included; it goes when the bot leaves', async () => {
    const bot = await newBot(owner);
    expect((await authorize(owner, bot.id, { guild_id: guild.id, permissions: String(SEND) })).status).toBe(200);
    const roles = (await api(server, 'GET', `/guilds/${guild.id}/roles`, { token: owner.token })).body;
    const managed = roles.find((r: { tags?: { bot_id?: string } }) => r.tags?.bot_id === bot.id);
    const base = `/guilds/${guild.id}/members`;
    const give = await api(server, 'PUT', `${base}/${plain.id}/roles/${managed.id}`, { token: owner.token });
    expect(give.status).toBe(403);
    expect(give.body.code).toBe(50013);
    expect((await api(server, 'DELETE', `${base}/${bot.id}/roles/${managed.id}`, { token: owner.token })).body.code).toBe(50013);
    const patchIn = await api(server, 'PATCH', `${base}/${plain.id}`, { token: owner.token, body: { roles: [managed.id] } });
    expect(patchIn.status).toBe(403);
    const patchOut = await api(server, 'PATCH', `${base}/${bot.id}`, { token: owner.token, body: { roles: [] } });
    expect(patchOut.status).toBe(403);
    const del = await api(server, 'DELETE', `/guilds/${guild.id}/roles/${managed.id}`, { token: owner.token });
    expect(del.status).toBe(400);
    expect(del.body.code).toBe(50028);
    // Nothing changed.
    expect((await api(server, 'GET', `${base}/${plain.id}`, { token: owner.token })).body.roles).not.toContain(managed.id);
    expect((await api(server, 'GET', `${base}/${bot.id}`, { token: owner.token })).body.roles).toEqual([managed.id]);
    // Like Discord, its name, colour and permissions may be edited.
    const renamed = await api(server, 'PATCH', `/guilds/${guild.id}/roles/${managed.id}`, {
      token: owner.token,
      body: { color: 0xff0000 },
    });
    expect(renamed.status).toBe(200);

    const gw = await connectUser(server, owner);
    expect((await api(server, 'DELETE', `${base}/${bot.id}`, { token: owner.token })).status).toBe(204);
    const gone = await gw.dispatch('GUILD_ROLE_DELETE', (d) => d.role_id === managed.id);
    expect(gone.d.guild_id).toBe(guild.id);
    const after = (await api(server, 'GET', `/guilds/${guild.id}/roles`, { token: owner.token })).body;
    expect(after.some((r: { id: string }) => r.id === managed.id)).toBe(false);
    expect(gw.schemaErrors).toEqual([]);
    gw.close();
  });
});

describe('revoking a bot', { timeout: 120_000 }, () => {
  async function botSession(token: string) {
    const gw = await GatewayClient.connect(server);
    await gw.identify(`Bot ${token}`, { intents: 1 });
    return gw;
  }

  it("resetting the token closes the old token's gateway sessions with 4004 at once; the new token works", async () => {
    const bot = await newBot(owner);
    const gw = await botSession(bot.token);
    const reset = await api(server, 'POST', `/users/@me/bots/${bot.id}/reset-token`, { token: owner.token });
    expect(reset.status).toBe(200);
    expect(await gw.closed).toMatchObject({ code: 4004 });
    expect((await api(server, 'GET', '/users/@me', { auth: `Bot ${bot.token}` })).status).toBe(401);
    const fresh = await botSession(reset.body.token);
    // A later revocation event (another reset of a different bot, say) leaves the current token's session alone.
    const other = await newBot(owner);
    expect((await api(server, 'POST', `/users/@me/bots/${other.id}/reset-token`, { token: owner.token })).status).toBe(200);
    expect((await api(server, 'GET', '/users/@me', { auth: `Bot ${reset.body.token}` })).status).toBe(200);
    expect(fresh.closeCode).toBeUndefined();
    // RESUME with the old token is refused.
    const again = await GatewayClient.connect(server);
    await again.waitFor((f) => f.op === 10);
    again.send(6, { token: `Bot ${bot.token}`, session_id: gw.sessionId, seq: gw.seq });
    expect(await again.closed).toMatchObject({ code: 4004 });
    fresh.close(1000);
  });

  it('deleting the bot closes its sessions with 4004 at once', async () => {
    const bot = await newBot(owner);
    const gw = await botSession(bot.token);
    expect((await api(server, 'DELETE', `/users/@me/bots/${bot.id}`, { token: owner.token })).status).toBe(204);
    expect(await gw.closed).toMatchObject({ code: 4004 });
    expect((await api(server, 'GET', '/users/@me', { auth: `Bot ${bot.token}` })).status).toBe(401);
  });
});
