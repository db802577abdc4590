import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectUser, createGuildWith, type GatewayClient, quiet } from '../test/gateway.js';
import { api, registerUser, startServer, type TestServer, type TestUser } from '../test/helper.js';
import { verifyDispatch } from '../test/verify-dispatch.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ env: { RATE_LIMIT_DISABLED: '1' } });
});
afterAll(() => server?.close());

type Client = GatewayClient & { ready: any };
const rel = (u: TestUser, method: string, path = '', body?: unknown) =>
  api(server, method, `/users/@me/relationships${path}`, { token: u.token, body });
const list = async (u: TestUser) => ((await rel(u, 'GET')).body as Array<{ id: string; type: number }>).map((r) => [r.id, r.type]);

/** Waits for the next dispatch of `t` after `from` frames and returns its `d`. */
async function next(c: Client, t: string, from: number) {
  return (await c.waitFor((f) => f.t === t, 10_000, from)).d;
}

async function pair() {
  const a = await registerUser(server);
  const b = await registerUser(server);
  return { a, b, ca: (await connectUser(server, a)) as Client, cb: (await connectUser(server, b)) as Client };
}

describe('relationships', () => {
  it('request → accept → unfriend, with the dispatches each side gets and READY lists', async () => {
    const { a, b, ca, cb } = await pair();
    let fa = ca.frames.length;
    let fb = cb.frames.length;
    expect((await rel(a, 'POST', '', { username: b.username.toUpperCase() })).status).toBe(204);
    expect(await next(ca, 'RELATIONSHIP_ADD', fa)).toMatchObject({ id: b.id, type: 4, user: { id: b.id, username: b.username } });
    expect(await next(cb, 'RELATIONSHIP_ADD', fb)).toMatchObject({ id: a.id, type: 3, user: { id: a.id } });
    expect(await list(a)).toEqual([[b.id, 4]]);
    expect(await list(b)).toEqual([[a.id, 3]]);
    // A second request while pending changes nothing.
    expect((await rel(a, 'PUT', `/${b.id}`, {})).status).toBe(204);
    expect(await list(a)).toEqual([[b.id, 4]]);

    fa = ca.frames.length;
    fb = cb.frames.length;
    expect((await rel(b, 'PUT', `/${a.id}`, { type: 1 })).status).toBe(204);
    expect(await next(ca, 'RELATIONSHIP_ADD', fa)).toMatchObject({ id: b.id, type: 1 });
    expect(await next(cb, 'RELATIONSHIP_ADD', fb)).toMatchObject({ id: a.id, type: 1 });
    // Friends see each other's presence without sharing a guild.
    expect(await next(ca, 'PRESENCE_UPDATE', fa)).toMatchObject({ user: { id: b.id }, status: 'online' });
    expect(await next(cb, 'PRESENCE_UPDATE', fb)).toMatchObject({ user: { id: a.id }, status: 'online' });
    expect((await rel(a, 'POST', '', { username: b.username })).body.code).toBe(80007);

    const again = (await connectUser(server, a)) as Client;
    expect(again.ready.relationships).toMatchObject([{ id: b.id, type: 1, user: { id: b.id } }]);
    expect(again.ready.presences).toMatchObject([{ user: { id: b.id }, status: 'online' }]);
    fa = again.frames.length;
    cb.send(3, { status: 'dnd', since: null, activities: [], afk: false });
    expect(await next(again, 'PRESENCE_UPDATE', fa)).toMatchObject({ user: { id: b.id }, status: 'dnd' });
    expect((await next(again, 'PRESENCE_UPDATE', fa)).guild_id).toBeUndefined();
    again.close(1000);

    fa = ca.frames.length;
    fb = cb.frames.length;
    expect((await rel(a, 'DELETE', `/${b.id}`)).status).toBe(204);
    expect(await next(ca, 'RELATIONSHIP_REMOVE', fa)).toEqual({ id: b.id, type: 1, nickname: null });
    expect(await next(cb, 'RELATIONSHIP_REMOVE', fb)).toEqual({ id: a.id, type: 1, nickname: null });
    expect(await list(a)).toEqual([]);
    expect(await list(b)).toEqual([]);
    expect([...ca.schemaErrors, ...cb.schemaErrors]).toEqual([]);
    ca.close(1000);
    cb.close(1000);
  });

  it('decline and cancel remove the request on both sides; crossed requests become a friendship', async () => {
    const { a, b, ca, cb } = await pair();
    await rel(a, 'PUT', `/${b.id}`);
    let fa = ca.frames.length;
    expect((await rel(b, 'DELETE', `/${a.id}`)).status).toBe(204); // decline
    expect(await next(ca, 'RELATIONSHIP_REMOVE', fa)).toEqual({ id: b.id, type: 4, nickname: null });
    expect(await list(a)).toEqual([]);

    await rel(a, 'PUT', `/${b.id}`);
    const fb = cb.frames.length;
    expect((await rel(a, 'DELETE', `/${b.id}`)).status).toBe(204); // cancel
    expect(await next(cb, 'RELATIONSHIP_REMOVE', fb)).toEqual({ id: a.id, type: 3, nickname: null });
    expect(await list(b)).toEqual([]);

    await rel(a, 'POST', '', { username: b.username });
    fa = ca.frames.length;
    await rel(b, 'POST', '', { username: a.username }); // b asks a back: that accepts
    expect(await next(ca, 'RELATIONSHIP_ADD', fa)).toMatchObject({ id: b.id, type: 1 });
    expect(await list(a)).toEqual([[b.id, 1]]);
    expect(await list(b)).toEqual([[a.id, 1]]);
    ca.close(1000);
    cb.close(1000);
  });

  it('block ends a friendship, refuses their requests and DMs; unblock is one-sided', async () => {
    const { a, b, ca, cb } = await pair();
    await rel(a, 'PUT', `/${b.id}`);
    await rel(b, 'PUT', `/${a.id}`);
    const dm = (await api(server, 'POST', '/users/@me/channels', { token: a.token, body: { recipient_id: b.id } })).body;
    expect((await api(server, 'POST', `/channels/${dm.id}/messages`, { token: b.token, body: { content: 'hi' } })).status).toBe(200);

    const fa = ca.frames.length;
    const fb = cb.frames.length;
    expect((await rel(a, 'PUT', `/${b.id}`, { type: 2 })).status).toBe(204);
    expect(await next(ca, 'RELATIONSHIP_ADD', fa)).toMatchObject({ id: b.id, type: 2 });
    expect(await next(cb, 'RELATIONSHIP_REMOVE', fb)).toEqual({ id: a.id, type: 1, nickname: null });
    expect(await list(a)).toEqual([[b.id, 2]]);
    expect(await list(b)).toEqual([]);

    // b can neither befriend nor message a; a cannot message b while blocking.
    expect((await rel(b, 'POST', '', { username: a.username })).body).toMatchObject({ code: 80000 });
    expect((await rel(b, 'PUT', `/${a.id}`)).body.code).toBe(80000);
    const sendB = await api(server, 'POST', `/channels/${dm.id}/messages`, { token: b.token, body: { content: 'still?' } });
    expect(sendB).toMatchObject({ status: 403, body: { code: 50007 } });
    expect((await api(server, 'POST', `/channels/${dm.id}/messages`, { token: a.token, body: { content: 'x' } })).body.code).toBe(50007);
    expect(await list(a)).toEqual([[b.id, 2]]);

    // Unblocking only removes a's side; then messages flow again.
    const fa2 = ca.frames.length;
    expect((await rel(a, 'DELETE', `/${b.id}`)).status).toBe(204);
    expect(await next(ca, 'RELATIONSHIP_REMOVE', fa2)).toEqual({ id: b.id, type: 2, nickname: null });
    expect((await api(server, 'POST', `/channels/${dm.id}/messages`, { token: b.token, body: { content: 'back' } })).status).toBe(200);
    // a blocked by nobody can request again; blocking someone who requested you drops their request.
    await rel(b, 'PUT', `/${a.id}`);
    await rel(a, 'PUT', `/${b.id}`, { type: 2 });
    expect(await list(b)).toEqual([]);
    expect(await list(a)).toEqual([[b.id, 2]]);
    // Sending a request to someone you blocked replaces the block.
    await rel(a, 'PUT', `/${b.id}`);
    expect(await list(a)).toEqual([[b.id, 4]]);
    expect(await list(b)).toEqual([[a.id, 3]]);
    ca.close(1000);
    cb.close(1000);
  });

  it('a blocked user cannot open a new DM with the blocker', async () => {
    const a = await registerUser(server);
    const b = await registerUser(server);
    await rel(a, 'PUT', `/${b.id}`, { type: 2 });
    const res = await api(server, 'POST', '/users/@me/channels', { token: b.token, body: { recipient_id: a.id } });
    expect(res).toMatchObject({ status: 403, body: { code: 50007 } });
    expect((await api(server, 'GET', '/users/@me/channels', { token: b.token })).body).toEqual([]);
  });

  it('refuses bad input with Discord errors and changes nothing', async () => {
    const a = await registerUser(server);
    expect((await rel(a, 'POST', '', { username: 'no_such_user_zz' })).body).toMatchObject({ code: 80004 });
    expect((await rel(a, 'POST', '', { username: a.username })).body).toMatchObject({ code: 80003 });
    expect((await rel(a, 'PUT', `/${a.id}`)).body.code).toBe(80003);
    expect((await rel(a, 'PUT', '/123')).body.code).toBe(10013);
    expect((await rel(a, 'PUT', '/99999999999999999999')).body.code).toBe(50035);
    expect((await rel(a, 'DELETE', '/123')).body.code).toBe(10013);
    expect((await rel(a, 'PUT', '/abc')).status).toBe(400);
    expect((await rel(a, 'POST', '', {})).status).toBe(400);
    expect((await rel(a, 'POST', '', { username: 5 })).status).toBe(400);
    const b = await registerUser(server);
    expect((await rel(a, 'PUT', `/${b.id}`, { type: 3 })).status).toBe(400);
    expect((await rel(a, 'PUT', `/${b.id}`, { type: 'x' })).status).toBe(400);
    expect((await api(server, 'GET', '/users/@me/relationships')).status).toBe(401);
    expect(await list(a)).toEqual([]);
    expect(await list(b)).toEqual([]);
  });

  it('bots cannot have friends', async () => {
    const a = await registerUser(server);
    const bot = await api(server, 'POST', '/users/@me/bots', { token: a.token, body: { username: `bot_${a.username}`.slice(0, 32) } });
    expect(bot.status).toBe(201);
    expect((await rel(a, 'PUT', `/${bot.body.user.id}`)).body.code).toBe(80002);
    expect((await api(server, 'PUT', `/users/@me/relationships/${a.id}`, { auth: `Bot ${bot.body.token}`, body: {} })).body.code).toBe(
      20001,
    );
  });

  it('a friend who shares a guild still gets one guildless PRESENCE_UPDATE per change', async () => {
    const { a, b, ca, cb } = await pair();
    await createGuildWith(server, a, [b]);
    await rel(a, 'PUT', `/${b.id}`);
    await rel(b, 'PUT', `/${a.id}`);
    await quiet(300);
    const fa = ca.frames.length;
    cb.send(3, { status: 'idle', since: null, activities: [], afk: false });
    await next(ca, 'PRESENCE_UPDATE', fa);
    await quiet(300);
    const got = ca.frames.slice(fa).filter((f) => f.t === 'PRESENCE_UPDATE');
    expect(got.map((f) => f.d.guild_id ?? null).sort()).toHaveLength(2);
    expect(got.every((f) => f.d.status === 'idle')).toBe(true);
    ca.close(1000);
    cb.close(1000);
  });

  it('RELATIONSHIP_ADD / RELATIONSHIP_REMOVE keep both clients in sync (verifyDispatch)', async () => {
    const a = await registerUser(server);
    const b = await registerUser(server);
    const keepB = await connectUser(server, b); // b online, so a's state includes b's presence once friends
    const ok = (u: TestUser, method: string, path: string, body?: unknown) => async () => {
      expect((await rel(u, method, path, body)).status).toBe(204);
    };
    await verifyDispatch(server, a, ok(a, 'POST', '', { username: b.username }), ['RELATIONSHIP_ADD']);
    await verifyDispatch(server, a, ok(b, 'PUT', `/${a.id}`, {}), ['RELATIONSHIP_ADD', 'PRESENCE_UPDATE']);
    await verifyDispatch(server, b, ok(a, 'PUT', `/${b.id}`, { type: 2 }), ['RELATIONSHIP_REMOVE']);
    await verifyDispatch(server, a, ok(a, 'DELETE', `/${b.id}`), ['RELATIONSHIP_REMOVE']);
    await verifyDispatch(server, b, ok(a, 'PUT', `/${b.id}`, {}), ['RELATIONSHIP_ADD']);
    await verifyDispatch(server, b, ok(b, 'DELETE', `/${a.id}`), ['RELATIONSHIP_REMOVE']);
    keepB.close(1000);
  });
});
