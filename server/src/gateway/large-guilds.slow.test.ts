import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectUser, createGuildWith, type GatewayClient, quiet } from '../test/gateway.js';
import { api, registerUser, startServer, type TestServer, type TestUser } from '../test/helper.js';

/**
 * A guild of 1,002 members (slow: every one registers and joins through the real routes): op 8
 * answers "everyone" in two GUILD_MEMBERS_CHUNKs (1,000 + 2) and GUILD_CREATE stays small even at
 * the highest large_threshold.
 */
let server: TestServer;
let owner: TestUser;
const joiners: TestUser[] = [];
let guildId: string;
const clients: GatewayClient[] = [];

beforeAll(async () => {
  // 1,002 registrations in well under a minute: above the test default of 1,000 per minute.
  server = await startServer({ env: { AUTH_RATE_LIMIT_PER_MINUTE: '5000', RATE_LIMIT_DISABLED: '1' } });
  owner = await registerUser(server);
  const g = await createGuildWith(server, owner);
  guildId = g.guild.id;
  const invite = await api(server, 'POST', `/channels/${g.general.id}/invites`, { token: owner.token, body: { max_age: 0 } });
  const names = Array.from({ length: 1001 }, (_, i) => `m${String(i).padStart(4, '0')}`);
  for (let i = 0; i < names.length; i += 16) {
    const batch = await Promise.all(
      names.slice(i, i + 16).map(async (n) => {
        const u = await registerUser(server, n);
        const r = await api(server, 'POST', `/invites/${invite.body.code}`, { token: u.token });
        if (r.status !== 200) throw new Error(`join: ${r.status}`);
        return u;
      }),
    );
    joiners.push(...batch);
  }
  for (const u of joiners.slice(0, 3)) clients.push(await connectUser(server, u));
}, 600_000);

afterAll(async () => {
  for (const c of clients) c.close();
  await server?.close();
});

describe('a guild of 1,002 members', () => {
  it('op 8 query "" + limit 0: everyone in chunks of ≤ 1000 with chunk_index/chunk_count, the nonce on each', async () => {
    const c = await connectUser(server, owner);
    clients.push(c);
    c.send(8, { guild_id: guildId, query: '', limit: 0, presences: true, nonce: 'all' });
    await c.dispatch('GUILD_MEMBERS_CHUNK', (d) => d.nonce === 'all' && d.chunk_index === 1, 60_000);
    await quiet(300);
    const chunks = c.dispatches('GUILD_MEMBERS_CHUNK').map((f) => f.d);
    expect(chunks.map((d) => [d.chunk_index, d.chunk_count, d.members.length, d.nonce])).toEqual([
      [0, 2, 1000, 'all'],
      [1, 2, 2, 'all'],
    ]);
    const ids = chunks.flatMap((d) => d.members.map((m: { user: { id: string } }) => m.user.id));
    expect(new Set(ids).size).toBe(1002);
    // Each chunk's presences belong to that chunk's members; all present ones are there.
    const present = new Set<string>();
    for (const d of chunks) {
      const mine = new Set(d.members.map((m: { user: { id: string } }) => m.user.id));
      for (const p of d.presences) {
        expect(mine.has(p.user.id)).toBe(true);
        present.add(p.user.id);
      }
    }
    for (const u of joiners.slice(0, 3)) expect(present.has(u.id)).toBe(true);
    expect(c.schemaErrors).toEqual([]);
  });

  it('a prefix search returns at most 100 even with limit 0 or a larger limit', async () => {
    const c = clients[clients.length - 1];
    c.send(8, { guild_id: guildId, query: 'm0', limit: 0, nonce: 'm0' });
    c.send(8, { guild_id: guildId, query: 'm', limit: 500, nonce: 'm' });
    expect((await c.dispatch('GUILD_MEMBERS_CHUNK', (d) => d.nonce === 'm0')).d.members).toHaveLength(100);
    expect((await c.dispatch('GUILD_MEMBERS_CHUNK', (d) => d.nonce === 'm')).d.members).toHaveLength(100);
  });

  it('GUILD_CREATE at large_threshold 250 lists only who is present and oneself', async () => {
    const c = await connectUser(server, joiners[500], { large_threshold: 250 });
    clients.push(c);
    const gc = c.dispatches('GUILD_CREATE').find((f) => f.d.id === guildId)?.d;
    expect(gc).toMatchObject({ large: true, member_count: 1002 });
    const listed = gc.members.map((m: { user: { id: string } }) => m.user.id).sort();
    expect(listed).toEqual([owner.id, ...joiners.slice(0, 3).map((u) => u.id), joiners[500].id].sort());
  });
});
