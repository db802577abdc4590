import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectUser, createGuildWith, GatewayClient } from '../test/gateway.js';
import { api, registerUser, startServer, type TestServer, type TestUser } from '../test/helper.js';

let server: TestServer;
let owner: TestUser;
let member: TestUser;
let guildId: string;
const clients: GatewayClient[] = [];
const track = <T extends GatewayClient>(c: T) => {
  clients.push(c);
  return c;
};

beforeAll(async () => {
  server = await startServer();
  [owner, member] = await Promise.all([registerUser(server), registerUser(server)]);
  guildId = (await createGuildWith(server, owner, [member])).guild.id;
});
afterAll(async () => {
  for (const c of clients) c.close();
  await server?.close();
});

describe('GET /gateway', () => {
  it('returns the WebSocket URL without auth, and /gateway/bot with shards and limits', async () => {
    const res = await api(server, 'GET', '/gateway');
    expect(res.status).toBe(200);
    expect(res.body.url).toBe(`${server.url.replace('http', 'ws')}/gateway`);
    expect((await api(server, 'GET', '/gateway/bot')).status).toBe(401);
    const bot = await api(server, 'GET', '/api/v9/gateway/bot', { token: owner.token });
    expect(bot.body).toMatchObject({ url: res.body.url, shards: 1, session_start_limit: { max_concurrency: 5 } });
  });
});

describe('HELLO / IDENTIFY / READY', () => {
  it('sends HELLO with the configured heartbeat interval', async () => {
    const c = track(await GatewayClient.connect(server));
    const hello = await c.waitFor((f) => f.op === 10);
    expect(hello.d).toEqual({ heartbeat_interval: 41250 });
  });

  it('READY carries the user, unavailable guild stubs, session and resume URL; then a full GUILD_CREATE', async () => {
    track(await connectUser(server, owner));
    const c = track(await connectUser(server, member));
    const ready = c.ready;
    expect(ready).toMatchObject({
      v: 10,
      user: { id: member.id, username: member.username },
      guilds: [{ id: guildId, unavailable: true }],
    });
    expect(ready.session_id).toMatch(/^[0-9a-f]{32}$/);
    expect(ready.resume_gateway_url).toBe(`${server.url.replace('http', 'ws')}/gateway`);
    expect(ready.private_channels).toEqual([]);
    expect(Array.isArray(ready.read_state)).toBe(true);
    const gc = c.dispatches('GUILD_CREATE')[0];
    expect(c.dispatches()[0]).toMatchObject({ t: 'READY', s: 1 });
    expect(gc.s).toBe(2);
    expect(gc.d).toMatchObject({ id: guildId, owner_id: owner.id, member_count: 2, unavailable: false, voice_states: [] });
    expect(gc.d.channels.map((ch: { name: string }) => ch.name).sort()).toEqual(['General', 'Text Channels', 'Voice Channels', 'general']);
    expect(gc.d.roles.map((r: { id: string }) => r.id)).toEqual([guildId]);
    expect(gc.d.members.map((m: { user: { id: string } }) => m.user.id).sort()).toEqual([owner.id, member.id].sort());
    expect(gc.d.presences).toContainEqual({ user: { id: owner.id }, status: 'online', activities: [], client_status: { web: 'online' } });
    expect(c.schemaErrors).toEqual([]);
  });

  it('accepts a bare token and the Bearer form', async () => {
    const c = track(await GatewayClient.connect(server));
    const ready = await c.identify(`Bearer ${owner.token}`);
    expect(ready.user.id).toBe(owner.id);
  });

  it('answers HEARTBEAT with HEARTBEAT_ACK', async () => {
    const c = track(await GatewayClient.connect(server, { autoHeartbeat: false }));
    await c.waitFor((f) => f.op === 10);
    c.send(1, null);
    await c.waitFor((f) => f.op === 11);
  });

  it('answers REQUEST_GUILD_MEMBERS with GUILD_MEMBERS_CHUNK', async () => {
    const c = track(await connectUser(server, member));
    c.send(8, { guild_id: guildId, query: '', limit: 0, presences: true, nonce: 'n1' });
    const chunk = await c.dispatch('GUILD_MEMBERS_CHUNK', (d) => d.nonce === 'n1');
    expect(chunk.d).toMatchObject({ guild_id: guildId, chunk_index: 0, chunk_count: 1 });
    expect(chunk.d.members).toHaveLength(2);
    c.send(8, { guild_id: guildId, user_ids: [owner.id, '1234'], nonce: 'n2' });
    const byId = await c.dispatch('GUILD_MEMBERS_CHUNK', (d) => d.nonce === 'n2');
    expect(byId.d.members.map((m: { user: { id: string } }) => m.user.id)).toEqual([owner.id]);
    expect(byId.d.not_found).toEqual(['1234']);
    expect(c.schemaErrors).toEqual([]);
  });

  it('compresses with zlib-stream when asked', async () => {
    const { inflateSync, constants } = await import('node:zlib');
    const WebSocket = (await import('ws')).default;
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/gateway?v=10&encoding=json&compress=zlib-stream`);
    const chunks: Buffer[] = [];
    await new Promise<void>((resolve) =>
      ws.on('message', (d: Buffer) => {
        chunks.push(d);
        resolve();
      }),
    );
    const text = inflateSync(Buffer.concat(chunks), { finishFlush: constants.Z_SYNC_FLUSH }).toString();
    expect(JSON.parse(text)).toMatchObject({ op: 10 });
    expect(chunks[chunks.length - 1].subarray(-4).toString('hex')).toBe('0000ffff');
    ws.close();
  });
});

describe('bots', () => {
  it('identify with a bare bot token; intents decide which events they get', async () => {
    const created = await api(server, 'POST', '/users/@me/bots', {
      token: owner.token,
      body: { username: `bot_${Date.now().toString(36)}` },
    });
    expect(created.status).toBe(201);
    const { general } = await createGuildWith(server, owner, []);
    const inv = await api(server, 'POST', `/channels/${general.id}/invites`, { token: owner.token, body: {} });
    expect((await api(server, 'POST', `/invites/${inv.body.code}`, { auth: `Bot ${created.body.token}` })).status).toBe(200);
    const c = track(await GatewayClient.connect(server));
    const ready = await c.identify(created.body.token, { intents: 1 /* GUILDS */ });
    expect(ready.user).toMatchObject({ id: created.body.user.id, bot: true });
    expect(ready.application).toEqual({ id: created.body.user.id, flags: 0 });
    const msg = await api(server, 'POST', `/channels/${general.id}/messages`, {
      token: owner.token,
      body: { content: 'not for bots without GUILD_MESSAGES' },
    });
    expect(msg.status).toBe(200);
    const ch = await api(server, 'POST', `/guilds/${ready.guilds[0].id}/channels`, {
      token: owner.token,
      body: { name: 'for-bots', type: 0 },
    });
    await c.dispatch('CHANNEL_CREATE', (d) => d.id === ch.body.id);
    expect(c.dispatches('MESSAGE_CREATE')).toEqual([]);
  });
});

describe('close codes', () => {
  const closesWith = async (code: number, act: (c: GatewayClient) => Promise<void> | void, query?: string) => {
    const c = track(await GatewayClient.connect(server, { query }));
    if (!query) await c.waitFor((f) => f.op === 10);
    await act(c);
    expect((await c.closed).code).toBe(code);
  };

  it('4001 for an unknown opcode', () => closesWith(4001, (c) => c.send(99, null)));
  it('4002 for a payload that is not JSON', () => closesWith(4002, (c) => c.sendRaw('{nope')));
  it('4002 for JSON without an opcode', () => closesWith(4002, (c) => c.sendRaw('{"d":1}')));
  it('4003 for PRESENCE_UPDATE before IDENTIFY', () =>
    closesWith(4003, (c) => c.send(3, { status: 'idle', since: null, activities: [], afk: false })));
  it('4004 for IDENTIFY with a bad token', () => closesWith(4004, (c) => c.send(2, { token: 'not-a-token', properties: {} })));
  it('4005 for a second IDENTIFY', () =>
    closesWith(4005, async (c) => {
      await c.identify(member.token);
      c.send(2, { token: member.token, properties: {} });
    }));
  it('4007 for RESUME with a seq ahead of the session', async () => {
    const first = track(await connectUser(server, member));
    first.close();
    await first.closed;
    await closesWith(4007, (c) => c.send(6, { token: member.token, session_id: first.sessionId, seq: first.seq + 100 }));
  });
  it('4008 after more than 120 payloads in a minute', () =>
    closesWith(4008, (c) => {
      for (let i = 0; i < 121; i++) c.send(1, null);
    }));
  it('4010 for an invalid shard', () => closesWith(4010, (c) => c.send(2, { token: member.token, properties: {}, shard: [2, 2] })));
  it('4012 for an unsupported API version', () => closesWith(4012, () => {}, '?v=3&encoding=json'));
  it('4013 for invalid intents', () => closesWith(4013, (c) => c.send(2, { token: member.token, properties: {}, intents: 1 << 30 })));

  it('INVALID_SESSION (op 9) for RESUME of an unknown session', async () => {
    const c = track(await GatewayClient.connect(server));
    await c.waitFor((f) => f.op === 10);
    c.send(6, { token: member.token, session_id: 'f'.repeat(32), seq: 3 });
    expect((await c.waitFor((f) => f.op === 9)).d).toBe(false);
  });
});

describe('heartbeat timeout', () => {
  it('closes a session that stops heartbeating with 4009', async () => {
    const fast = await startServer({ env: { HEARTBEAT_INTERVAL_MS: '500' } });
    try {
      const c = await GatewayClient.connect(fast, { autoHeartbeat: false });
      expect((await c.waitFor((f) => f.op === 10)).d.heartbeat_interval).toBe(500);
      const started = Date.now();
      expect((await c.closed).code).toBe(4009);
      expect(Date.now() - started).toBeLessThan(5000);
      const alive = await GatewayClient.connect(fast);
      await alive.identify((await registerUser(fast)).token);
      await new Promise((r) => setTimeout(r, 1500));
      expect(alive.closeCode).toBeUndefined();
      // Shutting the server down asks clients to RECONNECT (op 7) and closes resumably (4000).
      await fast.close();
      expect((await alive.closed).code).toBe(4000);
      expect(alive.frames.some((f) => f.op === 7)).toBe(true);
    } finally {
      await fast.close().catch(() => {});
    }
  });
});
