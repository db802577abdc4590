import { Permissions } from '@retrocast/protocol';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channels } from '../db/schema.js';
import { insertMessagesBatch } from '../messages/store.js';
import { expectValidDispatches } from '../test/guild-fixtures.js';
import { api, startServer, type TestServer } from '../test/helper.js';
import { addMember, createGuild, createTextChannel, recordEvents, send, setOverwrite, type TestGuild } from '../test/messages-fixtures.js';

let server: TestServer;
let g: TestGuild;
beforeAll(async () => {
  server = await startServer({ env: { RATE_LIMIT_DISABLED: '1' } });
  g = await createGuild(server);
});
afterAll(() => server?.close());

const pinUrl = (channelId: string, messageId: string) => `/channels/${channelId}/pins/${messageId}`;

describe('pins', () => {
  it('PUT pins (MANAGE_MESSAGES), GET lists newest pin first, DELETE unpins; events and last_pin_timestamp follow', async () => {
    const channelId = await createTextChannel(server, g.guildId, 'pins');
    const member = await addMember(server, g.guildId);
    const a = await send(server, member, channelId, { content: 'first' });
    const b = await send(server, member, channelId, { content: 'second' });

    const denied = await api(server, 'PUT', pinUrl(channelId, a.body.id), { token: member.token });
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe(50013);

    const rec = recordEvents(server);
    expect((await api(server, 'PUT', pinUrl(channelId, a.body.id), { token: g.owner.token })).status).toBe(204);
    await new Promise((r) => setTimeout(r, 5));
    expect((await api(server, 'PUT', pinUrl(channelId, b.body.id), { token: g.owner.token })).status).toBe(204);
    expect((await api(server, 'PUT', pinUrl(channelId, b.body.id), { token: g.owner.token })).status).toBe(204); // no-op

    const list = await api(server, 'GET', `/channels/${channelId}/pins`, { token: member.token });
    expect(list.status).toBe(200);
    expect(list.body.map((m: { id: string }) => m.id)).toEqual([b.body.id, a.body.id]);
    expect(list.body[0].pinned).toBe(true);
    const [ch] = await server.app.ctx.db.select().from(channels).where(eq(channels.id, channelId));
    expect(ch.lastPinTimestamp).not.toBeNull();

    await rec.waitFor(() => rec.of('CHANNEL_PINS_UPDATE').length >= 2);
    expect(rec.of('CHANNEL_PINS_UPDATE')).toHaveLength(2);
    expect(rec.of('CHANNEL_PINS_UPDATE')[0]).toMatchObject({
      channel_id: channelId,
      guild_id: g.guildId,
      d: { channel_id: channelId, guild_id: g.guildId },
    });
    expect(rec.of('MESSAGE_UPDATE').map((e) => (e.d as { pinned: boolean }).pinned)).toEqual([true, true]);

    expect((await api(server, 'DELETE', pinUrl(channelId, b.body.id), { token: member.token })).status).toBe(403);
    expect((await api(server, 'DELETE', pinUrl(channelId, b.body.id), { token: g.owner.token })).status).toBe(204);
    const after = await api(server, 'GET', `/channels/${channelId}/pins`, { token: member.token });
    expect(after.body.map((m: { id: string }) => m.id)).toEqual([a.body.id]);
    expect((await api(server, 'GET', `/channels/${channelId}/messages/${b.body.id}`, { token: member.token })).body.pinned).toBe(false);
    expectValidDispatches(rec.events);
    rec.stop();
  });

  it('caps pins at 50 per channel and rejects bad ids', async () => {
    const channelId = await createTextChannel(server, g.guildId, 'many-pins');
    const rows = Array.from({ length: 51 }, (_, i) => ({
      id: server.app.ctx.ids.next(),
      channelId,
      guildId: g.guildId,
      authorId: g.owner.id,
      content: `p${i}`,
    }));
    await insertMessagesBatch(server.app.ctx.db, rows);
    for (const r of rows.slice(0, 50))
      expect((await api(server, 'PUT', pinUrl(channelId, r.id), { token: g.owner.token })).status).toBe(204);
    const full = await api(server, 'PUT', pinUrl(channelId, rows[50].id), { token: g.owner.token });
    expect(full.status).toBe(400);
    expect(full.body.code).toBe(30003);
    expect((await api(server, 'GET', `/channels/${channelId}/pins`, { token: g.owner.token })).body).toHaveLength(50);

    expect((await api(server, 'PUT', pinUrl(channelId, 'abc'), { token: g.owner.token })).status).toBe(400);
    expect((await api(server, 'PUT', pinUrl(channelId, '123'), { token: g.owner.token })).body.code).toBe(10008);
    // A message of another channel is unknown here.
    expect((await api(server, 'PUT', pinUrl(g.channelId, rows[50].id), { token: g.owner.token })).body.code).toBe(10008);
  });

  it('deleting the last pinned message clears last_pin_timestamp with CHANNEL_PINS_UPDATE', async () => {
    const channelId = await createTextChannel(server, g.guildId, 'pin-delete');
    const m = await send(server, g.owner, channelId, { content: 'pin then delete' });
    await api(server, 'PUT', pinUrl(channelId, m.body.id), { token: g.owner.token });
    const rec = recordEvents(server);
    expect((await api(server, 'DELETE', `/channels/${channelId}/messages/${m.body.id}`, { token: g.owner.token })).status).toBe(204);
    await rec.waitFor(() => rec.of('CHANNEL_PINS_UPDATE').length > 0);
    expect(rec.of('CHANNEL_PINS_UPDATE')[0].d).toEqual({ channel_id: channelId, guild_id: g.guildId, last_pin_timestamp: null });
    expectValidDispatches(rec.events);
    rec.stop();
    const [ch] = await server.app.ctx.db.select().from(channels).where(eq(channels.id, channelId));
    expect(ch.lastPinTimestamp).toBeNull();
    expect((await api(server, 'GET', `/channels/${channelId}/pins`, { token: g.owner.token })).body).toEqual([]);
  });

  it('reading pins needs READ_MESSAGE_HISTORY', async () => {
    const member = await addMember(server, g.guildId);
    const channelId = await createTextChannel(server, g.guildId, 'secret-pins');
    await setOverwrite(server, channelId, member.id, 1, 0n, Permissions.READ_MESSAGE_HISTORY);
    expect((await api(server, 'GET', `/channels/${channelId}/pins`, { token: member.token })).body.code).toBe(50013);
  });
});
