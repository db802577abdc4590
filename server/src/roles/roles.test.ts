import { Permissions as P } from '@retrocast/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusEvent } from '../bus/types.js';
import { createGuild, createRole, expectValidDispatches, join, type TestGuild } from '../test/guild-fixtures.js';
import { api, registerUser, startServer, type TestServer, type TestUser } from '../test/helper.js';

let server: TestServer;
let owner: TestUser;
let mod: TestUser;
let peer: TestUser;
let plain: TestUser;
let g: TestGuild;
let modRole: { id: string };
const events: BusEvent[] = [];
/** Every event of the suite (`events` is cleared per test). */
const seen: BusEvent[] = [];

type Role = { id: string; position: number; name: string; permissions: string };
const listRoles = async (): Promise<Role[]> => (await api(server, 'GET', `/guilds/${g.id}/roles`, { token: owner.token })).body;

beforeAll(async () => {
  server = await startServer({ env: { ARGON2_MEMORY_KIB: '1024' } });
  server.app.ctx.bus.subscribe((e) => {
    events.push(e);
    seen.push(e);
  });
  [owner, mod, peer, plain] = await Promise.all(Array.from({ length: 4 }, () => registerUser(server)));
  g = await createGuild(server, owner, 'Roles');
  await join(server, g, mod, peer, plain);
  // mod: MANAGE_ROLES | KICK_MEMBERS | MANAGE_NICKNAMES, at the top; peer has the same role.
  modRole = await createRole(server, owner.token, g.id, {
    name: 'mod',
    permissions: (P.MANAGE_ROLES | P.KICK_MEMBERS | P.MANAGE_NICKNAMES).toString(),
  });
  for (const u of [mod, peer]) await api(server, 'PUT', `/guilds/${g.id}/members/${u.id}/roles/${modRole.id}`, { token: owner.token });
});
afterAll(() => server?.close());

describe('POST/PATCH/DELETE /guilds/:id/roles', () => {
  it('a new role goes to position 1 with the given fields; GUILD_ROLE_CREATE is emitted', async () => {
    events.length = 0;
    const r = await createRole(server, owner.token, g.id, {
      name: 'red',
      color: 0xff0000,
      hoist: true,
      mentionable: true,
      permissions: P.SEND_MESSAGES.toString(),
    });
    expect(r).toMatchObject({
      name: 'red',
      color: 0xff0000,
      hoist: true,
      mentionable: true,
      permissions: P.SEND_MESSAGES.toString(),
      position: 1,
      managed: false,
    });
    expect(events.find((e) => e.t === 'GUILD_ROLE_CREATE')).toMatchObject({ guild_id: g.id, d: { guild_id: g.id, role: { id: r.id } } });
    const roles = await listRoles();
    expect(roles[0].id).toBe(g.id);
    expect(roles.map((x) => x.position)).toEqual(roles.map((_, i) => i));
  });

  it('nobody grants a permission they lack; owner excepted', async () => {
    const r = await api(server, 'POST', `/guilds/${g.id}/roles`, { token: mod.token, body: { permissions: P.BAN_MEMBERS.toString() } });
    expect(r.body).toEqual({ code: 50013, message: 'Missing Permissions' });
    const ok = await api(server, 'POST', `/guilds/${g.id}/roles`, { token: mod.token, body: { permissions: P.KICK_MEMBERS.toString() } });
    expect(ok.status).toBe(200);
    const adm = await api(server, 'POST', `/guilds/${g.id}/roles`, {
      token: owner.token,
      body: { permissions: P.ADMINISTRATOR.toString() },
    });
    expect(adm.status).toBe(200);
    await api(server, 'DELETE', `/guilds/${g.id}/roles/${adm.body.id}`, { token: owner.token });
  });

  it('nobody edits or deletes a role at or above their highest role', async () => {
    expect((await api(server, 'PATCH', `/guilds/${g.id}/roles/${modRole.id}`, { token: mod.token, body: { name: 'x' } })).body.code).toBe(
      50013,
    );
    expect((await api(server, 'DELETE', `/guilds/${g.id}/roles/${modRole.id}`, { token: peer.token })).body.code).toBe(50013);
    const low = await createRole(server, owner.token, g.id, { name: 'low' });
    const ok = await api(server, 'PATCH', `/guilds/${g.id}/roles/${low.id}`, { token: mod.token, body: { name: 'lower', hoist: true } });
    expect(ok.body).toMatchObject({ name: 'lower', hoist: true });
    expect((await api(server, 'DELETE', `/guilds/${g.id}/roles/${low.id}`, { token: mod.token })).status).toBe(204);
    expect((await api(server, 'DELETE', `/guilds/${g.id}/roles/${low.id}`, { token: mod.token })).body.code).toBe(10011);
  });

  it('editing a role keeps the bits the editor lacks', async () => {
    const r = await createRole(server, owner.token, g.id, { permissions: (P.BAN_MEMBERS | P.KICK_MEMBERS).toString() });
    const ok = await api(server, 'PATCH', `/guilds/${g.id}/roles/${r.id}`, { token: mod.token, body: { permissions: '0' } });
    expect(ok.body.permissions).toBe(P.BAN_MEMBERS.toString());
  });

  it('@everyone cannot be deleted or renamed, but its permissions can change', async () => {
    expect((await api(server, 'DELETE', `/guilds/${g.id}/roles/${g.id}`, { token: owner.token })).body.code).toBe(50028);
    expect((await api(server, 'PATCH', `/guilds/${g.id}/roles/${g.id}`, { token: owner.token, body: { name: 'all' } })).status).toBe(400);
    events.length = 0;
    const ev = await api(server, 'PATCH', `/guilds/${g.id}/roles/${g.id}`, {
      token: owner.token,
      body: { permissions: (P.VIEW_CHANNEL | P.SEND_MESSAGES | P.CHANGE_NICKNAME).toString() },
    });
    expect(ev.status).toBe(200);
    expect(events.find((e) => e.t === 'GUILD_ROLE_UPDATE')).toMatchObject({ meta: { permissions_changed: true } });
  });

  it('bad input: 400 Invalid Form Body and nothing changes', async () => {
    const before = await listRoles();
    for (const body of [
      { name: '' },
      { name: 'x'.repeat(101) },
      { color: -1 },
      { color: 0x1000000 },
      { permissions: 8 },
      { permissions: 'abc' },
      { hoist: 'yes' },
    ]) {
      const r = await api(server, 'POST', `/guilds/${g.id}/roles`, { token: owner.token, body });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.code).toBe(50035);
      expect((await api(server, 'PATCH', `/guilds/${g.id}/roles/${modRole.id}`, { token: owner.token, body })).status).toBe(400);
    }
    expect((await api(server, 'PATCH', `/guilds/${g.id}/roles`, { token: owner.token, body: [] })).status).toBe(400);
    expect((await api(server, 'PATCH', `/guilds/${g.id}/roles`, { token: owner.token, body: [{ id: '1', position: 1 }] })).status).toBe(
      400,
    );
    expect((await api(server, 'PATCH', `/guilds/${g.id}/roles/123`, { token: owner.token, body: { name: 'x' } })).body.code).toBe(10011);
    expect(await listRoles()).toEqual(before);
  });
});

describe('PATCH /guilds/:id/roles (positions)', () => {
  it('moves a role and renumbers the rest', async () => {
    const a = await createRole(server, owner.token, g.id, { name: 'a' });
    const b = await createRole(server, owner.token, g.id, { name: 'b' });
    // b at 1, a at 2: move b above a.
    const r = await api(server, 'PATCH', `/guilds/${g.id}/roles`, { token: owner.token, body: [{ id: b.id, position: 2 }] });
    expect(r.status).toBe(200);
    const pos = new Map(r.body.map((x: Role) => [x.id, x.position]));
    expect(pos.get(b.id)).toBe(2);
    expect(pos.get(a.id)).toBe(1);
  });

  it('a manager cannot move a role to or above their own, nor move a higher role', async () => {
    const low = await createRole(server, owner.token, g.id, { name: 'low2' });
    const top = (await listRoles()).find((x) => x.id === modRole.id)?.position ?? 0;
    expect(
      (await api(server, 'PATCH', `/guilds/${g.id}/roles`, { token: mod.token, body: [{ id: low.id, position: top }] })).body.code,
    ).toBe(50013);
    expect(
      (await api(server, 'PATCH', `/guilds/${g.id}/roles`, { token: mod.token, body: [{ id: modRole.id, position: 1 }] })).body.code,
    ).toBe(50013);
    expect(
      (await api(server, 'PATCH', `/guilds/${g.id}/roles`, { token: mod.token, body: [{ id: low.id, position: top - 1 }] })).status,
    ).toBe(200);
  });

  it('20 parallel position updates leave positions distinct and gap-free', async () => {
    const made = [];
    for (let i = 0; i < 6; i++) made.push(await createRole(server, owner.token, g.id, { name: `p${i}` }));
    const n = (await listRoles()).length - 1;
    const requests = Array.from({ length: 20 }, (_, i) =>
      api(server, 'PATCH', `/guilds/${g.id}/roles`, {
        token: owner.token,
        body: [
          { id: made[i % made.length].id, position: 1 + ((i * 7) % n) },
          { id: made[(i + 3) % made.length].id, position: 1 + ((i * 3) % n) },
        ],
      }),
    );
    const results = await Promise.all(requests);
    for (const r of results) expect(r.status, JSON.stringify(r.body)).toBe(200);
    const roles = await listRoles();
    expect(roles.map((r) => r.position).sort((x, y) => x - y)).toEqual(roles.map((_, i) => i));
    expect(roles.find((r) => r.id === g.id)?.position).toBe(0);
  });
});

describe('member roles and hierarchy', () => {
  it('PUT/DELETE member roles: hierarchy enforced, GUILD_MEMBER_UPDATE with permissions_changed', async () => {
    const low = await createRole(server, owner.token, g.id, { name: 'helper' });
    events.length = 0;
    expect((await api(server, 'PUT', `/guilds/${g.id}/members/${plain.id}/roles/${low.id}`, { token: mod.token })).status).toBe(204);
    expect(events.find((e) => e.t === 'GUILD_MEMBER_UPDATE')).toMatchObject({
      guild_id: g.id,
      meta: { permissions_changed: true },
      d: { roles: [low.id], user: { id: plain.id } },
    });
    // A role at the mod's own level cannot be handed out.
    expect((await api(server, 'PUT', `/guilds/${g.id}/members/${plain.id}/roles/${modRole.id}`, { token: mod.token })).body.code).toBe(
      50013,
    );
    expect((await api(server, 'PUT', `/guilds/${g.id}/members/${plain.id}/roles/123`, { token: mod.token })).body.code).toBe(10011);
    expect((await api(server, 'PUT', `/guilds/${g.id}/members/123/roles/${low.id}`, { token: mod.token })).body.code).toBe(10007);
    expect((await api(server, 'DELETE', `/guilds/${g.id}/members/${plain.id}/roles/${low.id}`, { token: mod.token })).status).toBe(204);
    const m = await api(server, 'GET', `/guilds/${g.id}/members/${plain.id}`, { token: mod.token });
    expect(m.body.roles).toEqual([]);
  });

  it('PATCH member roles records MEMBER_ROLE_UPDATE with $add/$remove and the reason', async () => {
    const x = await createRole(server, owner.token, g.id, { name: 'x' });
    const r = await api(server, 'PATCH', `/guilds/${g.id}/members/${plain.id}`, {
      token: mod.token,
      body: { roles: [x.id] },
      headers: { 'x-audit-log-reason': 'promoted' },
    });
    expect(r.body.roles).toEqual([x.id]);
    const log = await api(server, 'GET', `/guilds/${g.id}/audit-logs?action_type=25&limit=1`, { token: owner.token });
    expect(log.body.audit_log_entries[0]).toMatchObject({
      user_id: mod.id,
      target_id: plain.id,
      reason: 'promoted',
      changes: [{ key: '$add', new_value: [{ id: x.id, name: 'x' }] }],
    });
    expect(log.body.users.map((u: { id: string }) => u.id)).toEqual(expect.arrayContaining([mod.id, plain.id]));
  });

  it('kick and nickname: only members strictly below; never the owner', async () => {
    expect((await api(server, 'DELETE', `/guilds/${g.id}/members/${peer.id}`, { token: mod.token })).body.code).toBe(50013);
    expect((await api(server, 'DELETE', `/guilds/${g.id}/members/${owner.id}`, { token: mod.token })).body.code).toBe(50013);
    expect((await api(server, 'PATCH', `/guilds/${g.id}/members/${peer.id}`, { token: mod.token, body: { nick: 'nope' } })).body.code).toBe(
      50013,
    );
    expect(
      (await api(server, 'PATCH', `/guilds/${g.id}/members/${plain.id}`, { token: mod.token, body: { nick: 'Plainy' } })).body.nick,
    ).toBe('Plainy');
    events.length = 0;
    expect((await api(server, 'DELETE', `/guilds/${g.id}/members/${plain.id}`, { token: mod.token })).status).toBe(204);
    expect(events.map((e) => e.t)).toEqual(expect.arrayContaining(['GUILD_MEMBER_REMOVE', 'GUILD_DELETE', 'GUILD_AUDIT_LOG_ENTRY_CREATE']));
    expect((await api(server, 'GET', `/guilds/${g.id}/members/${plain.id}`, { token: mod.token })).body.code).toBe(10007);
    await join(server, g, plain);
  });

  it('PATCH members/@me changes only the own nickname (CHANGE_NICKNAME)', async () => {
    const r = await api(server, 'PATCH', `/guilds/${g.id}/members/@me`, { token: plain.token, body: { nick: '  Me  ' } });
    expect(r.body).toMatchObject({ nick: 'Me', user: { id: plain.id } });
    expect((await api(server, 'PATCH', `/guilds/${g.id}/members/@me`, { token: plain.token, body: { nick: 'x'.repeat(33) } })).status).toBe(
      400,
    );
  });

  it('GET members paginates by user id with limit/after', async () => {
    const all = (await api(server, 'GET', `/guilds/${g.id}/members?limit=1000`, { token: plain.token })).body;
    expect(all).toHaveLength(4);
    const first = await api(server, 'GET', `/guilds/${g.id}/members?limit=2`, { token: plain.token });
    const next = await api(server, 'GET', `/guilds/${g.id}/members?limit=2&after=${first.body[1].user.id}`, { token: plain.token });
    expect([...first.body, ...next.body].map((m: { user: { id: string } }) => m.user.id)).toEqual(
      all.map((m: { user: { id: string } }) => m.user.id),
    );
    expect((await api(server, 'GET', `/guilds/${g.id}/members?limit=1001`, { token: plain.token })).status).toBe(400);
  });
});

describe('dispatch shapes', () => {
  it('every event this suite emitted matches its gateway dispatch schema', () => expectValidDispatches(seen));
});
