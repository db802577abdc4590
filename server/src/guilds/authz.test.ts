import { Permissions as P } from '@retrocast/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGuild, createRole, join, type TestGuild } from '../test/guild-fixtures.js';
import { type ApiResponse, api, registerUser, startServer, type TestServer, type TestUser } from '../test/helper.js';

/**
 * The authorization matrix: for every guild-side route, a non-member gets Discord's 404 (it cannot
 * even learn the guild or channel exists), a member without the permission gets 403 50013, and a
 * member whose role grants exactly that permission succeeds.
 */
let server: TestServer;
let owner: TestUser;
let outsider: TestUser;
let plain: TestUser;
let granted: TestUser;
let victim: TestUser;
let banTarget: TestUser;
let g: TestGuild;
let grantRole: string;

const BASE = P.VIEW_CHANNEL | P.SEND_MESSAGES | P.READ_MESSAGE_HISTORY;

beforeAll(async () => {
  // No rate limits: the matrix PATCHes one role ~100 times, and on a quiet machine more than the
  // route's 50 per second fell in one window (429). Rate limits have their own tests.
  server = await startServer({ env: { ARGON2_MEMORY_KIB: '1024', RATE_LIMIT_DISABLED: '1' } });
  [owner, outsider, plain, granted, victim, banTarget] = await Promise.all(Array.from({ length: 6 }, () => registerUser(server)));
  g = await createGuild(server, owner, 'Matrix');
  await join(server, g, plain, granted, victim, banTarget);
  // @everyone can see and talk, nothing more.
  const ev = await api(server, 'PATCH', `/guilds/${g.id}/roles/${g.id}`, { token: owner.token, body: { permissions: BASE.toString() } });
  expect(ev.status).toBe(200);
  grantRole = (await createRole(server, owner.token, g.id, { name: 'granted', permissions: '0' })).id;
  // Created first, so every later role is created below it.
  const put = await api(server, 'PUT', `/guilds/${g.id}/members/${granted.id}/roles/${grantRole}`, { token: owner.token });
  expect(put.status).toBe(204);
});
afterAll(() => server?.close());

async function grant(perm: bigint) {
  const r = await api(server, 'PATCH', `/guilds/${g.id}/roles/${grantRole}`, {
    token: owner.token,
    body: { permissions: perm.toString() },
  });
  expect(r.status).toBe(200);
}

async function ensureMember(u: TestUser) {
  await api(server, 'DELETE', `/guilds/${g.id}/bans/${u.id}`, { token: owner.token });
  await api(server, 'POST', `/invites/${g.invite}`, { token: u.token });
}

async function newChannel(body: Record<string, unknown> = {}) {
  const r = await api(server, 'POST', `/guilds/${g.id}/channels`, { token: owner.token, body: { name: 'scratch', ...body } });
  expect(r.status).toBe(201);
  return r.body.id as string;
}

type Req = [method: string, path: string, body?: unknown];
interface Case {
  route: string;
  perm: bigint;
  /** Discord's code for the non-member: Unknown Guild, Unknown Channel or Unknown Invite. */
  unknown: 10004 | 10003 | 10006;
  ok: number;
  req: () => Promise<Req> | Req;
}

const lowRole = async () => (await createRole(server, owner.token, g.id, { name: 'low' })).id;

const cases: Case[] = [
  {
    route: 'PATCH /guilds/:id',
    perm: P.MANAGE_GUILD,
    unknown: 10004,
    ok: 200,
    req: () => ['PATCH', `/guilds/${g.id}`, { name: 'Matrix 2' }],
  },
  {
    route: 'POST /guilds/:id/channels',
    perm: P.MANAGE_CHANNELS,
    unknown: 10004,
    ok: 201,
    req: () => ['POST', `/guilds/${g.id}/channels`, { name: 'new-one' }],
  },
  {
    route: 'PATCH /guilds/:id/channels',
    perm: P.MANAGE_CHANNELS,
    unknown: 10004,
    ok: 204,
    req: async () => ['PATCH', `/guilds/${g.id}/channels`, [{ id: await newChannel(), position: 7 }]],
  },
  {
    route: 'PATCH /channels/:id',
    perm: P.MANAGE_CHANNELS,
    unknown: 10003,
    ok: 200,
    req: async () => ['PATCH', `/channels/${await newChannel()}`, { topic: 'hello' }],
  },
  {
    route: 'DELETE /channels/:id',
    perm: P.MANAGE_CHANNELS,
    unknown: 10003,
    ok: 200,
    req: async () => ['DELETE', `/channels/${await newChannel()}`],
  },
  {
    route: 'PUT /channels/:id/permissions/:id',
    perm: P.MANAGE_ROLES,
    unknown: 10003,
    ok: 204,
    req: async () => [
      'PUT',
      `/channels/${await newChannel()}/permissions/${victim.id}`,
      { type: 1, allow: '0', deny: P.SEND_MESSAGES.toString() },
    ],
  },
  {
    route: 'DELETE /channels/:id/permissions/:id',
    perm: P.MANAGE_ROLES,
    unknown: 10003,
    ok: 204,
    req: async () => {
      const ch = await newChannel();
      await api(server, 'PUT', `/channels/${ch}/permissions/${victim.id}`, {
        token: owner.token,
        body: { type: 1, deny: P.SEND_MESSAGES.toString() },
      });
      return ['DELETE', `/channels/${ch}/permissions/${victim.id}`];
    },
  },
  {
    route: 'POST /guilds/:id/roles',
    perm: P.MANAGE_ROLES,
    unknown: 10004,
    ok: 200,
    req: () => ['POST', `/guilds/${g.id}/roles`, { name: 'made' }],
  },
  {
    route: 'PATCH /guilds/:id/roles',
    perm: P.MANAGE_ROLES,
    unknown: 10004,
    ok: 200,
    req: async () => ['PATCH', `/guilds/${g.id}/roles`, [{ id: await lowRole(), position: 2 }]],
  },
  {
    route: 'PATCH /guilds/:id/roles/:id',
    perm: P.MANAGE_ROLES,
    unknown: 10004,
    ok: 200,
    req: async () => ['PATCH', `/guilds/${g.id}/roles/${await lowRole()}`, { name: 'renamed', color: 0xff0000 }],
  },
  {
    route: 'DELETE /guilds/:id/roles/:id',
    perm: P.MANAGE_ROLES,
    unknown: 10004,
    ok: 204,
    req: async () => ['DELETE', `/guilds/${g.id}/roles/${await lowRole()}`],
  },
  {
    route: 'PATCH /guilds/:id/members/:id (nick)',
    perm: P.MANAGE_NICKNAMES,
    unknown: 10004,
    ok: 200,
    req: () => ['PATCH', `/guilds/${g.id}/members/${victim.id}`, { nick: 'renamed' }],
  },
  {
    route: 'PATCH /guilds/:id/members/:id (roles)',
    perm: P.MANAGE_ROLES,
    unknown: 10004,
    ok: 200,
    req: async () => ['PATCH', `/guilds/${g.id}/members/${victim.id}`, { roles: [await lowRole()] }],
  },
  {
    route: 'PATCH /guilds/:id/members/@me',
    perm: P.CHANGE_NICKNAME,
    unknown: 10004,
    ok: 200,
    req: () => ['PATCH', `/guilds/${g.id}/members/@me`, { nick: 'me' }],
  },
  {
    route: 'PUT /guilds/:id/members/:id/roles/:id',
    perm: P.MANAGE_ROLES,
    unknown: 10004,
    ok: 204,
    req: async () => ['PUT', `/guilds/${g.id}/members/${victim.id}/roles/${await lowRole()}`],
  },
  {
    route: 'DELETE /guilds/:id/members/:id/roles/:id',
    perm: P.MANAGE_ROLES,
    unknown: 10004,
    ok: 204,
    req: async () => {
      const r = await lowRole();
      await api(server, 'PUT', `/guilds/${g.id}/members/${victim.id}/roles/${r}`, { token: owner.token });
      return ['DELETE', `/guilds/${g.id}/members/${victim.id}/roles/${r}`];
    },
  },
  {
    route: 'DELETE /guilds/:id/members/:id (kick)',
    perm: P.KICK_MEMBERS,
    unknown: 10004,
    ok: 204,
    req: async () => {
      await ensureMember(victim);
      return ['DELETE', `/guilds/${g.id}/members/${victim.id}`];
    },
  },
  { route: 'GET /guilds/:id/bans', perm: P.BAN_MEMBERS, unknown: 10004, ok: 200, req: () => ['GET', `/guilds/${g.id}/bans`] },
  {
    route: 'GET /guilds/:id/bans/:id',
    perm: P.BAN_MEMBERS,
    unknown: 10004,
    ok: 200,
    req: async () => {
      await api(server, 'PUT', `/guilds/${g.id}/bans/${banTarget.id}`, { token: owner.token });
      return ['GET', `/guilds/${g.id}/bans/${banTarget.id}`];
    },
  },
  {
    route: 'DELETE /guilds/:id/bans/:id',
    perm: P.BAN_MEMBERS,
    unknown: 10004,
    ok: 204,
    req: async () => {
      await api(server, 'PUT', `/guilds/${g.id}/bans/${banTarget.id}`, { token: owner.token });
      return ['DELETE', `/guilds/${g.id}/bans/${banTarget.id}`];
    },
  },
  {
    route: 'PUT /guilds/:id/bans/:id',
    perm: P.BAN_MEMBERS,
    unknown: 10004,
    ok: 204,
    req: async () => {
      await ensureMember(banTarget);
      return ['PUT', `/guilds/${g.id}/bans/${banTarget.id}`, { delete_message_seconds: 60 }];
    },
  },
  {
    route: 'POST /channels/:id/invites',
    perm: P.CREATE_INSTANT_INVITE,
    unknown: 10003,
    ok: 200,
    req: () => ['POST', `/channels/${g.generalId}/invites`, { max_age: 60 }],
  },
  {
    route: 'GET /channels/:id/invites',
    perm: P.MANAGE_CHANNELS,
    unknown: 10003,
    ok: 200,
    req: () => ['GET', `/channels/${g.generalId}/invites`],
  },
  { route: 'GET /guilds/:id/invites', perm: P.MANAGE_GUILD, unknown: 10004, ok: 200, req: () => ['GET', `/guilds/${g.id}/invites`] },
  {
    route: 'DELETE /invites/:code',
    perm: P.MANAGE_CHANNELS,
    unknown: 10006,
    ok: 200,
    req: async () => {
      const inv = await api(server, 'POST', `/channels/${g.generalId}/invites`, { token: owner.token, body: { unique: true } });
      return ['DELETE', `/invites/${inv.body.code}`];
    },
  },
  {
    route: 'GET /guilds/:id/audit-logs',
    perm: P.VIEW_AUDIT_LOG,
    unknown: 10004,
    ok: 200,
    req: () => ['GET', `/guilds/${g.id}/audit-logs`],
  },
];

const call = (u: TestUser, [method, path, body]: Req): Promise<ApiResponse> => api(server, method, path, { token: u.token, body });

describe('authorization matrix', () => {
  it.each(cases)('$route: non-member 404, member without permission 403, member with it succeeds', async (c) => {
    await grant(0n);
    const req = await c.req();
    const nonMember = await call(outsider, req);
    expect(nonMember.status).toBe(404);
    expect(nonMember.body.code).toBe(c.unknown);
    const without = await call(plain, req);
    expect(without.status).toBe(403);
    expect(without.body).toEqual({ code: 50013, message: 'Missing Permissions' });
    const noGrant = await call(granted, req);
    expect(noGrant.status).toBe(403);
    await grant(c.perm);
    const ok = await call(granted, req);
    expect(ok.status, JSON.stringify(ok.body)).toBe(c.ok);
  });

  it.each([
    ['GET /guilds/:id', () => `/guilds/${g.id}`, 10004],
    ['GET /guilds/:id/channels', () => `/guilds/${g.id}/channels`, 10004],
    ['GET /guilds/:id/roles', () => `/guilds/${g.id}/roles`, 10004],
    ['GET /guilds/:id/members', () => `/guilds/${g.id}/members?limit=100`, 10004],
    ['GET /guilds/:id/members/:id', () => `/guilds/${g.id}/members/${owner.id}`, 10004],
    ['GET /channels/:id', () => `/channels/${g.generalId}`, 10003],
  ] as const)('%s: non-member 404, any member 200', async (_name, path, code) => {
    const nonMember = await api(server, 'GET', path(), { token: outsider.token });
    expect(nonMember.status).toBe(404);
    expect(nonMember.body.code).toBe(code);
    expect((await api(server, 'GET', path(), { token: plain.token })).status).toBe(200);
  });

  it('a non-member cannot tell an existing channel from a missing one', async () => {
    const real = await api(server, 'GET', `/channels/${g.generalId}`, { token: outsider.token });
    const fake = await api(server, 'GET', '/channels/123456789012345678', { token: outsider.token });
    expect(real.status).toBe(fake.status);
    expect(real.body).toEqual(fake.body);
    expect(real.body).toEqual({ code: 10003, message: 'Unknown Channel' });
  });

  it('a member cannot see a channel hidden from them, nor post an invite to it', async () => {
    const hidden = await newChannel({ permission_overwrites: [{ id: g.id, type: 0, deny: P.VIEW_CHANNEL.toString() }] });
    expect((await api(server, 'GET', `/channels/${hidden}`, { token: plain.token })).body.code).toBe(10003);
    expect((await api(server, 'POST', `/channels/${hidden}/invites`, { token: plain.token, body: {} })).body.code).toBe(10003);
    const list = await api(server, 'GET', `/guilds/${g.id}/channels`, { token: plain.token });
    expect(list.body.map((c: { id: string }) => c.id)).not.toContain(hidden);
    expect((await api(server, 'GET', `/channels/${hidden}`, { token: owner.token })).status).toBe(200);
  });

  it('DELETE /guilds/:id: only the owner, even over ADMINISTRATOR', async () => {
    const other = await createGuild(server, owner, 'Doomed');
    await join(server, other, granted);
    const admin = await createRole(server, owner.token, other.id, { permissions: P.ADMINISTRATOR.toString() });
    await api(server, 'PUT', `/guilds/${other.id}/members/${granted.id}/roles/${admin.id}`, { token: owner.token });
    expect((await api(server, 'DELETE', `/guilds/${other.id}`, { token: outsider.token })).body.code).toBe(10004);
    expect((await api(server, 'DELETE', `/guilds/${other.id}`, { token: granted.token })).body.code).toBe(50013);
    expect((await api(server, 'DELETE', `/guilds/${other.id}`, { token: owner.token })).status).toBe(204);
    expect((await api(server, 'GET', `/guilds/${other.id}`, { token: owner.token })).status).toBe(404);
  });

  it('PATCH owner_id: only the owner may transfer', async () => {
    const other = await createGuild(server, owner, 'Transfer');
    await join(server, other, plain);
    await grant(P.MANAGE_GUILD);
    await join(server, other, granted);
    const mg = await createRole(server, owner.token, other.id, { permissions: P.MANAGE_GUILD.toString() });
    await api(server, 'PUT', `/guilds/${other.id}/members/${granted.id}/roles/${mg.id}`, { token: owner.token });
    expect((await api(server, 'PATCH', `/guilds/${other.id}`, { token: granted.token, body: { owner_id: granted.id } })).body.code).toBe(
      50013,
    );
    const ok = await api(server, 'PATCH', `/guilds/${other.id}`, { token: owner.token, body: { owner_id: plain.id } });
    expect(ok.body.owner_id).toBe(plain.id);
    // The old owner is now an ordinary member and can leave; the new one cannot.
    expect((await api(server, 'DELETE', `/users/@me/guilds/${other.id}`, { token: plain.token })).status).toBe(400);
    expect((await api(server, 'DELETE', `/users/@me/guilds/${other.id}`, { token: owner.token })).status).toBe(204);
  });
});
