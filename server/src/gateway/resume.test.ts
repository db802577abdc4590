import { Redis } from 'ioredis';
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

  it('keeps no frame a client has acknowledged, and never READY or GUILD_CREATE: those RESUMEs get 4007', async () => {
    const first = await connectUser(server, member);
    const readyDone = first.seq;
    await send(1, 'acked');
    await first.dispatch('MESSAGE_CREATE', (d) => d.content === 'acked 0');
    // The heartbeat carries the seq: once the server has it, frames up to there are gone.
    first.send(1, first.seq);
    await first.waitFor((f) => f.op === 11, 10_000, first.frames.length);
    first.drop();
    for (const seq of [0, readyDone - 1, readyDone]) {
      const c = await GatewayClient.connect(server);
      await c.waitFor((f) => f.op === 10);
      c.send(6, { token: member.token, session_id: first.sessionId, seq });
      expect((await c.closed).code).toBe(4007);
    }
    // The session itself is fine: from the acknowledged seq it resumes.
    const ok = await resume(server, first.sessionId, first.seq);
    expect(ok.dispatches().map((f) => f.t)).toEqual(['RESUMED']);
    ok.close(1000);
  });

  const shared = backend === 'postgres' && !!process.env.TEST_REDIS_URL;

  it.runIf(shared)('writes nothing to Redis per frame: a session’s checkpoints do not grow with the messages it is sent', async () => {
    const redis = new Redis(process.env.TEST_REDIS_URL as string);
    try {
      const c = await connectUser(server, member);
      const key = `${server.redisPrefix}:gw:k:${c.sessionId}`;
      // The checkpoint after READY is written without waiting for it.
      let before: string[] = [];
      while (!before.length) before = await redis.lrange(key, 0, -1);
      await send(30, 'counted');
      await c.dispatch('MESSAGE_CREATE', (d) => d.content === 'counted 29');
      // 30 frames, no write each; at most the periodic (15 s) checkpoint may have come by meanwhile.
      const after = await redis.lrange(key, 0, -1);
      expect(after.slice(after.length - before.length)).toEqual(before);
      expect(after.length - before.length).toBeLessThanOrEqual(1);
      expect(await redis.keys(`${server.redisPrefix}:gw:b:*`)).toEqual([]);
      c.close(1000);
    } finally {
      redis.disconnect();
    }
  });

  it.runIf(shared)(
    'lines up sequence numbers across frames the log cannot rebuild (member chunks) when resuming elsewhere',
    async () => {
      const one = await startServer({ shareWith: server });
      const two = await startServer({ shareWith: server });
      try {
        const first = await connectUser(one, member);
        const guildId = (await first.dispatch('GUILD_CREATE')).d.id;
        await send(3, 'early', one);
        first.send(8, { guild_id: guildId, query: '', limit: 0, nonce: 'n1' });
        await first.dispatch('GUILD_MEMBERS_CHUNK', (d) => d.nonce === 'n1');
        await send(3, 'late', one);
        await first.dispatch('MESSAGE_CREATE', (d) => d.content === 'late 2');
        const seq = first.seq - 2; // the client missed the last two
        first.drop();
        await send(5, 'away', one);
        await new Promise((r) => setTimeout(r, 100));
        await one.close();
        const second = await resume(two, first.sessionId, seq);
        const got = second.dispatches('MESSAGE_CREATE').map((f) => f.d.content);
        expect(got).toEqual(['late 1', 'late 2', ...[...Array(5).keys()].map((i) => `away ${i}`)]);
        expect(second.dispatches().map((f) => f.s)).toEqual([...Array(8).keys()].map((i) => seq + 1 + i));
        // The frames it already had keep their numbers: late 1 is the one after late 0.
        const late0 = first.dispatches().find((f) => f.d?.content === 'late 0');
        expect(second.dispatches()[0].s).toBe((late0?.s as number) + 1);
        second.close(1000);
      } finally {
        await one.close().catch(() => {});
        await two.close();
      }
    },
    120_000,
  );

  it.runIf(shared)(
    'resumes on another instance sharing PostgreSQL and Redis, even after the first one is gone',
    async () => {
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
    },
    120_000,
  ); // two more servers and 50 sends: slow on a loaded machine
});
