import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectUser, type GatewayClient, quiet } from '../test/gateway.js';
import { api, registerUser, startServer, type TestServer, type TestUser } from '../test/helper.js';
import { verifyDispatch } from '../test/verify-dispatch.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ env: { RATE_LIMIT_DISABLED: '1' } });
});
afterAll(() => server?.close());

type Client = GatewayClient & { ready: any };
const PNG = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

async function befriend(a: TestUser, b: TestUser) {
  await api(server, 'PUT', `/users/@me/relationships/${b.id}`, { token: a.token, body: {} });
  await api(server, 'PUT', `/users/@me/relationships/${a.id}`, { token: b.token, body: {} });
}

/** An owner with `n` friends, all connected to the gateway. */
async function crew(n: number) {
  const owner = await registerUser(server);
  const friends: TestUser[] = [];
  for (let i = 0; i < n; i++) {
    const f = await registerUser(server);
    await befriend(owner, f);
    friends.push(f);
  }
  return { owner, friends };
}

const createGroup = (owner: TestUser, ids: string[], name?: string) =>
  api(server, 'POST', '/users/@me/channels', { token: owner.token, body: { recipients: ids, ...(name ? { name } : {}) } });
const send = (u: TestUser, channelId: string, content: string) =>
  api(server, 'POST', `/channels/${channelId}/messages`, { token: u.token, body: { content } });
const after = (c: Client, from: number, t: string) => c.frames.slice(from).filter((f) => f.t === t);

describe('group DMs', () => {
  it('are created with friends, announced to each member with their own view', async () => {
    const { owner, friends } = await crew(2);
    const [c0, c1] = [(await connectUser(server, owner)) as Client, (await connectUser(server, friends[0])) as Client];
    const res = await createGroup(
      owner,
      friends.map((f) => f.id),
      'Trip',
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ type: 3, name: 'Trip', owner_id: owner.id, icon: null });
    expect(res.body.recipients.map((u: { id: string }) => u.id).sort()).toEqual(friends.map((f) => f.id).sort());
    const seen = (await c1.dispatch('CHANNEL_CREATE', (d) => d.id === res.body.id)).d;
    expect(seen.recipients.map((u: { id: string }) => u.id).sort()).toEqual([owner.id, friends[1].id].sort());
    await c0.dispatch('CHANNEL_CREATE', (d) => d.id === res.body.id);
    const listed = (await api(server, 'GET', '/users/@me/channels', { token: friends[1].token })).body;
    expect(listed.map((c: { id: string }) => c.id)).toEqual([res.body.id]);
    const msg = await send(friends[1], res.body.id, 'hello all');
    expect(msg.status).toBe(200);
    await c0.dispatch('MESSAGE_CREATE', (d) => d.id === msg.body.id);
    await c1.dispatch('MESSAGE_CREATE', (d) => d.id === msg.body.id);
    expect([...c0.schemaErrors, ...c1.schemaErrors]).toEqual([]);
    c0.close(1000);
    c1.close(1000);
  });

  it('refuses non-friends, blocked users and an 11th recipient', async () => {
    const { owner, friends } = await crew(10);
    const stranger = await registerUser(server);
    expect((await createGroup(owner, [friends[0].id, stranger.id])).body).toMatchObject({ code: 50007 });
    // Blocking ends the friendship, so a blocked user is refused too.
    await api(server, 'PUT', `/users/@me/relationships/${owner.id}`, { token: friends[9].token, body: { type: 2 } });
    expect((await createGroup(owner, [friends[0].id, friends[9].id])).body).toMatchObject({ code: 50007 });
    await api(server, 'DELETE', `/users/@me/relationships/${owner.id}`, { token: friends[9].token });
    await befriend(owner, friends[9]);
    expect(
      (
        await createGroup(
          owner,
          friends.map((f) => f.id),
        )
      ).body,
    ).toMatchObject({ code: 30004 });
    expect((await api(server, 'GET', '/users/@me/channels', { token: owner.token })).body).toEqual([]);

    const g = (
      await createGroup(
        owner,
        friends.slice(0, 9).map((f) => f.id),
      )
    ).body;
    expect(g.recipients).toHaveLength(9);
    const put = (by: TestUser, u: TestUser) => api(server, 'PUT', `/channels/${g.id}/recipients/${u.id}`, { token: by.token });
    expect((await put(owner, friends[9])).body).toMatchObject({ code: 30004 });
    // Any member may add, but only their own friends.
    const other = await registerUser(server);
    await befriend(friends[0], other);
    await api(server, 'DELETE', `/channels/${g.id}/recipients/${friends[8].id}`, { token: owner.token });
    expect((await put(owner, other)).body.code).toBe(50007);
    expect((await put(friends[0], other)).status).toBe(204);
    expect((await api(server, 'GET', `/channels/${g.id}`, { token: other.token })).body.recipients).toHaveLength(9);
    expect((await put(owner, friends[9])).body.code).toBe(30004);
    expect((await put(owner, { ...other, id: '123' } as TestUser)).body.code).toBe(10013);
  });

  it('rename and icon change send system messages 4 and 5 and CHANNEL_UPDATE to all', async () => {
    const { owner, friends } = await crew(2);
    const g = (
      await createGroup(
        owner,
        friends.map((f) => f.id),
      )
    ).body;
    const c1 = (await connectUser(server, friends[1])) as Client;
    const from = c1.frames.length;
    const renamed = await api(server, 'PATCH', `/channels/${g.id}`, { token: friends[0].token, body: { name: 'Renamed' } });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ id: g.id, type: 3, name: 'Renamed' });
    expect((await c1.dispatch('CHANNEL_UPDATE', (d) => d.name === 'Renamed')).d.recipients).toHaveLength(2);
    expect((await c1.dispatch('MESSAGE_CREATE', (d) => d.type === 4)).d).toMatchObject({
      content: 'Renamed',
      author: { id: friends[0].id },
    });
    const iconed = await api(server, 'PATCH', `/channels/${g.id}`, { token: owner.token, body: { icon: PNG } });
    expect(iconed.body.icon).toMatch(/^[0-9a-f]{32}$/);
    await c1.dispatch('MESSAGE_CREATE', (d) => d.type === 5);
    const img = await fetch(`${server.url}/channel-icons/${g.id}/${iconed.body.icon}.png`);
    expect(img.status).toBe(200);
    expect(after(c1, from, 'CHANNEL_UPDATE')).toHaveLength(2);
    // Guild-only fields are ignored, not applied; bad icons are refused.
    expect(
      (await api(server, 'PATCH', `/channels/${g.id}`, { token: owner.token, body: { icon: 'data:image/png;base64,xx' } })).status,
    ).toBe(400);
    const history = (await api(server, 'GET', `/channels/${g.id}/messages`, { token: friends[1].token })).body;
    expect(history.map((m: { type: number }) => m.type)).toEqual([5, 4]);
    c1.close(1000);
  });

  it('a removed recipient gets CHANNEL_DELETE and nothing after; the others see the removal', async () => {
    const { owner, friends } = await crew(2);
    const [kept, gone] = friends;
    const g = (
      await createGroup(
        owner,
        friends.map((f) => f.id),
      )
    ).body;
    const ck = (await connectUser(server, kept)) as Client;
    const cg = (await connectUser(server, gone)) as Client;
    // Only the owner removes.
    expect((await api(server, 'DELETE', `/channels/${g.id}/recipients/${gone.id}`, { token: kept.token })).body.code).toBe(50013);
    expect((await api(server, 'DELETE', `/channels/${g.id}/recipients/${gone.id}`, { token: owner.token })).status).toBe(204);
    await cg.dispatch('CHANNEL_DELETE', (d) => d.id === g.id);
    const rm = await ck.dispatch('CHANNEL_RECIPIENT_REMOVE');
    expect(rm.d).toMatchObject({ channel_id: g.id, user: { id: gone.id } });
    expect((await ck.dispatch('MESSAGE_CREATE', (d) => d.type === 2)).d.mentions.map((u: { id: string }) => u.id)).toEqual([gone.id]);
    const from = cg.frames.length;
    const msg = await send(owner, g.id, 'secret');
    await api(server, 'POST', `/channels/${g.id}/typing`, { token: owner.token });
    await ck.dispatch('MESSAGE_CREATE', (d) => d.id === msg.body.id);
    await quiet(400);
    expect(
      cg.frames
        .slice(from)
        .filter((f) => f.op === 0)
        .map((f) => f.t),
    ).toEqual([]);
    expect((await api(server, 'GET', `/channels/${g.id}/messages`, { token: gone.token })).body.code).toBe(10003);
    expect((await send(gone, g.id, 'let me back')).body.code).toBe(10003);
    ck.close(1000);
    cg.close(1000);
  });

  it('the owner leaving passes ownership on; the last one out deletes the group', async () => {
    const { owner, friends } = await crew(2);
    const g = (
      await createGroup(
        owner,
        friends.map((f) => f.id),
      )
    ).body;
    const c0 = (await connectUser(server, friends[0])) as Client;
    const res = await api(server, 'DELETE', `/channels/${g.id}`, { token: owner.token });
    expect(res.status).toBe(200);
    const next = [...friends].sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1))[0].id;
    expect((await c0.dispatch('CHANNEL_UPDATE')).d.owner_id).toBe(next);
    expect((await c0.dispatch('MESSAGE_CREATE', (d) => d.type === 2)).d.author.id).toBe(owner.id);
    expect((await api(server, 'GET', `/channels/${g.id}`, { token: friends[1].token })).body.owner_id).toBe(next);
    expect((await api(server, 'GET', `/channels/${g.id}`, { token: owner.token })).body.code).toBe(10003);
    await api(server, 'DELETE', `/channels/${g.id}`, { token: friends[0].token });
    await api(server, 'DELETE', `/channels/${g.id}`, { token: friends[1].token });
    expect((await api(server, 'GET', `/channels/${g.id}`, { token: friends[1].token })).body.code).toBe(10003);
    c0.close(1000);
  });

  it('a non-recipient gets 404 on every DM route and no DM dispatch', async () => {
    const { owner, friends } = await crew(1);
    const outsider = await registerUser(server);
    await befriend(outsider, owner);
    const co = (await connectUser(server, outsider)) as Client;
    const dm = (await api(server, 'POST', '/users/@me/channels', { token: owner.token, body: { recipient_id: friends[0].id } })).body;
    const g = (await createGroup(owner, [friends[0].id])).body;
    expect(g.type).toBe(1); // one recipient: that is the DM
    const group = (
      await api(server, 'POST', '/users/@me/channels', {
        token: owner.token,
        body: { recipients: [friends[0].id, friends[0].id, owner.id] },
      })
    ).body;
    expect(group.type).toBe(3);
    for (const ch of [dm.id, group.id]) {
      const m = (await send(owner, ch, 'private')).body;
      await api(server, 'PUT', `/channels/${ch}/messages/${m.id}/reactions/%F0%9F%91%8D/@me`, { token: owner.token });
      const routes: Array<[string, string, unknown?]> = [
        ['GET', `/channels/${ch}`],
        ['PATCH', `/channels/${ch}`, { name: 'x' }],
        ['DELETE', `/channels/${ch}`],
        ['GET', `/channels/${ch}/messages`],
        ['POST', `/channels/${ch}/messages`, { content: 'x' }],
        ['GET', `/channels/${ch}/messages/${m.id}`],
        ['PATCH', `/channels/${ch}/messages/${m.id}`, { content: 'y' }],
        ['DELETE', `/channels/${ch}/messages/${m.id}`],
        ['PUT', `/channels/${ch}/messages/${m.id}/reactions/%F0%9F%91%8D/@me`],
        ['GET', `/channels/${ch}/messages/${m.id}/reactions/%F0%9F%91%8D`],
        ['DELETE', `/channels/${ch}/messages/${m.id}/reactions/%F0%9F%91%8D/${owner.id}`],
        ['GET', `/channels/${ch}/pins`],
        ['PUT', `/channels/${ch}/pins/${m.id}`],
        ['DELETE', `/channels/${ch}/pins/${m.id}`],
        ['POST', `/channels/${ch}/typing`],
        ['POST', `/channels/${ch}/messages/${m.id}/ack`, {}],
        ['POST', `/channels/${ch}/attachments`, { files: [{ id: '0', filename: 'a.txt', file_size: 3 }] }],
        ['GET', `/channels/${ch}/messages/search?content=private`],
        ['PUT', `/channels/${ch}/recipients/${outsider.id}`],
        ['DELETE', `/channels/${ch}/recipients/${owner.id}`],
      ];
      for (const [method, path, body] of routes) {
        const res = await api(server, method, path, { token: outsider.token, body });
        expect([res.status, res.body?.code], `${method} ${path}`).toEqual([404, 10003]);
      }
      // The recipients' own search works.
      const hits = (await api(server, 'GET', `/channels/${ch}/messages/search?content=private`, { token: friends[0].token })).body;
      expect(hits.total_results).toBe(1);
    }
    await quiet(400);
    const dmEvents = co.dispatches().filter((f) => [dm.id, group.id].includes(f.d?.channel_id ?? f.d?.id));
    expect(dmEvents.map((f) => f.t)).toEqual([]);
    co.close(1000);
  });

  it('closing a DM hides it until the next message reopens it', async () => {
    const a = await registerUser(server);
    const b = await registerUser(server);
    const ca = (await connectUser(server, a)) as Client;
    const dm = (await api(server, 'POST', '/users/@me/channels', { token: a.token, body: { recipient_id: b.id } })).body;
    expect((await api(server, 'DELETE', `/channels/${dm.id}`, { token: a.token })).status).toBe(200);
    await ca.dispatch('CHANNEL_DELETE', (d) => d.id === dm.id);
    expect((await api(server, 'GET', '/users/@me/channels', { token: a.token })).body).toEqual([]);
    expect((await api(server, 'GET', '/users/@me/channels', { token: b.token })).body).toHaveLength(1);
    const from = ca.frames.length;
    const msg = await send(b, dm.id, 'you there?');
    await ca.dispatch('MESSAGE_CREATE', (d) => d.id === msg.body.id);
    const order = ca.frames.slice(from).map((f) => f.t);
    expect(order.indexOf('CHANNEL_CREATE')).toBeLessThan(order.indexOf('MESSAGE_CREATE'));
    expect((await api(server, 'GET', '/users/@me/channels', { token: a.token })).body.map((c: { id: string }) => c.id)).toEqual([dm.id]);
    expect(ca.schemaErrors).toEqual([]);
    ca.close(1000);
  });

  it('group DM events keep every member in sync (verifyDispatch)', async () => {
    const { owner, friends } = await crew(3);
    const [a, b, c] = friends;
    const ok = (u: TestUser, method: string, path: string, body?: unknown) => async () => {
      expect((await api(server, method, path, { token: u.token, body })).status).toBeLessThan(300);
    };
    let id = '';
    await verifyDispatch(server, a, async () => (id = (await createGroup(owner, [a.id, b.id])).body.id), ['CHANNEL_CREATE']);
    await verifyDispatch(server, a, ok(owner, 'PUT', `/channels/${id}/recipients/${c.id}`), ['CHANNEL_RECIPIENT_ADD', 'MESSAGE_CREATE']);
    await verifyDispatch(server, c, ok(b, 'PATCH', `/channels/${id}`, { name: 'Synced' }), ['CHANNEL_UPDATE']);
    await verifyDispatch(server, a, ok(owner, 'DELETE', `/channels/${id}/recipients/${c.id}`), ['CHANNEL_RECIPIENT_REMOVE']);
    await verifyDispatch(server, a, ok(owner, 'DELETE', `/channels/${id}`), ['CHANNEL_RECIPIENT_REMOVE', 'CHANNEL_UPDATE']);
    await verifyDispatch(server, b, ok(b, 'DELETE', `/channels/${id}`), ['CHANNEL_DELETE']);
  });
});
