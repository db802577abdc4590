import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGuild, createRole, join, type TestGuild } from '../test/guild-fixtures.js';
import { api, registerUser, startServer, type TestServer, type TestUser } from '../test/helper.js';

let server: TestServer;
let owner: TestUser;
let member: TestUser;
let outsider: TestUser;
let g: TestGuild;

/** Everything a bad request could have touched: members with roles and nicks, bans, audit log. */
async function snapshot() {
  const [members, bans, log] = await Promise.all([
    api(server, 'GET', `/guilds/${g.id}/members?limit=1000`, { token: owner.token }),
    api(server, 'GET', `/guilds/${g.id}/bans`, { token: owner.token }),
    api(server, 'GET', `/guilds/${g.id}/audit-logs?limit=100`, { token: owner.token }),
  ]);
  return { members: members.body, bans: bans.body, log: log.body.audit_log_entries };
}

beforeAll(async () => {
  server = await startServer({ env: { ARGON2_MEMORY_KIB: '1024' } });
  [owner, member, outsider] = await Promise.all(Array.from({ length: 3 }, () => registerUser(server)));
  g = await createGuild(server, owner, 'Members');
  await join(server, g, member);
  const role = await createRole(server, owner.token, g.id, { name: 'r' });
  await api(server, 'PUT', `/guilds/${g.id}/members/${member.id}/roles/${role.id}`, { token: owner.token });
});
afterAll(() => server?.close());

describe('members and bans: bad input is a 4xx with Discord’s body and changes nothing', () => {
  it.each([
    ['PATCH member: unknown role in roles', 'PATCH', () => `/guilds/${g.id}/members/${member.id}`, { roles: ['123'] }, 400, 50035],
    ['PATCH member: malformed role id', 'PATCH', () => `/guilds/${g.id}/members/${member.id}`, { roles: ['abc'] }, 400, 50035],
    ['PATCH member: nick too long', 'PATCH', () => `/guilds/${g.id}/members/${member.id}`, { nick: 'x'.repeat(33) }, 400, 50035],
    ['PATCH member: nick not a string', 'PATCH', () => `/guilds/${g.id}/members/${member.id}`, { nick: 5 }, 400, 50035],
    ['PATCH member: mute not a boolean', 'PATCH', () => `/guilds/${g.id}/members/${member.id}`, { mute: 'yes' }, 400, 50035],
    ['PATCH member: not a member', 'PATCH', () => `/guilds/${g.id}/members/${outsider.id}`, { nick: 'x' }, 404, 10007],
    ['GET member: not a member', 'GET', () => `/guilds/${g.id}/members/${outsider.id}`, undefined, 404, 10007],
    ['GET members: limit 0', 'GET', () => `/guilds/${g.id}/members?limit=0`, undefined, 400, 50035],
    ['GET members: bad after', 'GET', () => `/guilds/${g.id}/members?after=abc`, undefined, 400, 50035],
    ['kick: not a member', 'DELETE', () => `/guilds/${g.id}/members/${outsider.id}`, undefined, 404, 10007],
    ['kick: the owner', 'DELETE', () => `/guilds/${g.id}/members/${owner.id}`, undefined, 403, 50013],
    ['ban: unknown user', 'PUT', () => `/guilds/${g.id}/bans/123456789`, {}, 404, 10013],
    [
      'ban: delete_message_seconds too large',
      'PUT',
      () => `/guilds/${g.id}/bans/${member.id}`,
      { delete_message_seconds: 604801 },
      400,
      50035,
    ],
    ['ban: delete_message_seconds negative', 'PUT', () => `/guilds/${g.id}/bans/${member.id}`, { delete_message_seconds: -1 }, 400, 50035],
    [
      'ban: delete_message_seconds a string',
      'PUT',
      () => `/guilds/${g.id}/bans/${member.id}`,
      { delete_message_seconds: '60' },
      400,
      50035,
    ],
    ['ban: the owner', 'PUT', () => `/guilds/${g.id}/bans/${owner.id}`, {}, 403, 50013],
    ['unban: not banned', 'DELETE', () => `/guilds/${g.id}/bans/${member.id}`, undefined, 404, 10026],
    ['GET ban: not banned', 'GET', () => `/guilds/${g.id}/bans/${member.id}`, undefined, 404, 10026],
    ['role: unknown role id', 'PUT', () => `/guilds/${g.id}/members/${member.id}/roles/123`, undefined, 404, 10011],
    ['role: @everyone', 'PUT', () => `/guilds/${g.id}/members/${member.id}/roles/${g.id}`, undefined, 404, 10011],
    ['malformed JSON', 'PATCH', () => `/guilds/${g.id}/members/${member.id}`, '{"nick":', 400, 50109],
  ] as const)('%s', async (_name, method, path, body, status, code) => {
    const before = await snapshot();
    const r =
      typeof body === 'string'
        ? await api(server, method, path(), { token: owner.token, raw: body })
        : await api(server, method, path(), { token: owner.token, body });
    expect(r.status, JSON.stringify(r.body)).toBe(status);
    expect(r.body.code).toBe(code);
    expect(typeof r.body.message).toBe('string');
    expect(await snapshot()).toEqual(before);
  });
});
