import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, backend, registerUser, startServer, type TestServer, type TestUser } from '../test/helper.js';
import { GatewayClient, connectUser, createGuildWith, quiet } from '../test/gateway.js';

/**
 * Two server instances sharing PostgreSQL and Redis act as one server: 20 clients spread over
 * both see each other's messages, typing and presence; when one instance goes away its clients
 * RESUME on the other and lose nothing.
 */
const shared = backend === 'postgres' && !!process.env.TEST_REDIS_URL;

describe.runIf(shared)('two instances, one server', () => {
  let one: TestServer;
  let two: TestServer;
  let users: TestUser[];
  let channelId: string;
  let clients: GatewayClient[];
  const onOne = (i: number) => i % 2 === 0;

  beforeAll(async () => {
    one = await startServer({ env: { RATE_LIMIT_DISABLED: '1', ARGON2_MEMORY_KIB: '1024', PRESENCE_GRACE_MS: '300' } });
    two = await startServer({ shareWith: one });
    users = [];
    for (let i = 0; i < 20; i++) users.push(await registerUser(i % 2 ? two : one));
    channelId = (await createGuildWith(one, users[0], users.slice(1))).general.id;
    clients = [];
    for (let i = 0; i < 20; i++) clients.push(await connectUser(onOne(i) ? one : two, users[i]));
  });
  afterAll(async () => {
    for (const c of clients ?? []) c.close(1000);
    await one?.close().catch(() => {});
    await two?.close();
  });

  const say = (server: TestServer, user: TestUser, content: string) => api(server, 'POST', `/channels/${channelId}/messages`, { token: user.token, body: { content } });

  it('delivers messages and typing from either instance to all 20 clients', async () => {
    expect((await say(one, users[0], 'from one')).status).toBe(200);
    expect((await say(two, users[1], 'from two')).status).toBe(200);
    expect((await api(two, 'POST', `/channels/${channelId}/typing`, { token: users[3].token })).status).toBe(204);
    for (const c of clients) {
      await c.dispatch('MESSAGE_CREATE', (d) => d.content === 'from one');
      await c.dispatch('MESSAGE_CREATE', (d) => d.content === 'from two');
      await c.dispatch('TYPING_START', (d) => d.user_id === users[3].id);
    }
  });

  it('shares presence: a status set on one instance reaches clients on both', async () => {
    const from = clients.map((c) => c.frames.length);
    clients[19].send(3, { since: null, activities: [], status: 'dnd', afk: false });
    await Promise.all(clients.map((c, i) => c.waitFor((f) => f.t === 'PRESENCE_UPDATE' && f.d.user.id === users[19].id && f.d.status === 'dnd', 5000, from[i])));
  });

  it('clients of an instance that goes away resume on the other without losing an event', async () => {
    const moved = clients.filter((_, i) => onOne(i));
    const statusFrom = clients.map((c) => c.frames.length);
    const sent: string[] = [];
    const sender = (async () => {
      for (let i = 0; i < 30; i++) {
        const content = `burst ${i}`;
        expect((await say(two, users[1], content)).status).toBe(200);
        sent.push(content);
        if (i === 5) void one.close();
      }
    })();
    // Each client of instance one is told to reconnect, and resumes on instance two.
    const resumed = await Promise.all(
      moved.map(async (c) => {
        expect((await c.closed).code).toBe(4000);
        expect(c.frames.some((f) => f.op === 7)).toBe(true);
        const r = await GatewayClient.connect(two);
        await r.waitFor((f) => f.op === 10);
        r.send(6, { token: users[clients.indexOf(c)].token, session_id: c.sessionId, seq: c.seq });
        await r.dispatch('RESUMED', () => true, 15_000);
        return { before: c, after: r };
      }),
    );
    await sender;
    const bursts = (frames: GatewayClient['frames']) => frames.filter((f) => f.t === 'MESSAGE_CREATE' && f.d.content.startsWith('burst ')).map((f) => f.d.content);
    for (const { before, after } of resumed) {
      await after.dispatch('MESSAGE_CREATE', (d) => d.content === 'burst 29', 10_000);
      expect([...bursts(before.frames), ...bursts(after.frames)]).toEqual(sent);
      const seqs = [...before.dispatches(), ...after.dispatches()].map((f) => f.s);
      expect(seqs).toEqual([...seqs.keys()].map((i) => i + 1));
      expect(after.schemaErrors).toEqual([]);
    }
    for (const c of clients.filter((_, i) => !onOne(i))) {
      await c.dispatch('MESSAGE_CREATE', (d) => d.content === 'burst 29');
      expect(bursts(c.frames)).toEqual(sent);
    }
    // Nobody who moved was ever shown offline.
    await quiet(500);
    const stayers = clients.map((c, i) => ({ c, i })).filter(({ i }) => !onOne(i));
    for (const { c, i } of stayers) {
      const offline = c.frames.slice(statusFrom[i]).filter((f) => f.t === 'PRESENCE_UPDATE' && f.d.status === 'offline');
      expect(offline).toEqual([]);
    }
    for (const { after } of resumed) after.close(1000);
  });
});

describe.skipIf(shared)('two instances, one server (needs PostgreSQL + Redis)', () => {
  it('skipped', () => {});
});
