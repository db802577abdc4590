import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectUser, createGuildWith, GatewayClient, quiet } from '../test/gateway.js';
import { api, registerUser, startServer, type TestServer, type TestUser } from '../test/helper.js';
import { createVoiceGuild, FAKE_LIVEKIT, joinVoice } from '../test/voice-fixtures.js';

/**
 * Large guilds (IDENTIFY `large_threshold`, Discord's default 50): GUILD_CREATE lists only present
 * members, voice members and oneself; op 8 REQUEST_GUILD_MEMBERS serves the rest.
 */
let server: TestServer;
let owner: TestUser;
/** 60 members besides the owner: 61 in all, above the default threshold of 50. */
const members: TestUser[] = [];
let guildId: string;
let voiceId: string;
let outsider: TestUser;
let otherGuildId: string;
const clients: GatewayClient[] = [];
const track = <T extends GatewayClient>(c: T) => {
  clients.push(c);
  return c;
};

type WireMember = { user: { id: string; username: string } };
const idsOf = (list: WireMember[]) => list.map((m) => m.user.id).sort();
const sorted = (...ids: string[]) => [...new Set(ids)].sort();

/** Present: 0 and 1 online, 2 dnd. 3 is invisible (shows offline), 4 sits in voice without a gateway session. */
const ONLINE = [0, 1, 2];

beforeAll(async () => {
  server = await startServer({ env: FAKE_LIVEKIT });
  const g = await createVoiceGuild(server);
  owner = g.owner;
  guildId = g.guildId;
  voiceId = g.voiceId;
  const invite = await api(server, 'POST', `/channels/${g.textId}/invites`, { token: owner.token, body: { max_age: 0 } });
  // quill_0..quill_2 share a prefix for the search tests; the rest do not.
  const names = Array.from({ length: 60 }, (_, i) => (i < 3 ? `quill_${i}` : `member_${String(i).padStart(2, '0')}`));
  for (let i = 0; i < names.length; i += 10) {
    const batch = await Promise.all(names.slice(i, i + 10).map((n) => registerUser(server, n)));
    members.push(...batch);
  }
  for (let i = 0; i < members.length; i += 10) {
    await Promise.all(
      members.slice(i, i + 10).map(async (u) => {
        const r = await api(server, 'POST', `/invites/${invite.body.code}`, { token: u.token });
        if (r.status !== 200) throw new Error(`join: ${r.status}`);
      }),
    );
  }
  outsider = await registerUser(server, 'outsider');
  otherGuildId = (await createGuildWith(server, outsider)).guild.id;
  track(await connectUser(server, members[0]));
  track(await connectUser(server, members[1]));
  track(await connectUser(server, members[2], { presence: { status: 'dnd', activities: [] } }));
  track(await connectUser(server, members[3], { presence: { status: 'invisible', activities: [] } }));
  const v = await joinVoice(server, members[4], voiceId);
  if (v.status !== 200) throw new Error(`voice join: ${v.status} ${JSON.stringify(v.body)}`);
  await quiet(300);
}, 240_000);

afterAll(async () => {
  for (const c of clients) c.close();
  await server?.close();
});

const guildCreate = (c: GatewayClient, id = guildId) => c.dispatches('GUILD_CREATE').find((f) => f.d.id === id)?.d;

/**
 * What a large guild's GUILD_CREATE must hold whoever else happens to be connected: exactly the
 * members with a presence, those in voice, and oneself; never the invisible one; fewer than all.
 */
function expectLarge(gc: any, selfId: string) {
  expect(gc.large).toBe(true);
  const listed = idsOf(gc.members);
  const present = gc.presences.map((p: { user: { id: string } }) => p.user.id);
  const voice = gc.voice_states.map((v: { user_id: string }) => v.user_id);
  expect(listed).toEqual(sorted(...present, ...voice, selfId));
  for (const i of [...ONLINE, 4]) expect(listed).toContain(members[i].id);
  expect(listed).not.toContain(members[3].id);
  expect(listed.length).toBeLessThan(gc.member_count);
}

describe('GUILD_CREATE of a guild above large_threshold', () => {
  it('sends large: true, member_count, and only present, voice and own members (default threshold 50)', async () => {
    const viewer = members[10];
    const c = track(await connectUser(server, viewer));
    const gc = guildCreate(c);
    expect(gc).toMatchObject({ large: true, member_count: 61 });
    const present = ONLINE.map((i) => members[i].id);
    expect(idsOf(gc.members)).toEqual(sorted(...present, members[4].id, viewer.id));
    // Presences: those present, never the invisible one (and no one offline).
    const seen = gc.presences.map((p: { user: { id: string } }) => p.user.id).filter((id: string) => id !== viewer.id);
    expect(seen.sort()).toEqual(sorted(...present));
    expect(gc.voice_states.map((v: { user_id: string }) => v.user_id)).toEqual([members[4].id]);
    expect(c.schemaErrors).toEqual([]);
  });

  it('a guild below the threshold sends every member, large: false', async () => {
    const c = track(await connectUser(server, outsider));
    expect(guildCreate(c, otherGuildId)).toMatchObject({ large: false, member_count: 1, members: [{ user: { id: outsider.id } }] });
  });

  it('respects large_threshold: 100 and 250 send all 61; 10 is clamped to 50; 1000 to 250', async () => {
    for (const [threshold, large] of [
      [100, false],
      [250, false],
      [10, true],
      [1000, false],
    ] as const) {
      const c = track(await connectUser(server, members[11], { large_threshold: threshold }));
      const gc = guildCreate(c);
      if (large) expectLarge(gc, members[11].id);
      else expect(gc, `large_threshold ${threshold}`).toMatchObject({ large: false, member_count: 61, members: expect.any(Array) });
      if (!large) expect(gc.members).toHaveLength(61);
      c.close(1000);
    }
  });

  it('closes 4002 for a large_threshold that is not an integer', async () => {
    for (const bad of ['100', 60.5, true, {}]) {
      const c = track(await GatewayClient.connect(server));
      await c.waitFor((f) => f.op === 10);
      c.send(2, { token: members[12].token, properties: {}, large_threshold: bad });
      expect((await c.closed).code).toBe(4002);
    }
  });

  it('a member the client was never sent comes online: PRESENCE_UPDATE carries the whole user', async () => {
    const c = track(await connectUser(server, members[13]));
    const newcomer = members[20];
    expect(idsOf(guildCreate(c).members)).not.toContain(newcomer.id);
    const from = c.frames.length;
    const other = track(await connectUser(server, newcomer));
    const p = await c.dispatch('PRESENCE_UPDATE', (d) => d.user.id === newcomer.id && d.guild_id === guildId, 10_000, from);
    expect(p.d).toMatchObject({ status: 'online', user: { id: newcomer.id, username: newcomer.username, avatar: null } });
    other.close(1000);
  });
});

describe('op 8 REQUEST_GUILD_MEMBERS in a large guild (a user session)', () => {
  let c: GatewayClient;
  beforeAll(async () => {
    c = track(await connectUser(server, members[30]));
  });
  const chunks = async (nonce: string) => {
    const first = await c.dispatch('GUILD_MEMBERS_CHUNK', (d) => d.nonce === nonce);
    await quiet(200);
    expect(c.schemaErrors).toEqual([]);
    return [first, ...c.dispatches('GUILD_MEMBERS_CHUNK').filter((f) => f.d.nonce === nonce && f !== first)].map((f) => f.d);
  };

  it('query is a case-insensitive prefix of username, display name or nickname, up to limit', async () => {
    c.send(8, { guild_id: guildId, query: 'QUILL', limit: 2, nonce: 'q2' });
    const [two] = await chunks('q2');
    expect(two.members).toHaveLength(2);
    for (const m of two.members) expect(m.user.username).toMatch(/^quill_/);
    c.send(8, { guild_id: guildId, query: 'quill', limit: 10, nonce: 'q10' });
    const [all] = await chunks('q10');
    expect(idsOf(all.members)).toEqual(sorted(members[0].id, members[1].id, members[2].id));
    const nick = await api(server, 'PATCH', `/guilds/${guildId}/members/${members[40].id}`, {
      token: owner.token,
      body: { nick: 'Quillon' },
    });
    expect(nick.status).toBe(200);
    c.send(8, { guild_id: guildId, query: 'quillo', limit: 10, nonce: 'nick' });
    const [byNick] = await chunks('nick');
    expect(idsOf(byNick.members)).toEqual([members[40].id]);
    c.send(8, { guild_id: guildId, query: 'nobody_', limit: 10, nonce: 'none' });
    expect(await chunks('none')).toEqual([{ guild_id: guildId, members: [], chunk_index: 0, chunk_count: 1, nonce: 'none' }]);
  });

  it('user_ids returns those members and reports the rest in not_found', async () => {
    c.send(8, { guild_id: guildId, user_ids: [members[5].id, members[6].id, outsider.id], nonce: 'ids' });
    const [got] = await chunks('ids');
    expect(idsOf(got.members)).toEqual(sorted(members[5].id, members[6].id));
    expect(got.not_found).toEqual([outsider.id]);
  });

  it('query "" with limit 0 is everyone, with presences of those present when asked, and the nonce echoed', async () => {
    c.send(8, { guild_id: guildId, query: '', limit: 0, presences: true, nonce: 'everyone' });
    const list = await chunks('everyone');
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ chunk_index: 0, chunk_count: 1, nonce: 'everyone' });
    expect(list[0].members).toHaveLength(61);
    const present = list[0].presences.map((p: { user: { id: string } }) => p.user.id);
    for (const i of ONLINE) expect(present).toContain(members[i].id);
    expect(present).not.toContain(members[3].id);
    expect(present).not.toContain(members[50].id);
  });

  it('a nonce over 32 bytes is ignored (the chunk carries none)', async () => {
    c.send(8, { guild_id: guildId, user_ids: [members[7].id], nonce: 'x'.repeat(33) });
    const f = await c.dispatch('GUILD_MEMBERS_CHUNK', (d) => d.members[0]?.user.id === members[7].id && !('nonce' in d));
    expect(f.d.chunk_count).toBe(1);
  });

  it('says nothing about guilds the requester is not in', async () => {
    const from = c.frames.length;
    c.send(8, { guild_id: otherGuildId, query: '', limit: 0, nonce: 'other' });
    c.send(8, { guild_id: otherGuildId, user_ids: [outsider.id], nonce: 'other-ids' });
    c.send(8, { guild_id: [otherGuildId, guildId], user_ids: [outsider.id, members[8].id], nonce: 'mixed' });
    const mixed = await chunks('mixed');
    expect(mixed).toEqual([expect.objectContaining({ guild_id: guildId, not_found: [outsider.id] })]);
    const leaked = c.frames.slice(from).filter((f) => JSON.stringify(f.d ?? null).includes(otherGuildId));
    expect(leaked).toEqual([]);
  });

  it('closes 4002 for more than 100 user_ids', async () => {
    const d = await connectUser(server, members[31]);
    d.send(8, { guild_id: guildId, user_ids: Array.from({ length: 101 }, (_, i) => String(10n ** 17n + BigInt(i))) });
    expect((await d.closed).code).toBe(4002);
  });
});

describe('joining a large guild', () => {
  it('the same user joining a large guild gets it the same way (GUILD_CREATE built for the join)', async () => {
    const late = await registerUser(server, 'late_joiner');
    const c = track(await connectUser(server, late));
    const from = c.frames.length;
    const invite = await api(server, 'POST', `/channels/${voiceId}/invites`, { token: owner.token, body: {} });
    expect((await api(server, 'POST', `/invites/${invite.body.code}`, { token: late.token })).status).toBe(200);
    const gc = await c.dispatch('GUILD_CREATE', (d) => d.id === guildId, 10_000, from);
    expect(gc.d.member_count).toBe(62);
    expectLarge(gc.d, late.id);
  });
});
