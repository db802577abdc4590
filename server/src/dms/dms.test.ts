import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadReadStates } from '../read-states/store.js';
import { expectValidDispatches } from '../test/guild-fixtures.js';
import { api, registerUser, startServer, type TestServer, type TestUser } from '../test/helper.js';
import { recordEvents, send } from '../test/messages-fixtures.js';

let server: TestServer;
let alice: TestUser;
let bob: TestUser;
beforeAll(async () => {
  server = await startServer({ env: { RATE_LIMIT_DISABLED: '1' } });
  alice = await registerUser(server);
  bob = await registerUser(server);
});
afterAll(() => server?.close());

const openDm = (from: TestUser, to: string) =>
  api(server, 'POST', '/users/@me/channels', { token: from.token, body: { recipient_id: to } });

describe('DM channels', () => {
  it('opens one DM per pair (concurrently too), announced to both with CHANNEL_CREATE', async () => {
    const carol = await registerUser(server);
    const rec = recordEvents(server);
    const results = await Promise.all([openDm(alice, carol.id), openDm(carol, alice.id), openDm(alice, carol.id)]);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    expect(results[0].body).toMatchObject({ type: 1, last_message_id: null, recipients: [{ id: carol.id, username: carol.username }] });
    expect(results[1].body.recipients[0].id).toBe(alice.id);
    await rec.waitFor(() => rec.of('CHANNEL_CREATE').length >= 2);
    await new Promise((r) => setTimeout(r, 100));
    const created = rec.of('CHANNEL_CREATE');
    expect(created).toHaveLength(2);
    expect(created.map((e) => e.user_ids?.[0]).sort()).toEqual([alice.id, carol.id].sort());
    expectValidDispatches(rec.events);
    rec.stop();
    const list = await api(server, 'GET', '/users/@me/channels', { token: carol.token });
    expect(list.body.map((c: { id: string }) => c.id)).toEqual([results[0].body.id]);
  });

  it('messages work between the two participants only; mentions count', async () => {
    const dm = (await openDm(alice, bob.id)).body;
    const eve = await registerUser(server);
    const msg = await send(server, alice, dm.id, { content: `hi <@${bob.id}>` });
    expect(msg.status).toBe(200);
    expect(msg.body).not.toHaveProperty('guild_id');
    expect(msg.body.mentions.map((u: { id: string }) => u.id)).toEqual([bob.id]);
    const history = await api(server, 'GET', `/channels/${dm.id}/messages`, { token: bob.token });
    expect(history.body.map((m: { id: string }) => m.id)).toEqual([msg.body.id]);
    expect((await loadReadStates(server.app.ctx.db, bob.id)).find((r) => r.id === dm.id)?.mention_count).toBe(1);
    expect((await api(server, 'GET', `/channels/${dm.id}/messages`, { token: eve.token })).body.code).toBe(10003);
    expect((await send(server, eve, dm.id, { content: 'intrude' })).body.code).toBe(10003);
    expect((await api(server, 'GET', '/users/@me/channels', { token: bob.token })).body[0]).toMatchObject({
      id: dm.id,
      last_message_id: msg.body.id,
    });
    // Either participant may pin; only the author may delete.
    expect((await api(server, 'PUT', `/channels/${dm.id}/pins/${msg.body.id}`, { token: bob.token })).status).toBe(204);
    expect((await api(server, 'DELETE', `/channels/${dm.id}/messages/${msg.body.id}`, { token: bob.token })).status).toBe(403);
    expect((await api(server, 'DELETE', `/channels/${dm.id}/messages/${msg.body.id}`, { token: alice.token })).status).toBe(204);
  });

  it('rejects yourself, unknown users and bad ids', async () => {
    expect((await openDm(alice, alice.id)).status).toBe(400);
    expect((await openDm(alice, '123')).body.code).toBe(10013);
    expect((await openDm(alice, '99999999999999999999')).body.code).toBe(50035);
    expect((await openDm(alice, 'abc')).status).toBe(400);
    // A numeric snowflake is read as an id (discord.py sends them): user 5 does not exist.
    expect((await api(server, 'POST', '/users/@me/channels', { token: alice.token, body: { recipient_id: 5 } })).body.code).toBe(10013);
    expect((await api(server, 'POST', '/users/@me/channels', { body: { recipient_id: bob.id } })).status).toBe(401);
  });
});
