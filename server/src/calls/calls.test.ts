import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectUser, type GatewayClient, quiet } from '../test/gateway.js';
import { api, registerUser, startServer, type TestServer, type TestUser } from '../test/helper.js';
import { FAKE_LIVEKIT, grantsOf } from '../test/voice-fixtures.js';
import { voiceOf } from '../voice/runtime.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ env: { ...FAKE_LIVEKIT, RATE_LIMIT_DISABLED: '1', CALL_RING_TIMEOUT_MS: '1500' } });
});
afterAll(() => server?.close());

type Client = GatewayClient & { ready: any };

async function friends(n: number) {
  const users: TestUser[] = [];
  for (let i = 0; i < n; i++) users.push(await registerUser(server));
  for (const u of users.slice(1)) {
    await api(server, 'PUT', `/users/@me/relationships/${u.id}`, { token: users[0].token, body: {} });
    await api(server, 'PUT', `/users/@me/relationships/${users[0].id}`, { token: u.token, body: {} });
  }
  const clients = [] as Client[];
  for (const u of users) clients.push((await connectUser(server, u)) as Client);
  return { users, clients };
}

const join = (c: Client, channelId: string) => c.send(4, { guild_id: null, channel_id: channelId, self_mute: false, self_deaf: false });
const leave = (c: Client) => c.send(4, { guild_id: null, channel_id: null, self_mute: false, self_deaf: false });

describe('DM calls', () => {
  it('op 4 with guild_id null rings the other side, join stops ringing, hang-up ends the call with a duration', async () => {
    const { users, clients } = await friends(2);
    const [a, b] = users;
    const [ca, cb] = clients;
    const dm = (await api(server, 'POST', '/users/@me/channels', { token: a.token, body: { recipient_id: b.id } })).body;
    join(ca, dm.id);
    const vsu = await ca.dispatch('VOICE_SERVER_UPDATE');
    expect(vsu.d).toMatchObject({ guild_id: null, channel_id: dm.id, endpoint: FAKE_LIVEKIT.LIVEKIT_URL });
    expect(grantsOf(vsu.d.token)).toMatchObject({ identity: a.id, room: dm.id, canPublish: true, canSubscribe: true });
    const created = await cb.dispatch('CALL_CREATE');
    expect(created.d).toMatchObject({ channel_id: dm.id, ringing: [b.id] });
    const msg = await cb.dispatch('MESSAGE_CREATE', (d) => d.id === created.d.message_id);
    expect(msg.d).toMatchObject({ type: 3, author: { id: a.id }, call: { participants: [a.id], ended_timestamp: null } });
    expect((await cb.dispatch('VOICE_STATE_UPDATE', (d) => d.user_id === a.id)).d).toMatchObject({ channel_id: dm.id });
    expect((await cb.dispatch('VOICE_STATE_UPDATE')).d.guild_id).toBeUndefined();

    // A session that connects mid-call (a reload) learns of it right after READY, ringing and all.
    const late = (await connectUser(server, b)) as Client;
    const after = late.frames.findIndex((f) => f.t === 'READY');
    const again = await late.waitFor((f) => f.t === 'CALL_CREATE', 5000, after);
    expect(again.d).toMatchObject({ channel_id: dm.id, message_id: created.d.message_id, ringing: [b.id] });
    expect(again.d.voice_states).toMatchObject([{ channel_id: dm.id, user_id: a.id }]);
    late.close(1000);

    join(cb, dm.id);
    await cb.dispatch('VOICE_SERVER_UPDATE');
    expect((await ca.dispatch('CALL_UPDATE')).d).toMatchObject({ channel_id: dm.id, message_id: created.d.message_id, ringing: [] });

    leave(ca);
    await cb.dispatch('VOICE_STATE_UPDATE', (d) => d.user_id === a.id && d.channel_id === null);
    await quiet(300);
    expect(cb.dispatches('CALL_DELETE')).toHaveLength(0); // b is still in the call
    leave(cb);
    expect((await ca.dispatch('CALL_DELETE')).d).toEqual({ channel_id: dm.id });
    const ended = await ca.dispatch('MESSAGE_UPDATE', (d) => d.id === created.d.message_id);
    expect(ended.d.call.participants.sort()).toEqual([a.id, b.id].sort());
    expect(Date.parse(ended.d.call.ended_timestamp)).toBeGreaterThanOrEqual(Date.parse(ended.d.timestamp));
    const history = (await api(server, 'GET', `/channels/${dm.id}/messages`, { token: b.token })).body;
    expect(history[0]).toMatchObject({ id: created.d.message_id, type: 3, call: { ended_timestamp: expect.any(String) } });
    expect(history[0].call.ringing).toBeUndefined();
    expect([...ca.schemaErrors, ...cb.schemaErrors]).toEqual([]);
    for (const c of clients) c.close(1000);
  });

  it('decline (stop-ringing) and the ring timeout stop ringing; an unanswered call is a missed call', async () => {
    const { users, clients } = await friends(3);
    const [a, b, c] = users;
    const [ca, cb, cc] = clients;
    const g = (await api(server, 'POST', '/users/@me/channels', { token: a.token, body: { recipients: [b.id, c.id] } })).body;
    join(ca, g.id);
    const created = await cb.dispatch('CALL_CREATE');
    expect(created.d.ringing.sort()).toEqual([b.id, c.id].sort());
    expect((await api(server, 'POST', `/channels/${g.id}/call/stop-ringing`, { token: b.token })).status).toBe(204);
    expect((await cc.dispatch('CALL_UPDATE')).d.ringing).toEqual([c.id]);
    // Nobody answers: the timeout empties the list.
    const from = cc.frames.length;
    expect((await cc.waitFor((f) => f.t === 'CALL_UPDATE', 10_000, from)).d.ringing).toEqual([]);
    leave(ca);
    const ended = await cb.dispatch('MESSAGE_UPDATE', (d) => d.id === created.d.message_id);
    expect(ended.d.call.participants).toEqual([a.id]);
    await cb.dispatch('CALL_DELETE');
    for (const x of clients) x.close(1000);
  });

  it('non-recipients cannot join, decline or see the call', async () => {
    const { users, clients } = await friends(2);
    const [a, b] = users;
    const outsider = await registerUser(server);
    const co = (await connectUser(server, outsider)) as Client;
    const dm = (await api(server, 'POST', '/users/@me/channels', { token: a.token, body: { recipient_id: b.id } })).body;
    join(co, dm.id);
    await quiet(500);
    expect(co.dispatches('VOICE_SERVER_UPDATE')).toHaveLength(0);
    expect((await api(server, 'POST', `/channels/${dm.id}/voice/join`, { token: outsider.token, body: {} })).body.code).toBe(10003);
    expect((await api(server, 'POST', `/channels/${dm.id}/call/stop-ringing`, { token: outsider.token })).body.code).toBe(10003);
    join(clients[0], dm.id);
    await clients[1].dispatch('CALL_CREATE');
    await quiet(400);
    expect(
      co
        .dispatches()
        .map((f) => f.t)
        .filter((t) => t !== 'READY'),
    ).toEqual([]);
    // A guild channel has no DM call to decline; a guild_id with a DM channel is refused silently.
    leave(clients[0]);
    await clients[1].dispatch('CALL_DELETE');
    for (const x of [...clients, co]) x.close(1000);
  });

  it('a member removed from the group leaves its call at once', async () => {
    const { users, clients } = await friends(3);
    const [a, b, c] = users;
    const [ca, cb, cc] = clients;
    const g = (await api(server, 'POST', '/users/@me/channels', { token: a.token, body: { recipients: [b.id, c.id] } })).body;
    join(ca, g.id);
    await cc.dispatch('CALL_CREATE');
    join(cc, g.id);
    await cc.dispatch('VOICE_SERVER_UPDATE');
    await cb.dispatch('VOICE_STATE_UPDATE', (d) => d.user_id === c.id && d.channel_id === g.id);
    expect((await api(server, 'DELETE', `/channels/${g.id}/recipients/${c.id}`, { token: a.token })).status).toBe(204);
    await cb.dispatch('VOICE_STATE_UPDATE', (d) => d.user_id === c.id && d.channel_id === null);
    expect(await voiceOf(server.app.ctx).store.get(c.id)).toBeNull();
    expect(await voiceOf(server.app.ctx).store.get(a.id)).toMatchObject({ channel_id: g.id });
    leave(ca);
    await cb.dispatch('CALL_DELETE');
    for (const x of clients) x.close(1000);
  });
});
