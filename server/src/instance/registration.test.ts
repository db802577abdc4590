import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, registerUser, startServer, type TestServer, type TestUser, uniqueName } from '../test/helper.js';

const register = (server: TestServer, body: Record<string, unknown> = {}) =>
  api(server, 'POST', '/auth/register', { body: { username: uniqueName('reg'), password: 'correct horse battery', ...body } });

async function userCount(server: TestServer, admin: TestUser) {
  const r = await api(server, 'GET', '/instance/users', { token: admin.token });
  expect(r.status).toBe(200);
  return r.body.length as number;
}

describe('REGISTRATION=invite (the default)', () => {
  let server: TestServer;
  let admin: TestUser;
  beforeAll(async () => {
    server = await startServer({ env: { REGISTRATION: '' } });
  });
  afterAll(() => server?.close());

  it('GET /instance says the first account is free, and the first account becomes instance admin', async () => {
    const before = await api(server, 'GET', '/instance');
    expect(before.body).toEqual({ registration: 'invite', first_account: true });
    admin = await registerUser(server);
    expect((await api(server, 'GET', '/instance')).body).toEqual({ registration: 'invite', first_account: false });
    const users = await api(server, 'GET', '/instance/users', { token: admin.token });
    expect(users.status).toBe(200);
    expect(users.body).toEqual([
      expect.objectContaining({ user: expect.objectContaining({ id: admin.id }), instance_admin: true, disabled: false }),
    ]);
  });

  it('refuses a second account without a code (400 invite) or with a bad one, and creates nothing', async () => {
    const none = await register(server);
    expect(none.status).toBe(400);
    expect(none.body).toMatchObject({ code: 50035, errors: { invite: { _errors: [{ code: 'INVITE_REQUIRED' }] } } });
    const bad = await register(server, { invite: 'nope-not-a-code' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.invite._errors[0].code).toBe('INVITE_INVALID');
    expect(await userCount(server, admin)).toBe(1);
  });

  it('admits with an instance invite, once per use, and not after it is used up', async () => {
    const inv = await api(server, 'POST', '/instance/invites', { token: admin.token, body: { max_uses: 1 } });
    expect(inv.status).toBe(201);
    expect(inv.body).toMatchObject({ max_uses: 1, uses: 0 });
    const ok = await register(server, { invite: inv.body.code });
    expect(ok.status).toBe(201);
    const again = await register(server, { invite: inv.body.code });
    expect(again.status).toBe(400);
    const list = await api(server, 'GET', '/instance/invites', { token: admin.token });
    expect(list.body.find((i: { code: string }) => i.code === inv.body.code).uses).toBe(1);
    // A new user is not an admin: the admin routes are 403 for them.
    const denied = await api(server, 'GET', '/instance/users', { token: ok.body.access_token });
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe(50013);
    expect((await api(server, 'POST', '/instance/invites', { token: ok.body.access_token, body: {} })).status).toBe(403);
  });

  it('admits with a server invite and joins that server, taking the invite use', async () => {
    const g = await api(server, 'POST', '/guilds', { token: admin.token, body: { name: 'Friends' } });
    const general = g.body.channels.find((c: { name: string }) => c.name === 'general').id;
    const inv = await api(server, 'POST', `/channels/${general}/invites`, { token: admin.token, body: { max_uses: 1, max_age: 0 } });
    const ok = await register(server, { invite: inv.body.code });
    expect(ok.status).toBe(201);
    const guilds = await api(server, 'GET', '/users/@me/guilds', { token: ok.body.access_token });
    expect(guilds.body.map((x: { id: string }) => x.id)).toEqual([g.body.id]);
    // max_uses 1 is spent: the next person cannot use it to register.
    const again = await register(server, { invite: inv.body.code });
    expect(again.status).toBe(400);
  });

  it('a deleted instance invite no longer admits; deleting an unknown code is 404', async () => {
    const inv = await api(server, 'POST', '/instance/invites', { token: admin.token });
    expect(inv.body.max_uses).toBe(1);
    expect((await api(server, 'DELETE', `/instance/invites/${inv.body.code}`, { token: admin.token })).status).toBe(204);
    expect((await register(server, { invite: inv.body.code })).status).toBe(400);
    expect((await api(server, 'DELETE', `/instance/invites/${inv.body.code}`, { token: admin.token })).status).toBe(404);
  });

  it('bad admin input is 400 and changes nothing', async () => {
    const r = await api(server, 'POST', '/instance/invites', { token: admin.token, body: { max_uses: -1 } });
    expect(r.status).toBe(400);
    const p = await api(server, 'PATCH', `/instance/users/${admin.id}`, { token: admin.token, body: { disabled: 'yes' } });
    expect(p.status).toBe(400);
    expect((await api(server, 'GET', '/instance/users')).status).toBe(401);
  });
});

describe('REGISTRATION=open', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ env: { REGISTRATION: 'open' } });
  });
  afterAll(() => server?.close());

  it('blocks login and refresh until re-enabled; an admin cannot disable themself', async () => {
    const admin = await registerUser(server);
    const bob = await registerUser(server);
    const off = await api(server, 'PATCH', `/instance/users/${bob.id}`, { token: admin.token, body: { disabled: true } });
    expect(off.status).toBe(200);
    expect(off.body).toMatchObject({ disabled: true, instance_admin: false });
    const login = await api(server, 'POST', '/auth/login', { body: { username: bob.username, password: bob.password } });
    expect(login.status).toBe(403);
    expect(login.body.code).toBe(40009);
    expect((await api(server, 'POST', '/auth/refresh', { body: { refresh_token: bob.refreshToken } })).status).toBe(401);
    const on = await api(server, 'PATCH', `/instance/users/${bob.id}`, { token: admin.token, body: { disabled: false } });
    expect(on.body.disabled).toBe(false);
    expect((await api(server, 'POST', '/auth/login', { body: { username: bob.username, password: bob.password } })).status).toBe(200);
    const self = await api(server, 'PATCH', `/instance/users/${admin.id}`, { token: admin.token, body: { disabled: true } });
    expect(self.status).toBe(403);
    expect((await api(server, 'PATCH', '/instance/users/123456789', { token: admin.token, body: { disabled: true } })).status).toBe(404);
  });
  it('open: anyone registers without a code, but a wrong code is still refused', async () => {
    expect((await register(server)).status).toBe(201);
    expect((await register(server, { invite: 'bogus' })).status).toBe(400);
  });
});

describe('REGISTRATION=closed', () => {
  it('closed: the first account is still free, then 403 40008 even with a code', async () => {
    const server = await startServer({ env: { REGISTRATION: 'closed' } });
    try {
      const admin = await registerUser(server);
      const inv = await api(server, 'POST', '/instance/invites', { token: admin.token, body: { max_uses: 0 } });
      const r = await register(server, { invite: inv.body.code });
      expect(r.status).toBe(403);
      expect(r.body).toMatchObject({ code: 40008 });
      expect((await api(server, 'GET', '/instance')).body.registration).toBe('closed');
      expect(await userCount(server, admin)).toBe(1);
    } finally {
      await server.close();
    }
  });
});
