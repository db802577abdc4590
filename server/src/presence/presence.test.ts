import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectUser, createGuildWith, GatewayClient, quiet } from '../test/gateway.js';
import { api, backend, registerUser, startServer, type TestServer, type TestUser } from '../test/helper.js';

let server: TestServer;
let watcher: TestUser;
let alice: TestUser;
let guildId: string;
let w: GatewayClient;

beforeAll(async () => {
  server = await startServer({ env: { PRESENCE_GRACE_MS: '1000' } });
  [watcher, alice] = await Promise.all([registerUser(server), registerUser(server)]);
  guildId = (await createGuildWith(server, watcher, [alice])).guild.id;
  w = await connectUser(server, watcher);
});
afterAll(async () => {
  w?.close(1000);
  await server?.close();
});

/** The next PRESENCE_UPDATE about alice after frame index `from`. */
const next = (from: number) => w.waitFor((f) => f.t === 'PRESENCE_UPDATE' && f.d.user.id === alice.id, 8000, from);
const updatesSince = (from: number) =>
  w.frames
    .slice(from)
    .filter((f) => f.t === 'PRESENCE_UPDATE' && f.d.user.id === alice.id)
    .map((f) => f.d.status);

describe('presence', () => {
  it('goes online, idle, online (most present session wins), and offline after the grace period', async () => {
    let from = w.frames.length;
    const a1 = await connectUser(server, alice);
    expect((await next(from)).d).toEqual({
      // Just the id in a guild this small: GUILD_CREATE carried every member (large-guilds.test.ts has the other case).
      user: { id: alice.id },
      guild_id: guildId,
      status: 'online',
      activities: [],
      client_status: { web: 'online' },
    });

    from = w.frames.length;
    a1.send(3, { since: null, activities: [], status: 'idle', afk: true });
    expect((await next(from)).d.status).toBe('idle');

    from = w.frames.length;
    const a2 = await connectUser(server, alice, { presence: { status: 'online', since: null, activities: [], afk: false } });
    expect((await next(from)).d.status).toBe('online');

    from = w.frames.length;
    a2.close(1000);
    const started = Date.now();
    expect((await next(from)).d.status).toBe('idle');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);

    from = w.frames.length;
    a1.close(1000);
    expect((await next(from)).d.status).toBe('offline');
    expect(w.schemaErrors).toEqual([]);
  });

  it('shows invisible as offline to others', async () => {
    const from = w.frames.length;
    const a = await connectUser(server, alice, { presence: { status: 'invisible', since: null, activities: [], afk: false } });
    await quiet(200);
    expect(updatesSince(from)).toEqual([]);
    a.send(3, { since: null, activities: [], status: 'dnd', afk: false });
    expect((await next(from)).d.status).toBe('dnd');
    const back = w.frames.length;
    a.send(3, { since: null, activities: [], status: 'invisible', afk: false });
    expect((await next(back)).d.status).toBe('offline');
    a.close(1000);
  });

  it('does not flicker offline when a dropped client resumes within the grace period', async () => {
    const from = w.frames.length;
    const a = await connectUser(server, alice);
    await next(from);
    a.drop();
    const again = await GatewayClient.connect(server);
    await again.waitFor((f) => f.op === 10);
    again.send(6, { token: alice.token, session_id: a.sessionId, seq: a.seq });
    await again.dispatch('RESUMED');
    await quiet(500);
    expect(updatesSince(from)).toEqual(['online']);
    again.close(1000);
    await w.waitFor((f) => f.t === 'PRESENCE_UPDATE' && f.d.status === 'offline', 8000, from);
  });

  it('lists online members in GUILD_CREATE presences', async () => {
    const a = await connectUser(server, alice);
    const other = await connectUser(server, watcher);
    const gc = other.dispatches('GUILD_CREATE').find((f) => f.d.id === guildId);
    expect(gc?.d.presences.map((p: { user: { id: string } }) => p.user.id).sort()).toEqual([alice.id, watcher.id].sort());
    a.close(1000);
    other.close(1000);
  });

  it('tells existing members the presence of someone who joins, and gives the joiner theirs', async () => {
    const [owner, newcomer, ghost] = await Promise.all([registerUser(server), registerUser(server), registerUser(server)]);
    const { general, guild } = await createGuildWith(server, owner);
    const inv = await api(server, 'POST', `/channels/${general.id}/invites`, { token: owner.token, body: {} });
    const o = await connectUser(server, owner);
    const n = await connectUser(server, newcomer, { presence: { status: 'dnd', since: null, activities: [], afk: false } });
    const g = await connectUser(server, ghost, { presence: { status: 'invisible', since: null, activities: [], afk: false } });
    await quiet(200);

    const from = o.frames.length;
    expect((await api(server, 'POST', `/invites/${inv.body.code}`, { token: newcomer.token })).status).toBe(200);
    const add = await o.waitFor((f) => f.t === 'GUILD_MEMBER_ADD' && f.d.user.id === newcomer.id, 5000, from);
    const p = await o.waitFor((f) => f.t === 'PRESENCE_UPDATE' && f.d.user.id === newcomer.id, 5000, from);
    expect(o.frames.indexOf(p)).toBeGreaterThan(o.frames.indexOf(add));
    expect(p.d).toMatchObject({ guild_id: guild.id, status: 'dnd' });
    const gc = await n.waitFor((f) => f.t === 'GUILD_CREATE' && f.d.id === guild.id);
    const listed = gc.d.presences.map((x: { user: { id: string }; status: string }) => [x.user.id, x.status]);
    expect(new Map(listed)).toEqual(
      new Map([
        [owner.id, 'online'],
        [newcomer.id, 'dnd'],
      ]),
    );

    // Invisible joiners stay offline to the others.
    const mid = o.frames.length;
    expect((await api(server, 'POST', `/invites/${inv.body.code}`, { token: ghost.token })).status).toBe(200);
    await o.waitFor((f) => f.t === 'GUILD_MEMBER_ADD' && f.d.user.id === ghost.id, 5000, mid);
    await quiet(300);
    expect(o.frames.slice(mid).filter((f) => f.t === 'PRESENCE_UPDATE')).toEqual([]);
    expect(n.frames.filter((f) => f.t === 'PRESENCE_UPDATE' && f.d.user.id === ghost.id)).toEqual([]);
    expect([o, n, g].flatMap((c) => c.schemaErrors)).toEqual([]);
    for (const c of [o, n, g]) c.close(1000);
  });

  it('sends a status change at once even while a dropped connection is in its grace period', async () => {
    await quiet(1200); // alice's earlier sessions are past their grace: she is offline
    let from = w.frames.length;
    const a1 = await connectUser(server, alice);
    await next(from);
    a1.drop();
    const a2 = await connectUser(server, alice);
    await quiet(100);
    from = w.frames.length;
    const started = Date.now();
    a2.send(3, { since: null, activities: [], status: 'idle', afk: true });
    expect((await next(from)).d.status).toBe('idle');
    expect(Date.now() - started).toBeLessThan(700);
    // The dropped session's grace ending changes nothing more.
    await quiet(1200);
    expect(updatesSince(from)).toEqual(['idle']);
    a2.close(1000);
    await w.waitFor((f) => f.t === 'PRESENCE_UPDATE' && f.d.user.id === alice.id && f.d.status === 'offline', 8000, from);
  });
});

describe('activities', () => {
  const dice = { name: 'dice', type: 0 };
  const names = (ps: Array<{ user: { id: string }; activities: Array<{ name: string }> }>, id: string) =>
    ps.find((p) => p.user.id === id)?.activities.map((a) => a.name);

  it("are kept: READY (friends), GUILD_CREATE and op 8 show them, another session's status change keeps them", async () => {
    const [carol, dave] = await Promise.all([registerUser(server), registerUser(server)]);
    const { guild } = await createGuildWith(server, carol, [dave]);
    expect((await api(server, 'PUT', `/users/@me/relationships/${dave.id}`, { token: carol.token, body: {} })).status).toBe(204);
    expect((await api(server, 'PUT', `/users/@me/relationships/${carol.id}`, { token: dave.token, body: {} })).status).toBe(204);
    const d1 = await connectUser(server, dave, { presence: { status: 'idle', since: null, activities: [dice], afk: false } });
    await quiet(200);

    const c = await connectUser(server, carol);
    const ready = c.dispatches('READY')[0];
    expect(names(ready.d.presences, dave.id)).toEqual(['dice']);
    const gc = c.dispatches('GUILD_CREATE').find((f) => f.d.id === guild.id);
    expect(names(gc?.d.presences, dave.id)).toEqual(['dice']);
    c.send(8, { guild_id: guild.id, query: '', limit: 0, presences: true, nonce: 'p' });
    const chunk = await c.dispatch('GUILD_MEMBERS_CHUNK', (d) => d.nonce === 'p');
    expect(names(chunk.d.presences, dave.id)).toEqual(['dice']);

    // A second session (a web tab, no activities) goes dnd: the game stays.
    let from = c.frames.length;
    const d2 = await connectUser(server, dave, { presence: { status: 'dnd', since: null, activities: [], afk: false } });
    const dnd = await c.waitFor((f) => f.t === 'PRESENCE_UPDATE' && f.d.user.id === dave.id && f.d.guild_id === guild.id, 8000, from);
    expect(dnd.d).toMatchObject({ status: 'dnd', activities: [expect.objectContaining(dice)] });

    // The session that set it ends: the game goes with it (after the grace period), dnd stays.
    from = c.frames.length;
    d1.close(1000);
    const gone = await c.waitFor((f) => f.t === 'PRESENCE_UPDATE' && f.d.user.id === dave.id && f.d.guild_id === guild.id, 8000, from);
    expect(gone.d).toMatchObject({ status: 'dnd', activities: [] });

    // Invisible shows no game; back online it shows again.
    from = c.frames.length;
    d2.send(3, { since: null, status: 'online', afk: false, activities: [{ type: 4, state: 'brb', name: 'Custom Status' }] });
    const custom = await c.waitFor((f) => f.t === 'PRESENCE_UPDATE' && f.d.user.id === dave.id && f.d.guild_id === guild.id, 8000, from);
    expect(custom.d.activities).toEqual([expect.objectContaining({ type: 4, name: 'Custom Status', state: 'brb' })]);
    from = c.frames.length;
    d2.send(3, { since: null, status: 'invisible', afk: false, activities: [{ type: 4, state: 'brb', name: 'Custom Status' }] });
    const off = await c.waitFor((f) => f.t === 'PRESENCE_UPDATE' && f.d.user.id === dave.id && f.d.guild_id === guild.id, 8000, from);
    expect(off.d).toMatchObject({ status: 'offline', activities: [] });
    const late = await connectUser(server, carol);
    expect(names(late.dispatches('GUILD_CREATE').find((f) => f.d.id === guild.id)?.d.presences ?? [], dave.id)).toBeUndefined();
    from = c.frames.length;
    d2.send(3, { since: null, status: 'online', afk: false, activities: [{ type: 4, state: 'brb', name: 'Custom Status' }] });
    const back = await c.waitFor((f) => f.t === 'PRESENCE_UPDATE' && f.d.user.id === dave.id && f.d.guild_id === guild.id, 8000, from);
    expect(back.d).toMatchObject({ status: 'online', activities: [expect.objectContaining({ state: 'brb' })] });
    expect([c, late, d1, d2].flatMap((x) => x.schemaErrors)).toEqual([]);
    for (const x of [c, late, d2]) x.close(1000);
  });
});

describe.runIf(backend === 'postgres' && !!process.env.TEST_REDIS_URL)('presence across instances', () => {
  it('a status change on one instance ends the grace of a session dropped on another at once', async () => {
    const two = await startServer({ shareWith: server });
    try {
      await quiet(1200); // alice is offline after the tests above
      let from = w.frames.length;
      const a1 = await connectUser(server, alice);
      await next(from);
      a1.drop();
      const a2 = await connectUser(two, alice);
      await quiet(100);
      from = w.frames.length;
      const started = Date.now();
      a2.send(3, { since: null, activities: [], status: 'dnd', afk: false });
      expect((await next(from)).d.status).toBe('dnd');
      expect(Date.now() - started).toBeLessThan(700);
      await quiet(1200);
      expect(updatesSince(from)).toEqual(['dnd']);
      a2.close(1000);
    } finally {
      await two.close();
    }
  });
});
