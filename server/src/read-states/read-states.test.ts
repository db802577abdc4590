import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyReadStates, reduceReadStates } from '../../../web/src/lib/state/read-states.js';
import { connectUser, type GatewayClient, quiet } from '../test/gateway.js';
import { api, startServer, type TestServer, type TestUser } from '../test/helper.js';
import { addMember, createGuild, createRole, createTextChannel, giveRole, send, type TestGuild } from '../test/messages-fixtures.js';

/**
 * The web client's own read-state reducer, fed the dispatches one user receives, must end where a
 * fresh READY starts: server and client agree on unread state (the verifyDispatch idea).
 */
let server: TestServer;
let g: TestGuild;
let reader: TestUser;
let other: TestUser;
let roleId: string;
const clients: GatewayClient[] = [];
beforeAll(async () => {
  server = await startServer({ env: { RATE_LIMIT_DISABLED: '1' } });
  g = await createGuild(server);
  reader = await addMember(server, g.guildId);
  other = await addMember(server, g.guildId);
  roleId = await createRole(server, g.guildId, { mentionable: true });
  await giveRole(server, g.guildId, reader.id, roleId);
});
afterAll(async () => {
  for (const c of clients) c.close();
  await server?.close();
});

async function connect(u: TestUser) {
  const c = await connectUser(server, u);
  clients.push(c);
  return c;
}

describe('read state: server and web reducer agree', () => {
  it('mentions, own messages and acks from another session replay to the next READY', async () => {
    const second = await createTextChannel(server, g.guildId, 'second');
    const c = await connect(reader);
    const phone = await connect(reader);

    const m1 = await send(server, other, g.channelId, { content: `<@${reader.id}> one` });
    await send(server, other, g.channelId, { content: `<@&${roleId}> two` });
    await send(server, g.owner, second, { content: '@everyone three' });
    await send(server, other, second, { content: 'no ping' });
    await send(server, reader, second, { content: 'I read it all' });
    await send(server, other, second, { content: `<@!${reader.id}> four` });
    await api(server, 'POST', `/channels/${g.channelId}/messages/${m1.body.id}/ack`, { token: reader.token, body: {} });
    const last = await send(server, other, g.channelId, { content: 'latest' });
    await c.dispatch('MESSAGE_CREATE', (d) => d.id === last.body.id);
    await phone.dispatch('MESSAGE_ACK', (d) => d.message_id === m1.body.id);
    await quiet(150);

    let state = emptyReadStates;
    const myRoles = () => [roleId];
    for (const f of c.dispatches()) state = reduceReadStates(state, { t: f.t as string, d: f.d, s: f.s } as never, myRoles);

    const fresh = await connect(reader);
    const expected = Object.fromEntries(fresh.ready.read_state.map((r: { id: string }) => [r.id, r]));
    expect(state.byChannel).toEqual(expected);
    expect(expected[g.channelId]).toEqual({ id: g.channelId, last_message_id: m1.body.id, mention_count: 1 });
    expect(expected[second].mention_count).toBe(1);
    for (const client of [c, phone, fresh]) expect(client.schemaErrors).toEqual([]);
  });
});
