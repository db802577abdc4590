import { Permissions } from '@retrocast/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyMessages, reduceMessages } from '../../../web/src/lib/state/messages.js';
import { connectUser, type GatewayClient, quiet } from '../test/gateway.js';
import { api, startServer, type TestServer, type TestUser } from '../test/helper.js';
import { addMember, createGuild, createTextChannel, send, setOverwrite, type TestGuild } from '../test/messages-fixtures.js';

/** Message events through the real gateway: who receives them, in which shape, and when. */
let server: TestServer;
let g: TestGuild;
let member: TestUser;
let hidden: TestUser;
let channelId: string;
const clients: GatewayClient[] = [];
const connect = async (u: TestUser) => {
  const c = await connectUser(server, u);
  clients.push(c);
  return c;
};

beforeAll(async () => {
  server = await startServer({ env: { RATE_LIMIT_DISABLED: '1' } });
  g = await createGuild(server);
  member = await addMember(server, g.guildId);
  hidden = await addMember(server, g.guildId);
  channelId = await createTextChannel(server, g.guildId, 'gw');
  await setOverwrite(server, channelId, hidden.id, 1, 0n, Permissions.VIEW_CHANNEL);
});
afterAll(async () => {
  for (const c of clients) c.close();
  await server?.close();
});

describe('message dispatches', () => {
  it('MESSAGE_CREATE/UPDATE/DELETE and CHANNEL_PINS_UPDATE reach viewers only, schema-valid, after commit', async () => {
    const [owner, viewer, blind] = await Promise.all([connect(g.owner), connect(member), connect(hidden)]);
    const sent = await send(server, member, channelId, { content: `hi <@${g.owner.id}>`, nonce: 'gw-1' });
    const created = await owner.dispatch('MESSAGE_CREATE', (d) => d.id === sent.body.id);
    expect(created.d).toMatchObject({ content: `hi <@${g.owner.id}>`, guild_id: g.guildId, nonce: 'gw-1', member: { roles: [] } });
    expect(created.d.mentions.map((u: { id: string }) => u.id)).toEqual([g.owner.id]);
    await viewer.dispatch('MESSAGE_CREATE', (d) => d.id === sent.body.id);
    // The row is readable by the time the event arrives.
    expect((await api(server, 'GET', `/channels/${channelId}/messages/${sent.body.id}`, { token: g.owner.token })).status).toBe(200);

    await api(server, 'PATCH', `/channels/${channelId}/messages/${sent.body.id}`, { token: member.token, body: { content: 'edited' } });
    await viewer.dispatch('MESSAGE_UPDATE', (d) => d.id === sent.body.id && d.content === 'edited');
    await api(server, 'PUT', `/channels/${channelId}/pins/${sent.body.id}`, { token: g.owner.token });
    const pins = await viewer.dispatch('CHANNEL_PINS_UPDATE');
    expect(pins.d).toMatchObject({ channel_id: channelId, guild_id: g.guildId });
    await api(server, 'DELETE', `/channels/${channelId}/messages/${sent.body.id}`, { token: member.token });
    const deleted = await owner.dispatch('MESSAGE_DELETE', (d) => d.id === sent.body.id);
    expect(deleted.d).toEqual({ id: sent.body.id, channel_id: channelId, guild_id: g.guildId });

    await quiet(200);
    expect(blind.dispatches().map((f) => f.t)).not.toEqual(expect.arrayContaining(['MESSAGE_CREATE']));
    expect(blind.dispatches().filter((f) => f.t?.startsWith('MESSAGE') || f.t === 'CHANNEL_PINS_UPDATE')).toEqual([]);
    for (const c of [owner, viewer, blind]) expect(c.schemaErrors).toEqual([]);
  });

  it('an ack reaches all of the reader’s sessions and nobody else; READY carries read_state', async () => {
    const ping = await send(server, g.owner, channelId, { content: `<@${member.id}> look` });
    const a = await connect(member);
    expect(a.ready.read_state).toContainEqual({ id: channelId, last_message_id: expect.anything(), mention_count: 1 });
    const b = await connect(member);
    const other = await connect(g.owner);
    await api(server, 'POST', `/channels/${channelId}/messages/${ping.body.id}/ack`, { token: member.token, body: { token: null } });
    for (const c of [a, b]) {
      const ack = await c.dispatch('MESSAGE_ACK');
      expect(ack.d).toEqual({ channel_id: channelId, message_id: ping.body.id, mention_count: 0 });
    }
    await quiet(200);
    expect(other.dispatches('MESSAGE_ACK')).toEqual([]);
    const again = await connect(member);
    expect(again.ready.read_state).toContainEqual({ id: channelId, last_message_id: ping.body.id, mention_count: 0 });
    for (const c of [a, b, other, again]) expect(c.schemaErrors).toEqual([]);
  });

  it('the web messages reducer, fed the dispatches, matches fresh history', async () => {
    const ch = await createTextChannel(server, g.guildId, 'replay');
    const c = await connect(member);
    const seed = await send(server, g.owner, ch, { content: 'seed' });
    const history = await api(server, 'GET', `/channels/${ch}/messages`, { token: member.token });
    let state = reduceMessages(emptyMessages, { t: 'LOCAL_HISTORY', d: { channel_id: ch, messages: history.body, limit: 50 } } as never);

    const a = await send(server, member, ch, { content: 'a', nonce: 'replay-a' });
    const b = await send(server, g.owner, ch, { content: `b <@${member.id}>`, message_reference: { message_id: seed.body.id } });
    const d1 = await send(server, g.owner, ch, { content: 'doomed 1' });
    const d2 = await send(server, g.owner, ch, { content: 'doomed 2' });
    const d3 = await send(server, g.owner, ch, { content: 'doomed 3' });
    await api(server, 'PATCH', `/channels/${ch}/messages/${a.body.id}`, { token: member.token, body: { content: 'a, edited' } });
    await api(server, 'PUT', `/channels/${ch}/pins/${b.body.id}`, { token: g.owner.token });
    await api(server, 'DELETE', `/channels/${ch}/messages/${d1.body.id}`, { token: g.owner.token });
    await api(server, 'POST', `/channels/${ch}/messages/bulk-delete`, {
      token: g.owner.token,
      body: { messages: [d2.body.id, d3.body.id] },
    });
    const last = await send(server, member, ch, { content: 'last' });
    await c.dispatch('MESSAGE_CREATE', (d) => d.id === last.body.id);
    await quiet(150);

    const from = c.frames.findIndex((f) => f.t === 'MESSAGE_CREATE' && f.d.id === a.body.id);
    for (const f of c.frames.slice(from)) if (f.op === 0) state = reduceMessages(state, { t: f.t, d: f.d, s: f.s } as never);
    const fresh = await api(server, 'GET', `/channels/${ch}/messages`, { token: member.token });
    // MESSAGE_CREATE carries the author's member; REST history does not.
    const strip = (m: Record<string, unknown>) => {
      const { member: _m, ...rest } = m;
      return rest;
    };
    expect(state.channels[ch].items.map(strip)).toEqual([...fresh.body].reverse());
    expect(fresh.body.map((m: { content: string }) => m.content)).toEqual(['last', `b <@${member.id}>`, 'a, edited', 'seed']);
    expect(c.schemaErrors).toEqual([]);
  });
});
