import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectUser, createGuildWith, GatewayClient } from '../test/gateway.js';
import { api, backend, registerUser, startServer, type TestServer, type TestUser } from '../test/helper.js';

let server: TestServer;
let owner: TestUser;
let member: TestUser;
let channelId: string;

beforeAll(async () => {
  server = await startServer({ env: { RATE_LIMIT_DISABLED: '1' } });
  [owner, member] = await Promise.all([registerUser(server), registerUser(server)]);
  channelId = (await createGuildWith(server, owner, [member])).general.id;
});
afterAll(async () => {
  await server?.close();
});

async function send(n: number, prefix: string, target = server) {
  for (let i = 0; i < n; i++) {
    const res = await api(target, 'POST', `/channels/${channelId}/messages`, { token: owner.token, body: { content: `${prefix} ${i}` } });
    expect(res.status).toBe(200);
  }
}

/** RESUME on `target` and collect the frames up to RESUMED. */
async function resume(target: TestServer, sessionId: string, seq: number) {
  const c = await GatewayClient.connect(target);
  await c.waitFor((f) => f.op === 10);
  c.send(6, { token: member.token, session_id: sessionId, seq });
  await c.dispatch('RESUMED');
  return c;
}

describe('RESUME', () => {
  it('replays exactly the 50 dispatches missed while disconnected, in order, then RESUMED', async () => {
    const first = await connectUser(server, member);
    await send(2, 'before');
    await first.dispatch('MESSAGE_CREATE', (d) => d.content === 'before 1');
    const seq = first.seq;
    first.drop();
    await send(50, 'missed');
    const second = await resume(server, first.sessionId, seq);
    const replayed = second.dispatches();
    expect(replayed.map((f) => f.t)).toEqual([...Array(50).fill('MESSAGE_CREATE'), 'RESUMED']);
    expect(replayed.map((f) => f.s)).toEqual([...Array(51).keys()].map((i) => seq + 1 + i));
    expect(replayed.slice(0, 50).map((f) => f.d.content)).toEqual([...Array(50).keys()].map((i) => `missed ${i}`));
    expect(second.schemaErrors).toEqual([]);
    // …and the session carries on live.
    await send(1, 'live');
    expect((await second.dispatch('MESSAGE_CREATE', (d) => d.content === 'live 0')).s).toBe(seq + 52);
    second.close(1000);
  });

  it('replays what a client missed even if it had not noticed the drop (seq behind)', async () => {
    const first = await connectUser(server, member);
    await send(3, 'seen');
    await first.dispatch('MESSAGE_CREATE', (d) => d.content === 'seen 2');
    first.drop();
    const second = await resume(server, first.sessionId, first.seq - 2);
    expect(second.dispatches('MESSAGE_CREATE').map((f) => f.d.content)).toEqual(['seen 1', 'seen 2']);
    second.close(1000);
  });

  it('refuses another user’s session and sessions closed with 1000', async () => {
    const first = await connectUser(server, member);
    first.close(1000);
    await first.closed;
    const c = await GatewayClient.connect(server);
    await c.waitFor((f) => f.op === 10);
    c.send(6, { token: member.token, session_id: first.sessionId, seq: first.seq });
    expect((await c.waitFor((f) => f.op === 9)).d).toBe(false);
    const live = await connectUser(server, member);
    const thief = await GatewayClient.connect(server);
    await thief.waitFor((f) => f.op === 10);
    thief.send(6, { token: owner.token, session_id: live.sessionId, seq: 0 });
    expect((await thief.waitFor((f) => f.op === 9)).d).toBe(false);
    live.close(1000);
  });

  const shared = backend === 'postgres' && !!process.env.TEST_REDIS_URL;
  it.runIf(shared)('resumes on another instance sharing PostgreSQL and Redis, even after the first one is gone', async () => {
    const one = await startServer({ shareWith: server });
    const two = await startServer({ shareWith: server });
    try {
      const first = await connectUser(one, member);
      const seq = first.seq;
      first.drop();
      await send(20, 'away', one);
      await new Promise((r) => setTimeout(r, 100));
      await one.close();
      await send(30, 'gone', two);
      const second = await resume(two, first.sessionId, seq);
      const got = second.dispatches('MESSAGE_CREATE').map((f) => f.d.content);
      expect(got).toEqual([...[...Array(20).keys()].map((i) => `away ${i}`), ...[...Array(30).keys()].map((i) => `gone ${i}`)]);
      expect(second.dispatches().map((f) => f.s)).toEqual([...Array(51).keys()].map((i) => seq + 1 + i));
      second.close(1000);
    } finally {
      await one.close().catch(() => {});
      await two.close();
    }
  }, 120_000); // two more servers and 50 sends: slow on a loaded machine
});
