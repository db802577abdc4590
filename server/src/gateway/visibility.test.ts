import { Permissions } from '@retrocast/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectUser, createGuildWith, quiet } from '../test/gateway.js';
import { api, registerUser, startServer, type TestServer, type TestUser } from '../test/helper.js';

let server: TestServer;
let owner: TestUser;
let member: TestUser;
let guildId: string;
let general: string;
let other: string;
const VIEW = Permissions.VIEW_CHANNEL.toString();

beforeAll(async () => {
  server = await startServer({ env: { RATE_LIMIT_DISABLED: '1' } });
  [owner, member] = await Promise.all([registerUser(server), registerUser(server)]);
  const g = await createGuildWith(server, owner, [member]);
  guildId = g.guild.id;
  general = g.general.id;
  const created = await api(server, 'POST', `/guilds/${guildId}/channels`, { token: owner.token, body: { name: 'other', type: 0 } });
  other = created.body.id;
});
afterAll(async () => {
  await server?.close();
});

const say = (channelId: string, content: string) =>
  api(server, 'POST', `/channels/${channelId}/messages`, { token: owner.token, body: { content } });
const typing = (channelId: string) => api(server, 'POST', `/channels/${channelId}/typing`, { token: owner.token });
const overwrite = (channelId: string, body: { allow?: string; deny?: string }) =>
  api(server, 'PUT', `/channels/${channelId}/permissions/${member.id}`, { token: owner.token, body: { type: 1, ...body } });

describe('permission-filtered fan-out', () => {
  it('a member denied VIEW_CHANNEL gets nothing from that channel until an overwrite grants it', async () => {
    const watcher = await connectUser(server, owner);
    const mc = await connectUser(server, member);
    expect((await overwrite(general, { deny: VIEW })).status).toBe(204);
    await mc.dispatch('CHANNEL_DELETE', (d) => d.id === general);
    const from = mc.frames.length;

    expect((await say(general, 'secret')).status).toBe(200);
    expect((await typing(general)).status).toBe(204);
    await watcher.dispatch('MESSAGE_CREATE', (d) => d.content === 'secret');
    await watcher.dispatch('TYPING_START', (d) => d.channel_id === general);
    await say(other, 'public');
    await mc.dispatch('MESSAGE_CREATE', (d) => d.content === 'public');
    await quiet(100);
    const leaked = mc.frames.slice(from).filter((f) => f.d?.channel_id === general || f.d?.id === general);
    expect(leaked).toEqual([]);

    expect((await overwrite(general, { allow: VIEW })).status).toBe(204);
    const created = await mc.dispatch('CHANNEL_CREATE', (d) => d.id === general);
    expect(created.d.permission_overwrites).toContainEqual({ id: member.id, type: 1, allow: VIEW, deny: '0' });
    await say(general, 'visible again');
    await typing(general);
    await mc.dispatch('MESSAGE_CREATE', (d) => d.content === 'visible again');
    await mc.dispatch('TYPING_START', (d) => d.channel_id === general && d.user_id === owner.id);
    expect(mc.schemaErrors).toEqual([]);
    watcher.close(1000);
    mc.close(1000);
  });

  it('a role that denies VIEW_CHANNEL hides the channel when given and shows it again when taken away', async () => {
    const mc = await connectUser(server, member);
    const role = await api(server, 'POST', `/guilds/${guildId}/roles`, { token: owner.token, body: { name: 'muted' } });
    expect(role.status).toBe(200);
    await api(server, 'PUT', `/channels/${other}/permissions/${role.body.id}`, { token: owner.token, body: { type: 0, deny: VIEW } });
    await quiet(100);
    expect(mc.dispatches('CHANNEL_DELETE')).toEqual([]);
    expect((await api(server, 'PUT', `/guilds/${guildId}/members/${member.id}/roles/${role.body.id}`, { token: owner.token })).status).toBe(
      204,
    );
    await mc.dispatch('CHANNEL_DELETE', (d) => d.id === other);
    await say(other, 'hidden by role');
    await quiet(150);
    expect(mc.dispatches('MESSAGE_CREATE').filter((f) => f.d.channel_id === other)).toEqual([]);
    await api(server, 'DELETE', `/guilds/${guildId}/members/${member.id}/roles/${role.body.id}`, { token: owner.token });
    await mc.dispatch('CHANNEL_CREATE', (d) => d.id === other);
    mc.close(1000);
  });

  it('the remembered recipients of a busy channel follow role changes, overwrites and sessions coming and going', async () => {
    const channel = (await api(server, 'POST', `/guilds/${guildId}/channels`, { token: owner.token, body: { name: 'busy', type: 0 } })).body
      .id;
    const watcher = await connectUser(server, owner);
    const mc = await connectUser(server, member);
    const got = (c: typeof mc, content: string) => c.dispatches('MESSAGE_CREATE').some((f) => f.d.content === content);
    const sayAndWait = async (content: string) => {
      expect((await say(channel, content)).status).toBe(200);
      await watcher.dispatch('MESSAGE_CREATE', (d) => d.content === content);
      await quiet(100);
    };
    await sayAndWait('r1');
    expect(got(mc, 'r1')).toBe(true);
    // A role that hides the channel: an overwrite (reload) the member is not affected by yet…
    const role = await api(server, 'POST', `/guilds/${guildId}/roles`, { token: owner.token, body: { name: 'hide-busy' } });
    await api(server, 'PUT', `/channels/${channel}/permissions/${role.body.id}`, { token: owner.token, body: { type: 0, deny: VIEW } });
    await sayAndWait('r2');
    expect(got(mc, 'r2')).toBe(true);
    // …then given to them (roles changed in place, no reload).
    await api(server, 'PUT', `/guilds/${guildId}/members/${member.id}/roles/${role.body.id}`, { token: owner.token });
    await mc.dispatch('CHANNEL_DELETE', (d) => d.id === channel);
    await sayAndWait('r3');
    expect(got(mc, 'r3')).toBe(false);
    await api(server, 'DELETE', `/guilds/${guildId}/members/${member.id}/roles/${role.body.id}`, { token: owner.token });
    await mc.dispatch('CHANNEL_CREATE', (d) => d.id === channel);
    await sayAndWait('r4');
    expect(got(mc, 'r4')).toBe(true);
    // A session that connects after the list was built gets the next message; a closed one does not hold it up.
    const second = await connectUser(server, member);
    mc.close(1000);
    await sayAndWait('r5');
    expect(got(second, 'r5')).toBe(true);
    expect(second.schemaErrors).toEqual([]);
    watcher.close(1000);
    second.close(1000);
  });

  it('CHANNEL_DELETE reaches everyone who could see the deleted channel, and only them', async () => {
    const mc = await connectUser(server, member);
    const secret = await api(server, 'POST', `/guilds/${guildId}/channels`, {
      token: owner.token,
      body: { name: 'staff', type: 0, permission_overwrites: [{ id: guildId, type: 0, deny: VIEW }] },
    });
    expect(secret.status).toBe(201);
    const open = await api(server, 'POST', `/guilds/${guildId}/channels`, { token: owner.token, body: { name: 'doomed', type: 0 } });
    await mc.dispatch('CHANNEL_CREATE', (d) => d.id === open.body.id);
    await api(server, 'DELETE', `/channels/${open.body.id}`, { token: owner.token });
    await api(server, 'DELETE', `/channels/${secret.body.id}`, { token: owner.token });
    await mc.dispatch('CHANNEL_DELETE', (d) => d.id === open.body.id);
    await quiet(150);
    expect(mc.frames.filter((f) => f.d?.id === secret.body.id)).toEqual([]);
    mc.close(1000);
  });

  it('DM messages reach exactly the two recipients; READY lists the DM', async () => {
    const third = await registerUser(server);
    const mc = await connectUser(server, member);
    const tc = await connectUser(server, third);
    const dm = await api(server, 'POST', '/users/@me/channels', { token: owner.token, body: { recipient_id: member.id } });
    expect(dm.status).toBe(200);
    await mc.dispatch('CHANNEL_CREATE', (d) => d.id === dm.body.id);
    expect((await api(server, 'POST', `/channels/${dm.body.id}/messages`, { token: owner.token, body: { content: 'psst' } })).status).toBe(
      200,
    );
    expect((await api(server, 'POST', `/channels/${dm.body.id}/typing`, { token: owner.token })).status).toBe(204);
    await mc.dispatch('MESSAGE_CREATE', (d) => d.content === 'psst');
    await mc.dispatch('TYPING_START', (d) => d.channel_id === dm.body.id);
    await quiet(150);
    expect(tc.frames.filter((f) => f.d?.channel_id === dm.body.id || f.d?.id === dm.body.id)).toEqual([]);
    const again = await connectUser(server, member);
    expect(again.ready.private_channels).toContainEqual(
      expect.objectContaining({ id: dm.body.id, type: 1, recipients: [expect.objectContaining({ id: owner.id })] }),
    );
    expect(mc.schemaErrors).toEqual([]);
    for (const c of [mc, tc, again]) c.close(1000);
  });

  it('a user who joins gets GUILD_CREATE; one who is kicked gets GUILD_DELETE and nothing more', async () => {
    const newcomer = await registerUser(server);
    const nc = await connectUser(server, newcomer);
    expect(nc.ready.guilds).toEqual([]);
    await createGuildWith(server, owner, []);
    const inv = await api(server, 'POST', `/channels/${general}/invites`, { token: owner.token, body: {} });
    await api(server, 'POST', `/invites/${inv.body.code}`, { token: newcomer.token });
    const gc = await nc.dispatch('GUILD_CREATE', (d) => d.id === guildId);
    expect(gc.d.members.map((m: { user: { id: string } }) => m.user.id)).toContain(newcomer.id);
    expect(gc.d.channels.map((c: { id: string }) => c.id)).toContain(general);
    await say(general, 'welcome');
    await nc.dispatch('MESSAGE_CREATE', (d) => d.content === 'welcome');

    expect((await api(server, 'DELETE', `/guilds/${guildId}/members/${newcomer.id}`, { token: owner.token })).status).toBe(204);
    await nc.dispatch('GUILD_DELETE', (d) => d.id === guildId);
    const from = nc.frames.length;
    await say(general, 'after kick');
    await typing(general);
    await api(server, 'PATCH', `/guilds/${guildId}`, { token: owner.token, body: { name: 'Renamed' } });
    await quiet(200);
    expect(nc.frames.slice(from).filter((f) => f.op === 0)).toEqual([]);
    expect(nc.schemaErrors).toEqual([]);
    nc.close(1000);
  });
});
