import { Permissions } from '@retrocast/protocol';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushSubscriptions } from '../db/schema.js';
import { connectUser, quiet } from '../test/gateway.js';
import { api, backend, registerUser, startServer, type TestServer, type TestUser } from '../test/helper.js';
import { addMember, createGuild, setOverwrite, type TestGuild } from '../test/messages-fixtures.js';
import { LocalPushService } from '../test/push-service.js';
import type { NotificationWorker } from './worker.js';

const BATCH_MS = 600;
let server: TestServer;
let push: LocalPushService;
let guild: TestGuild;
let owner: TestUser;
let alice: TestUser;
let vapidKey = '';

const waitFor = async (cond: () => boolean, ms = 30_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
};
/** The presence write follows READY (on Redis a moment later): wait until the worker would see it. */
const statusIs = async (userId: string, status: string) => {
  for (let i = 0; i < 200; i++) {
    if (((await server.app.ctx.presence?.get([userId]))?.get(userId) ?? 'offline') === status) return;
    await quiet(50);
  }
  throw new Error(`presence never became ${status}`);
};
/** Message ids the watched workers have finished deciding about (each feed hands them over in order). */
const handled = new Set<string>();
const workers: NotificationWorker[] = [];
/** Records what a server's notification worker has handled (the real worker runs; this only observes). */
const watch = (s: TestServer) => {
  const worker = s.app.notifications.worker;
  const handle = worker.handle.bind(worker);
  worker.handle = (event) => handle(event).finally(() => handled.add((event.d as { id: string }).id));
  workers.push(worker);
};
let lastSent = '';
/**
 * Returns once the worker has decided about the last message sent and has sent or dropped every
 * batch: a push that is (wrongly) coming has arrived by then, as the push service records it before
 * it answers and the worker waits for that answer.
 */
const settle = async () => {
  if (lastSent) await waitFor(() => handled.has(lastSent));
  await waitFor(() => workers.every((w) => w.idle));
};

const send = async (u: TestUser, channelId: string, content: string) => {
  const res = await api(server, 'POST', `/channels/${channelId}/messages`, { token: u.token, body: { content } });
  expect(res.status).toBe(200);
  lastSent = res.body.id;
  return res.body;
};

beforeAll(async () => {
  push = await LocalPushService.start(() => vapidKey);
  server = await startServer({
    env: { RATE_LIMIT_DISABLED: '1', PUSH_ALLOW_PRIVATE: '127.0.0.1', NOTIFY_BATCH_MS: String(BATCH_MS), PRESENCE_GRACE_MS: '100' },
  });
  watch(server);
  const key = await api(server, 'GET', '/push/vapid-public-key');
  expect(key.status).toBe(200);
  vapidKey = key.body.public_key;
  expect(Buffer.from(vapidKey, 'base64url').length).toBe(65);
  guild = await createGuild(server);
  owner = guild.owner;
  alice = await addMember(server, guild.guildId);
  const sub = await api(server, 'POST', '/users/@me/push-subscriptions', { token: alice.token, body: push.subscribe('alice') });
  expect(sub.status).toBe(204);
});
afterAll(async () => {
  await server?.close();
  await push?.close();
});

describe('push subscriptions', { timeout: 120_000 }, () => {
  it('refuses endpoints that are not https or that point into private networks', async () => {
    const keys = push.subscribe('x').keys;
    const bad = [
      'http://push.example.com/x',
      'https://10.0.0.1/x',
      'https://192.168.1.20/x',
      'https://[::1]/x',
      'https://169.254.169.254/latest',
      'https://user:pw@127.0.0.1/x',
      'ftp://127.0.0.1/x',
      'not a url',
    ];
    for (const endpoint of bad) {
      const res = await api(server, 'POST', '/users/@me/push-subscriptions', { token: alice.token, body: { endpoint, keys } });
      expect(res.status, endpoint).toBe(400);
      expect(res.body.code).toBe(50035);
    }
    const badKeys = await api(server, 'POST', '/users/@me/push-subscriptions', {
      token: alice.token,
      body: { endpoint: `${push.origin}/push/x`, keys: { p256dh: 'short', auth: 'x' } },
    });
    expect(badKeys.status).toBe(400);
    expect((await api(server, 'POST', '/users/@me/push-subscriptions', { body: { endpoint: `${push.origin}/push/x`, keys } })).status).toBe(
      401,
    );
    const rows = await server.app.ctx.db.select().from(pushSubscriptions).where(eq(pushSubscriptions.userId, alice.id));
    expect(rows.map((r) => r.endpoint)).toEqual([`${push.origin}/push/alice`]);
  });

  it('a server without PUSH_ALLOW_PRIVATE refuses the loopback push service', async () => {
    const plain = await startServer();
    const u = await registerUser(plain);
    for (const endpoint of [`${push.origin}/push/nope`, push.origin.replace('http:', 'https:'), 'https://localhost/x']) {
      const res = await api(plain, 'POST', '/users/@me/push-subscriptions', {
        token: u.token,
        body: { ...push.subscribe('nope'), endpoint },
      });
      expect(res.status, endpoint).toBe(400);
    }
    await plain.close();
    // A second server start is slow on a loaded machine.
  }, 180_000);

  it('DELETE removes only the caller’s own subscription', async () => {
    const sub = push.subscribe('temp');
    expect((await api(server, 'POST', '/users/@me/push-subscriptions', { token: alice.token, body: sub })).status).toBe(204);
    expect(
      (await api(server, 'DELETE', '/users/@me/push-subscriptions', { token: owner.token, body: { endpoint: sub.endpoint } })).status,
    ).toBe(404);
    expect(
      (await api(server, 'DELETE', '/users/@me/push-subscriptions', { token: alice.token, body: { endpoint: sub.endpoint } })).status,
    ).toBe(204);
    expect(
      (await api(server, 'DELETE', '/users/@me/push-subscriptions', { token: alice.token, body: { endpoint: sub.endpoint } })).status,
    ).toBe(404);
  });
});

describe('Web Push end to end (local push service verifies VAPID and decrypts)', { timeout: 120_000 }, () => {
  it('a mention while offline arrives, signed and encrypted, with the right title and channel URL', async () => {
    const before = push.for('alice').length;
    await send(owner, guild.channelId, `hey <@${alice.id}> look at <#${guild.channelId}>`);
    await waitFor(() => push.for('alice').length > before);
    expect(push.errors).toEqual([]);
    const got = push.for('alice')[before];
    expect(got.jwt.aud).toBe(push.origin);
    expect(got.payload).toMatchObject({
      title: `${owner.username} (#general, Message Tests)`,
      body: `hey @${alice.username} look at #general`,
      url: `/channels/${guild.guildId}/${guild.channelId}`,
      channel_id: guild.channelId,
      guild_id: guild.guildId,
      count: 1,
    });
    expect(got.headers.urgency).toBe('high');
  });

  it('a burst becomes one push: "3 new messages in #general"', async () => {
    await settle();
    const before = push.for('alice').length;
    await send(owner, guild.channelId, 'one');
    await send(owner, guild.channelId, 'two');
    await send(owner, guild.channelId, 'three');
    await waitFor(() => push.for('alice').length > before);
    await settle();
    const got = push.for('alice').slice(before);
    expect(got.length).toBe(1);
    expect(got[0].payload).toMatchObject({ body: '3 new messages in #general', count: 3, title: '#general (Message Tests)' });
  });

  it('no push while a session of theirs is active; one when it is idle; none under DND or a muted channel', async () => {
    await settle();
    const before = push.for('alice').length;
    const online = await connectUser(server, alice);
    await statusIs(alice.id, 'online');
    await send(owner, guild.channelId, `online <@${alice.id}>`);
    await settle();
    expect(push.for('alice').length).toBe(before);
    online.close(1000);
    await statusIs(alice.id, 'offline');

    const idle = await connectUser(server, alice, { presence: { status: 'idle', since: null, activities: [], afk: true } });
    await statusIs(alice.id, 'idle');
    await send(owner, guild.channelId, `idle <@${alice.id}>`);
    await waitFor(() => push.for('alice').length > before);
    expect(push.for('alice').at(-1)?.payload.body).toBe(`idle @${alice.username}`);
    idle.close(1000);

    const dnd = await connectUser(server, alice, { presence: { status: 'dnd', since: null, activities: [], afk: false } });
    await statusIs(alice.id, 'dnd');
    const n = push.for('alice').length;
    await send(owner, guild.channelId, `dnd <@${alice.id}>`);
    await settle();
    expect(push.for('alice').length).toBe(n);
    dnd.close(1000);
    // Offline again, so that only the mute can keep the next push back.
    await statusIs(alice.id, 'offline');

    const mute = await api(server, 'PATCH', `/users/@me/guilds/${guild.guildId}/settings`, {
      token: alice.token,
      body: { channel_overrides: { [guild.channelId]: { muted: true } } },
    });
    expect(mute.status).toBe(200);
    await send(owner, guild.channelId, `muted <@${alice.id}>`);
    await settle();
    expect(push.for('alice').length).toBe(n);
    await api(server, 'PATCH', `/users/@me/guilds/${guild.guildId}/settings`, {
      token: alice.token,
      body: { channel_overrides: { [guild.channelId]: { muted: false } } },
    });
  });

  it('never sends content of a channel the recipient can no longer see', async () => {
    await settle();
    const n = push.for('alice').length;
    await send(owner, guild.channelId, `secret <@${alice.id}>`);
    await setOverwrite(server, guild.channelId, alice.id, 1, 0n, Permissions.VIEW_CHANNEL);
    await settle();
    expect(push.for('alice').length).toBe(n);
    await api(server, 'DELETE', `/channels/${guild.channelId}/permissions/${alice.id}`, { token: owner.token });
  });

  it('a DM notifies with the author as title and opens /channels/@me/…', async () => {
    const dm = await api(server, 'POST', '/users/@me/channels', { token: owner.token, body: { recipient_id: alice.id } });
    await settle();
    const n = push.for('alice').length;
    await send(owner, dm.body.id, 'psst');
    await waitFor(() => push.for('alice').length > n);
    expect(push.for('alice').at(-1)?.payload).toMatchObject({
      title: owner.username,
      body: 'psst',
      url: `/channels/@me/${dm.body.id}`,
      guild_id: null,
    });
  });

  it('a subscription the push service answers 410 for is deleted', async () => {
    const bob = await addMember(server, guild.guildId);
    expect((await api(server, 'POST', '/users/@me/push-subscriptions', { token: bob.token, body: push.subscribe('bob') })).status).toBe(
      204,
    );
    push.answer.set('bob', 410);
    await send(owner, guild.channelId, `gone <@${bob.id}>`);
    await waitFor(() => push.for('bob').length === 1);
    const rows = () => server.app.ctx.db.select().from(pushSubscriptions).where(eq(pushSubscriptions.userId, bob.id));
    for (let i = 0; i < 100 && (await rows()).length; i++) await quiet(50);
    expect(await rows()).toEqual([]);
    expect(push.errors).toEqual([]);
  });
});

describe.skipIf(backend !== 'postgres' || !process.env.TEST_REDIS_URL)('two instances sharing Redis', { timeout: 180_000 }, () => {
  it('one mention produces exactly one push (consumer group)', async () => {
    const second = await startServer({ shareWith: server });
    watch(second);
    try {
      const carol = await addMember(server, guild.guildId);
      expect(
        (await api(second, 'POST', '/users/@me/push-subscriptions', { token: carol.token, body: push.subscribe('carol') })).status,
      ).toBe(204);
      await settle();
      for (let i = 0; i < 3; i++) {
        await send(owner, guild.channelId, `once <@${carol.id}> #${i}`);
        await waitFor(() => push.for('carol').length === i + 1);
        await settle();
        expect(push.for('carol').length).toBe(i + 1);
      }
      expect(push.for('carol').map((p) => p.payload.body)).toEqual([0, 1, 2].map((i) => `once @${carol.username} #${i}`));
    } finally {
      workers.pop();
      await second.close();
    }
  }, 180_000);
});
