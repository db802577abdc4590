import { Permissions } from '@retrocast/protocol';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectUser, quiet } from '../test/gateway.js';
import { type TestServer, type TestUser, api, startServer } from '../test/helper.js';
import {
  type TestGuild,
  addMember,
  createGuild,
  createTextChannel,
  send,
  setEveryonePermissions,
  setOverwrite,
} from '../test/messages-fixtures.js';

const THUMBS = encodeURIComponent('👍');
const HEART = encodeURIComponent('❤️');

describe('reactions', () => {
  let server: TestServer;
  let g: TestGuild;
  let b: TestUser;
  let c: TestUser;
  let customId: string;
  beforeAll(async () => {
    server = await startServer({ env: { RATE_LIMIT_DISABLED: '1' } });
    g = await createGuild(server);
    b = await addMember(server, g.guildId);
    c = await addMember(server, g.guildId);
    const image = `data:image/png;base64,${(
      await sharp({ create: { width: 32, height: 32, channels: 4, background: 'gold' } })
        .png()
        .toBuffer()
    ).toString('base64')}`;
    customId = (await api(server, 'POST', `/guilds/${g.guildId}/emojis`, { token: g.owner.token, body: { name: 'gold', image } })).body.id;
  });
  afterAll(() => server?.close());
  const path = (m: { id: string }, emoji: string, rest = '') => `/channels/${g.channelId}/messages/${m.id}/reactions/${emoji}${rest}`;
  const react = (u: TestUser, m: { id: string }, emoji: string) => api(server, 'PUT', path(m, emoji, '/@me'), { token: u.token });

  it('counts and `me` are right for three users, in history and one message', async () => {
    const m = (await send(server, g.owner, g.channelId, { content: 'react to me' })).body;
    for (const u of [g.owner, b, c]) expect((await react(u, m, THUMBS)).status).toBe(204);
    expect((await react(b, m, THUMBS)).status).toBe(204); // twice is once
    expect((await react(b, m, `gold:${customId}`)).status).toBe(204);
    expect((await react(c, m, HEART)).status).toBe(204);
    const seen = async (u: TestUser) =>
      (await api(server, 'GET', `/channels/${g.channelId}/messages/${m.id}`, { token: u.token })).body.reactions;
    // Discord's full reaction object (no super reactions here: burst counts are 0).
    const normal = (count: number, me: boolean, emoji: unknown) => ({
      count,
      count_details: { burst: 0, normal: count },
      me,
      me_burst: false,
      burst_colors: [],
      emoji,
    });
    expect(await seen(g.owner)).toEqual([
      normal(3, true, { id: null, name: '👍' }),
      normal(1, false, { id: customId, name: 'gold' }),
      normal(1, false, { id: null, name: '❤️' }),
    ]);
    expect((await seen(b)).map((r: { me: boolean }) => r.me)).toEqual([true, true, false]);
    expect((await seen(c)).map((r: { me: boolean }) => r.me)).toEqual([true, false, true]);
    const history = await api(server, 'GET', `/channels/${g.channelId}/messages?limit=5`, { token: c.token });
    expect(history.body.find((x: { id: string }) => x.id === m.id).reactions[0]).toEqual(normal(3, true, { id: null, name: '👍' }));

    const users = await api(server, 'GET', path(m, THUMBS), { token: c.token });
    expect(users.body.map((u: { id: string }) => u.id).sort()).toEqual([g.owner.id, b.id, c.id].sort());
    expect((await api(server, 'GET', `${path(m, THUMBS)}?limit=1`, { token: c.token })).body).toHaveLength(1);

    expect((await api(server, 'DELETE', path(m, THUMBS, '/@me'), { token: b.token })).status).toBe(204);
    expect((await seen(b))[0]).toEqual(normal(2, false, { id: null, name: '👍' }));
  });

  it('dispatches reach the channel viewers only', async () => {
    const { VIEW_CHANNEL } = Permissions;
    const hidden = await createTextChannel(server, g.guildId, 'hidden');
    await setOverwrite(server, hidden, g.guildId, 0, 0n, VIEW_CHANNEL);
    await setOverwrite(server, hidden, b.id, 1, VIEW_CHANNEL, 0n);
    const m = (await send(server, g.owner, hidden, { content: 'secret' })).body;
    const [gwOwner, gwB, gwC] = await Promise.all([g.owner, b, c].map((u) => connectUser(server, u)));
    expect((await api(server, 'PUT', `/channels/${hidden}/messages/${m.id}/reactions/${THUMBS}/@me`, { token: b.token })).status).toBe(204);
    const add = await gwOwner.dispatch('MESSAGE_REACTION_ADD');
    expect(add.d).toEqual({
      user_id: b.id,
      channel_id: hidden,
      message_id: m.id,
      guild_id: g.guildId,
      emoji: { id: null, name: '👍' },
      message_author_id: g.owner.id,
      burst: false,
      burst_colors: [],
      type: 0,
    });
    await gwB.dispatch('MESSAGE_REACTION_ADD');
    expect((await api(server, 'DELETE', `/channels/${hidden}/messages/${m.id}/reactions/${THUMBS}/@me`, { token: b.token })).status).toBe(
      204,
    );
    await gwOwner.dispatch('MESSAGE_REACTION_REMOVE', (d) => d.user_id === b.id);
    expect((await api(server, 'PUT', `/channels/${hidden}/messages/${m.id}/reactions/${THUMBS}/@me`, { token: c.token })).status).toBe(404);
    await quiet(300);
    expect(gwC.dispatches().filter((f) => f.t?.startsWith('MESSAGE_REACTION'))).toEqual([]);
    for (const gw of [gwOwner, gwB, gwC]) {
      expect(gw.schemaErrors).toEqual([]);
      gw.close();
    }
  });

  it('ADD_REACTIONS for a new emoji only; MANAGE_MESSAGES to clear; REMOVE_ALL and REMOVE_EMOJI events', async () => {
    const m = (await send(server, g.owner, g.channelId, { content: 'moderate me' })).body;
    expect((await react(g.owner, m, THUMBS)).status).toBe(204);
    const { VIEW_CHANNEL, SEND_MESSAGES, READ_MESSAGE_HISTORY } = Permissions;
    await setEveryonePermissions(server, g.guildId, VIEW_CHANNEL | SEND_MESSAGES | READ_MESSAGE_HISTORY);
    try {
      expect((await react(b, m, HEART)).status).toBe(403);
      expect((await react(b, m, THUMBS)).status).toBe(204);
      expect((await api(server, 'DELETE', path(m, THUMBS, `/${g.owner.id}`), { token: b.token })).status).toBe(403);
      expect((await api(server, 'DELETE', path(m, THUMBS), { token: b.token })).status).toBe(403);
      expect((await api(server, 'DELETE', `/channels/${g.channelId}/messages/${m.id}/reactions`, { token: b.token })).status).toBe(403);
    } finally {
      await setEveryonePermissions(
        server,
        g.guildId,
        Permissions.VIEW_CHANNEL | SEND_MESSAGES | READ_MESSAGE_HISTORY | Permissions.ADD_REACTIONS,
      );
    }
    const gw = await connectUser(server, c);
    expect((await react(c, m, HEART)).status).toBe(204);
    expect((await api(server, 'DELETE', path(m, THUMBS, `/${b.id}`), { token: g.owner.token })).status).toBe(204);
    await gw.dispatch('MESSAGE_REACTION_REMOVE', (d) => d.user_id === b.id);
    expect((await api(server, 'DELETE', path(m, THUMBS), { token: g.owner.token })).status).toBe(204);
    const byEmoji = await gw.dispatch('MESSAGE_REACTION_REMOVE_EMOJI');
    expect(byEmoji.d.emoji).toEqual({ id: null, name: '👍' });
    expect((await api(server, 'DELETE', `/channels/${g.channelId}/messages/${m.id}/reactions`, { token: g.owner.token })).status).toBe(204);
    expect((await gw.dispatch('MESSAGE_REACTION_REMOVE_ALL')).d).toEqual({
      channel_id: g.channelId,
      message_id: m.id,
      guild_id: g.guildId,
    });
    expect((await api(server, 'GET', `/channels/${g.channelId}/messages/${m.id}`, { token: c.token })).body.reactions).toBeUndefined();
    expect(gw.schemaErrors).toEqual([]);
    gw.close();
  });

  it('unknown emoji → 10014; 21st emoji → 30010; unknown message → 10008', async () => {
    const m = (await send(server, g.owner, g.channelId, { content: 'emoji soup' })).body;
    for (const bad of ['nope', encodeURIComponent('a b'), 'fake:123', '1', encodeURIComponent('<script>')]) {
      const r = await react(b, m, bad);
      expect(r.status, bad).toBe(404);
      expect(r.body.code).toBe(10014);
    }
    const soup = ['😀', '😁', '😂', '🤣', '😃', '😄', '😅', '😆', '😉', '😊', '😋', '😎', '😍', '😘', '🥰', '😗', '😙', '🥲', '😚', '🙂'];
    for (const e of soup) expect((await react(b, m, encodeURIComponent(e))).status).toBe(204);
    const over = await react(b, m, encodeURIComponent('🤗'));
    expect(over.status).toBe(400);
    expect(over.body.code).toBe(30010);
    expect((await react(b, { id: '123' }, THUMBS)).body.code).toBe(10008);
  });
});
