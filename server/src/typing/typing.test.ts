import { Permissions } from '@retrocast/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectUser, createGuildWith } from '../test/gateway.js';
import { api, registerUser, startServer, type TestServer, type TestUser } from '../test/helper.js';

let server: TestServer;
let owner: TestUser;
let member: TestUser;
let stranger: TestUser;
let channelId: string;
let guildId: string;

beforeAll(async () => {
  server = await startServer();
  [owner, member, stranger] = await Promise.all([registerUser(server), registerUser(server), registerUser(server)]);
  const g = await createGuildWith(server, owner, [member]);
  channelId = g.general.id;
  guildId = g.guild.id;
});
afterAll(async () => {
  await server?.close();
});

describe('POST /channels/:channelId/typing', () => {
  it('returns 204 and sends TYPING_START with the member to the channel’s viewers', async () => {
    const c = await connectUser(server, owner);
    const before = Math.floor(Date.now() / 1000);
    expect((await api(server, 'POST', `/channels/${channelId}/typing`, { token: member.token })).status).toBe(204);
    const ev = await c.dispatch('TYPING_START');
    expect(ev.d).toMatchObject({ channel_id: channelId, guild_id: guildId, user_id: member.id, member: { user: { id: member.id } } });
    expect(ev.d.timestamp).toBeGreaterThanOrEqual(before);
    expect(c.schemaErrors).toEqual([]);
    c.close(1000);
  });

  it('is 404 Unknown Channel for non-members and unknown channels, 401 without a token', async () => {
    expect((await api(server, 'POST', `/channels/${channelId}/typing`, { token: stranger.token })).body.code).toBe(10003);
    expect((await api(server, 'POST', '/channels/123/typing', { token: member.token })).status).toBe(404);
    expect((await api(server, 'POST', `/channels/${channelId}/typing`)).status).toBe(401);
  });

  it('is 403 Missing Permissions without SEND_MESSAGES', async () => {
    const put = await api(server, 'PUT', `/channels/${channelId}/permissions/${member.id}`, {
      token: owner.token,
      body: { type: 1, deny: Permissions.SEND_MESSAGES.toString() },
    });
    expect(put.status).toBe(204);
    const res = await api(server, 'POST', `/channels/${channelId}/typing`, { token: member.token });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe(50013);
  });
});
