import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connectUser, type GatewayClient } from '../test/gateway.js';
import { api, backend, registerUser, startServer, type TestServer, type TestUser } from '../test/helper.js';
import { haveOwnServices, type OwnPostgres, type OwnRedis, startOwnPostgres, startOwnRedis } from '../test/own-services.js';

/**
 * Fault suite: two instances on this file's own PostgreSQL cluster and Redis (never the shared
 * ones). Pooled connections are terminated, PostgreSQL and then Redis are stopped for ~5 s while
 * messages are being sent. The server must stay up, answer 503 (never 500, never hang) during the
 * outage, recover by itself, keep every message it acknowledged, and the gateway client connected
 * to the other instance must receive every acknowledged message.
 */
const run = haveOwnServices() && backend === 'pglite'; // brings its own backends: run once, not per project

interface Outcome {
  at: number;
  status: number | 'timeout' | 'network';
  id?: string;
  content: string;
  body?: unknown;
}

async function post(server: TestServer, token: string, channelId: string, content: string): Promise<Outcome> {
  try {
    const res = await fetch(`${server.url}/api/v10/channels/${channelId}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ content }),
      signal: AbortSignal.timeout(20_000),
    });
    const body = (await res.json().catch(() => null)) as { id?: string } | null;
    return { at: Date.now(), status: res.status, id: res.status === 200 ? body?.id : undefined, content, body };
  } catch (err) {
    return { at: Date.now(), status: (err as Error).name === 'TimeoutError' ? 'timeout' : 'network', content };
  }
}

/** Sends messages round-robin over `channels` (under the 5 per 5 s per-channel limit) until stopped. */
function startLoad(server: TestServer, user: TestUser, channels: string[], tag: string) {
  const outcomes: Outcome[] = [];
  let stop = false;
  const done = (async () => {
    for (let i = 0; !stop; i++) {
      outcomes.push(await post(server, user.token, channels[i % channels.length], `${tag}-${i}`));
      await new Promise((r) => setTimeout(r, 400));
    }
  })();
  return {
    outcomes,
    stop: async () => {
      stop = true;
      await done;
    },
  };
}

async function waitHealthy(server: TestServer, ms = 60_000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const r = await fetch(`${server.url}/healthz`).catch(() => null);
    if (r?.status === 200) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('server did not become healthy again');
}

describe.runIf(run)('database and Redis faults', () => {
  let pgs: OwnPostgres;
  let redis: OwnRedis;
  let a: TestServer;
  let b: TestServer;
  /** Rate limits off: its writes do not touch Redis, so during a Redis outage they succeed and the bus holds their events. */
  let c: TestServer;
  let owner: TestUser;
  let gw: GatewayClient;
  let guildId: string;
  /** This test's channels: fresh ones per test, so no per-channel rate-limit bucket carries over. */
  const channels: string[] = [];

  beforeAll(async () => {
    pgs = await startOwnPostgres();
    redis = await startOwnRedis();
    // LOG_LEVEL error: a request that fails with 500 here prints its stack in the test output (that
    // is how a duplicate snowflake between a and c showed: ids/slot.ts); the 503s log at warn.
    const env = { DATABASE_URL: pgs.url, REDIS_URL: redis.url, REDIS_PREFIX: 'faults', DB_CONNECT_TIMEOUT_MS: '3000', LOG_LEVEL: 'error' };
    a = await startServer({ env });
    b = await startServer({ env, dataDir: a.dataDir });
    c = await startServer({ env: { ...env, RATE_LIMIT_DISABLED: '1' }, dataDir: a.dataDir });
    owner = await registerUser(a);
    const g = await api(a, 'POST', '/guilds', { token: owner.token, body: { name: 'Faults' } });
    guildId = g.body.id;
    // The client sits on the other instance: every event it gets crossed Redis.
    gw = await connectUser(b, owner);
  });

  beforeEach(async () => {
    await waitHealthy(a);
    channels.length = 0;
    for (const name of ['one', 'two', 'three']) {
      const c = await api(a, 'POST', `/guilds/${guildId}/channels`, { token: owner.token, body: { name, type: 0 } });
      expect(c.status).toBe(201);
      channels.push(c.body.id);
    }
  });

  afterAll(async () => {
    gw?.ws.close();
    await c?.close();
    await b?.close();
    await a?.close();
    await redis?.stop();
    pgs?.remove();
  });

  /** Every acknowledged message is in the history and reached the gateway client exactly once. */
  async function expectNothingLost(outcomes: Outcome[]) {
    const acked = outcomes.filter((o) => o.status === 200);
    expect(acked.length).toBeGreaterThan(0);
    for (const o of acked) await gw.dispatch('MESSAGE_CREATE', (d) => d.id === o.id, 30_000);
    for (const ch of channels) {
      const h = await api(a, 'GET', `/channels/${ch}/messages?limit=100`, { token: owner.token });
      expect(h.status).toBe(200);
      const ids = new Set(h.body.map((m: { id: string }) => m.id));
      for (const o of acked.filter((x) => x.content && channels[Number(x.content.split('-').pop()) % channels.length] === ch))
        expect(ids.has(o.id)).toBe(true);
    }
    const created = gw.dispatches('MESSAGE_CREATE').map((f) => f.d.id);
    for (const o of acked) expect(created.filter((id) => id === o.id)).toHaveLength(1);
    expect(gw.closeCode).toBeUndefined();
  }

  function expectOnly200Or503(outcomes: Outcome[]) {
    const other = outcomes.filter((o) => o.status !== 200 && o.status !== 503);
    expect(other, JSON.stringify(other.slice(0, 3))).toEqual([]);
    for (const o of outcomes.filter((x) => x.status === 503)) expect(o.body).toMatchObject({ code: 0, message: expect.any(String) });
  }

  it('survives pg_terminate_backend of every pooled connection', async () => {
    const load = startLoad(a, owner, channels, 'term');
    await new Promise((r) => setTimeout(r, 1500));
    const admin = new pg.Client({ connectionString: pgs.url });
    await admin.connect();
    const killed = await admin.query(
      "select pg_terminate_backend(pid) from pg_stat_activity where pid <> pg_backend_pid() and backend_type = 'client backend'",
    );
    await admin.end();
    expect(killed.rowCount).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 1500));
    await load.stop();
    expectOnly200Or503(load.outcomes);
    await waitHealthy(a);
    await waitHealthy(b);
    expect((await post(a, owner.token, channels[0], 'after-term')).status).toBe(200);
    await expectNothingLost(load.outcomes);
  });

  it('answers 503 while PostgreSQL is stopped for 5 s, then resumes by itself', async () => {
    const load = startLoad(a, owner, channels, 'pgstop');
    await new Promise((r) => setTimeout(r, 1500));
    pgs.stop();
    const during = await fetch(`${a.url}/healthz`);
    expect(during.status).toBe(503);
    expect((await fetch(`${a.url}/livez`)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 5000));
    pgs.start();
    await waitHealthy(a);
    await new Promise((r) => setTimeout(r, 1500));
    await load.stop();
    expectOnly200Or503(load.outcomes);
    expect(load.outcomes.some((o) => o.status === 503)).toBe(true);
    expect(load.outcomes.at(-1)?.status).toBe(200);
    await expectNothingLost(load.outcomes);
  });

  it('answers 503 or delivers late while Redis is stopped for 5 s, and loses no acknowledged event', async () => {
    const load = startLoad(a, owner, channels, 'redisstop');
    const held = startLoad(c, owner, channels, 'held');
    await new Promise((r) => setTimeout(r, 1500));
    const stopped = Date.now();
    await redis.stop();
    // A read from a Redis-backed store (voice states; c has no Redis rate limiter in front) fails
    // fast with 503: no offline queue holds the command until Redis is back.
    const voice = await fetch(`${c.url}/api/v10/guilds/${guildId}/voice-states/@me`, {
      headers: { authorization: `Bearer ${owner.token}` },
      signal: AbortSignal.timeout(4000),
    });
    expect(voice.status).toBe(503);
    expect(await voice.json()).toMatchObject({ code: 0 });
    await new Promise((r) => setTimeout(r, Math.max(0, stopped + 5000 - Date.now())));
    const restarted = Date.now();
    await redis.start();
    await new Promise((r) => setTimeout(r, 3000));
    await load.stop();
    await held.stop();
    expectOnly200Or503(load.outcomes);
    expectOnly200Or503(held.outcomes);
    expect(load.outcomes.some((o) => o.status === 503)).toBe(true);
    expect(load.outcomes.at(-1)?.status).toBe(200);
    // Writes acknowledged while Redis was down: their events were held and delivered afterwards.
    expect(held.outcomes.filter((o) => o.status === 200 && o.at > stopped + 500 && o.at < restarted).length).toBeGreaterThan(0);
    await expectNothingLost([...load.outcomes, ...held.outcomes]);
    await waitHealthy(b);
  });

  it('fails startup with a clear message when the database port accepts TCP but never answers', async () => {
    const { createServer } = await import('node:net');
    const held: import('node:net').Socket[] = [];
    const silent = createServer((s) => held.push(s)).listen(0, '127.0.0.1');
    await new Promise((r) => silent.once('listening', r));
    const port = (silent.address() as { port: number }).port;
    try {
      await expect(
        startServer({ env: { DATABASE_URL: `postgres://postgres:secret@127.0.0.1:${port}/x`, DB_CONNECT_TIMEOUT_MS: '1000' } }),
      ).rejects.toThrow(/database: cannot connect to postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/x within 1000 ms/);
    } finally {
      for (const s of held) s.destroy();
      silent.close();
    }
  });
});
