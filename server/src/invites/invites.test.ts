import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusEvent } from '../bus/types.js';
import { connectUser } from '../test/gateway.js';
import { createGuild, expectValidDispatches, join, type TestGuild } from '../test/guild-fixtures.js';
import { api, registerUser, startServer, type TestServer, type TestUser } from '../test/helper.js';

let server: TestServer;
let owner: TestUser;
let crowd: TestUser[];
let g: TestGuild;
const events: BusEvent[] = [];
/** Every event of the suite (`events` is cleared per test). */
const seen: BusEvent[] = [];

const memberIds = async () =>
  (await api(server, 'GET', `/guilds/${g.id}/members?limit=1000`, { token: owner.token })).body.map(
    (m: { user: { id: string } }) => m.user.id,
  ) as string[];

beforeAll(async () => {
  // Cheap password hashing: this suite registers 50 users.
  server = await startServer({ env: { ARGON2_MEMORY_KIB: '1024' } });
  server.app.ctx.bus.subscribe((e) => {
    events.push(e);
    seen.push(e);
  });
  owner = await registerUser(server);
  crowd = await Promise.all(Array.from({ length: 50 }, () => registerUser(server)));
  g = await createGuild(server, owner, 'Invites');
});
afterAll(() => server?.close());

describe('POST /channels/:id/invites, GET/POST /invites/:code', () => {
  it('create → public preview with counts → accept joins and emits GUILD_CREATE to the joiner', async () => {
    const [guest] = crowd;
    const inv = await api(server, 'POST', `/channels/${g.generalId}/invites`, {
      token: owner.token,
      body: { max_age: 3600, max_uses: 5, unique: true },
    });
    expect(inv.status).toBe(200);
    expect(inv.body.code).toMatch(/^[A-Za-z0-9_-]{8,}$/);
    expect(inv.body).toMatchObject({
      guild: { id: g.id },
      channel: { id: g.generalId },
      max_uses: 5,
      max_age: 3600,
      uses: 0,
      inviter: { id: owner.id },
    });
    const preview = await api(server, 'GET', `/invites/${inv.body.code}?with_counts=true`);
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({
      code: inv.body.code,
      guild: { id: g.id, name: 'Invites' },
      approximate_member_count: 1,
      approximate_presence_count: 0,
    });
    events.length = 0;
    const accept = await api(server, 'POST', `/invites/${inv.body.code}`, { token: guest.token });
    expect(accept.status).toBe(200);
    expect(accept.body).toMatchObject({ guild: { id: g.id }, new_member: true });
    expect(await memberIds()).toContain(guest.id);
    const create = events.find((e) => e.t === 'GUILD_CREATE');
    expect(create).toMatchObject({ user_ids: [guest.id], meta: { join: guest.id } });
    expect((create?.d as { members: unknown[] } | undefined)?.members).toHaveLength(2);
    expect(events.find((e) => e.t === 'GUILD_MEMBER_ADD')).toMatchObject({ guild_id: g.id, d: { user: { id: guest.id }, guild_id: g.id } });
    // Accepting again as a member succeeds without using the invite.
    expect((await api(server, 'POST', `/invites/${inv.body.code}`, { token: guest.token })).body.new_member).toBe(false);
    expect((await api(server, 'GET', `/invites/${inv.body.code}`)).body.uses).toBe(1);
  });

  it('the preview counts online members once they are connected to the gateway', async () => {
    const inv = await api(server, 'POST', `/channels/${g.generalId}/invites`, { token: owner.token, body: { unique: true } });
    const client = await connectUser(server, owner);
    try {
      let presences = 0;
      for (let i = 0; i < 40 && presences === 0; i++) {
        presences = (await api(server, 'GET', `/invites/${inv.body.code}?with_counts=true`)).body.approximate_presence_count;
        if (!presences) await new Promise((r) => setTimeout(r, 50));
      }
      expect(presences).toBe(1);
      expect((await api(server, 'GET', `/guilds/${g.id}?with_counts=true`, { token: owner.token })).body.approximate_presence_count).toBe(
        1,
      );
    } finally {
      client.close();
    }
  });

  it('without unique, an equivalent live invite is reused', async () => {
    const a = await api(server, 'POST', `/channels/${g.generalId}/invites`, { token: owner.token, body: { max_age: 600 } });
    const b = await api(server, 'POST', `/channels/${g.generalId}/invites`, { token: owner.token, body: { max_age: 600 } });
    const c = await api(server, 'POST', `/channels/${g.generalId}/invites`, { token: owner.token, body: { max_age: 600, unique: true } });
    expect(b.body.code).toBe(a.body.code);
    expect(c.body.code).not.toBe(a.body.code);
  });

  it('50 parallel accepts of a max_uses=1 invite add exactly one member', async () => {
    const before = (await memberIds()).length;
    const inv = await api(server, 'POST', `/channels/${g.generalId}/invites`, { token: owner.token, body: { max_uses: 1, unique: true } });
    const results = await Promise.all(
      crowd
        .slice(1)
        .concat(crowd[0])
        .map((u) => api(server, 'POST', `/invites/${inv.body.code}`, { token: u.token })),
    );
    const joined = results.filter((r) => r.status === 200 && r.body.new_member);
    expect(joined).toHaveLength(1);
    // The already-member guest (crowd[0]) may succeed without a use; every other loser sees Unknown Invite.
    for (const r of results.filter((r) => r.status !== 200)) expect(r.body).toEqual({ code: 10006, message: 'Unknown Invite' });
    expect((await memberIds()).length).toBe(before + 1);
    // A used-up invite is gone.
    expect((await api(server, 'GET', `/invites/${inv.body.code}`)).status).toBe(404);
  });

  it('an expired invite is unknown', async () => {
    const inv = await api(server, 'POST', `/channels/${g.generalId}/invites`, { token: owner.token, body: { max_age: 1, unique: true } });
    await new Promise((r) => setTimeout(r, 1100));
    expect((await api(server, 'GET', `/invites/${inv.body.code}`)).body.code).toBe(10006);
    expect((await api(server, 'POST', `/invites/${inv.body.code}`, { token: crowd[40].token })).body.code).toBe(10006);
  });

  it('unknown and malformed codes: 404 Unknown Invite / 400', async () => {
    expect((await api(server, 'GET', '/invites/doesnotexist')).body).toEqual({ code: 10006, message: 'Unknown Invite' });
    expect((await api(server, 'POST', '/invites/doesnotexist', { token: crowd[3].token })).status).toBe(404);
    expect((await api(server, 'GET', '/invites/bad%20code')).status).toBe(400);
  });

  it('bad bodies are rejected and create nothing', async () => {
    const list = async () => (await api(server, 'GET', `/guilds/${g.id}/invites`, { token: owner.token })).body.length;
    const n = await list();
    for (const body of [{ max_age: -1 }, { max_age: 604801 }, { max_uses: 101 }, { max_uses: '1' }, { unique: 'yes' }]) {
      const r = await api(server, 'POST', `/channels/${g.generalId}/invites`, { token: owner.token, body });
      expect(r.status).toBe(400);
      expect(r.body.code).toBe(50035);
    }
    expect((await api(server, 'POST', `/channels/${g.textCategoryId}/invites`, { token: owner.token, body: {} })).body.code).toBe(50024);
    expect(await list()).toBe(n);
  });

  it('DELETE /invites/:code revokes it and records INVITE_DELETE in the audit log', async () => {
    const inv = await api(server, 'POST', `/channels/${g.generalId}/invites`, { token: owner.token, body: { unique: true } });
    const del = await api(server, 'DELETE', `/invites/${inv.body.code}`, {
      token: owner.token,
      headers: { 'x-audit-log-reason': encodeURIComponent('spam wave') },
    });
    expect(del.status).toBe(200);
    expect(del.body.code).toBe(inv.body.code);
    expect((await api(server, 'GET', `/invites/${inv.body.code}`)).status).toBe(404);
    const log = await api(server, 'GET', `/guilds/${g.id}/audit-logs?action_type=42&limit=1`, { token: owner.token });
    expect(log.body.audit_log_entries[0]).toMatchObject({
      action_type: 42,
      user_id: owner.id,
      reason: 'spam wave',
      changes: expect.arrayContaining([{ key: 'code', old_value: inv.body.code }]),
    });
  });
});

describe('bans and invites', () => {
  it('a banned user cannot accept a fresh invite; unbanning lets them back', async () => {
    const target = crowd[45];
    await join(server, g, target);
    const ban = await api(server, 'PUT', `/guilds/${g.id}/bans/${target.id}`, {
      token: owner.token,
      body: {},
      headers: { 'x-audit-log-reason': 'rude' },
    });
    expect(ban.status).toBe(204);
    expect(await memberIds()).not.toContain(target.id);
    expect((await api(server, 'GET', `/guilds/${g.id}`, { token: target.token })).status).toBe(404);
    const fresh = await api(server, 'POST', `/channels/${g.generalId}/invites`, { token: owner.token, body: { unique: true } });
    const denied = await api(server, 'POST', `/invites/${fresh.body.code}`, { token: target.token });
    expect(denied.status).toBe(403);
    expect(denied.body).toEqual({ code: 40007, message: 'The user is banned from this guild.' });
    expect((await api(server, 'GET', `/invites/${fresh.body.code}`)).body.uses).toBe(0);
    const bans = await api(server, 'GET', `/guilds/${g.id}/bans`, { token: owner.token });
    expect(bans.body).toContainEqual({ reason: 'rude', user: expect.objectContaining({ id: target.id }) });
    expect((await api(server, 'DELETE', `/guilds/${g.id}/bans/${target.id}`, { token: owner.token })).status).toBe(204);
    expect((await api(server, 'DELETE', `/guilds/${g.id}/bans/${target.id}`, { token: owner.token })).body.code).toBe(10026);
    const back = await api(server, 'POST', `/invites/${fresh.body.code}`, { token: target.token });
    expect(back.status).toBe(200);
    expect(await memberIds()).toContain(target.id);
  });

  it('ban emits GUILD_MEMBER_REMOVE, GUILD_DELETE to the user and GUILD_BAN_ADD; the owner cannot be banned', async () => {
    const target = crowd[46];
    await join(server, g, target);
    events.length = 0;
    expect((await api(server, 'PUT', `/guilds/${g.id}/bans/${target.id}`, { token: owner.token })).status).toBe(204);
    expect(events.find((e) => e.t === 'GUILD_MEMBER_REMOVE')).toMatchObject({ guild_id: g.id, meta: { leave: target.id } });
    expect(events.find((e) => e.t === 'GUILD_DELETE')).toMatchObject({ user_ids: [target.id], d: { id: g.id } });
    expect(events.find((e) => e.t === 'GUILD_BAN_ADD')).toMatchObject({ guild_id: g.id, d: { user: { id: target.id } } });
    const admin = crowd[47];
    await join(server, g, admin);
    const role = await api(server, 'POST', `/guilds/${g.id}/roles`, { token: owner.token, body: { permissions: '8' } });
    await api(server, 'PUT', `/guilds/${g.id}/members/${admin.id}/roles/${role.body.id}`, { token: owner.token });
    expect((await api(server, 'PUT', `/guilds/${g.id}/bans/${owner.id}`, { token: admin.token })).body.code).toBe(50013);
  });

  it('delete_message_seconds removes the banned user’s recent messages', async () => {
    const target = crowd[48];
    await join(server, g, target);
    const sent = await api(server, 'POST', `/channels/${g.generalId}/messages`, { token: target.token, body: { content: 'spam spam' } });
    expect(sent.status).toBe(200);
    const kept = await api(server, 'POST', `/channels/${g.generalId}/messages`, { token: owner.token, body: { content: 'keep me' } });
    expect(
      (await api(server, 'PUT', `/guilds/${g.id}/bans/${target.id}`, { token: owner.token, body: { delete_message_seconds: 3600 } }))
        .status,
    ).toBe(204);
    const history = await api(server, 'GET', `/channels/${g.generalId}/messages?limit=50`, { token: owner.token });
    const ids = history.body.map((m: { id: string }) => m.id);
    expect(ids).not.toContain(sent.body.id);
    expect(ids).toContain(kept.body.id);
  });
});

describe('dispatch shapes', () => {
  it('every event this suite emitted matches its gateway dispatch schema', () => expectValidDispatches(seen));
});
