import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { type TestServer, api, registerUser, startServer, uniqueName } from '../test/helper.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server?.close());

describe('account lifecycle', () => {
  it('register → login → @me → refresh → reuse revokes family → logout', async () => {
    const username = uniqueName('life');
    const reg = await api(server, 'POST', '/auth/register', { body: { username, password: 'hunter2 is my horse', display_name: 'Life' } });
    expect(reg.status).toBe(201);
    expect(reg.body.user).toMatchObject({ username, global_name: 'Life', discriminator: '0', bot: false });
    expect(reg.body).not.toHaveProperty('user.password_hash');
    expect(reg.body.expires_in).toBe(900);

    const login = await api(server, 'POST', '/auth/login', { body: { username, password: 'hunter2 is my horse' } });
    expect(login.status).toBe(200);
    const me = await api(server, 'GET', '/users/@me', { token: login.body.access_token });
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(reg.body.user.id);

    const r1 = await api(server, 'POST', '/auth/refresh', { body: { refresh_token: login.body.refresh_token } });
    expect(r1.status).toBe(200);
    expect(r1.body.refresh_token).not.toBe(login.body.refresh_token);
    // Reusing the rotated token revokes the whole family, including the newest token.
    const reuse = await api(server, 'POST', '/auth/refresh', { body: { refresh_token: login.body.refresh_token } });
    expect(reuse.status).toBe(401);
    expect(reuse.body.code).toBe(40001);
    const after = await api(server, 'POST', '/auth/refresh', { body: { refresh_token: r1.body.refresh_token } });
    expect(after.status).toBe(401);
    // The registration's own login is another family and still works.
    const other = await api(server, 'POST', '/auth/refresh', { body: { refresh_token: reg.body.refresh_token } });
    expect(other.status).toBe(200);

    const out = await api(server, 'POST', '/auth/logout', {
      token: other.body.access_token,
      body: { refresh_token: other.body.refresh_token },
    });
    expect(out.status).toBe(204);
    const dead = await api(server, 'POST', '/auth/refresh', { body: { refresh_token: other.body.refresh_token } });
    expect(dead.status).toBe(401);
  });

  it('rejects a wrong password and an unknown user alike', async () => {
    const u = await registerUser(server);
    const wrong = await api(server, 'POST', '/auth/login', { body: { username: u.username, password: 'not the password' } });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toMatchObject({ code: 50035, errors: { login: { _errors: [{ code: 'INVALID_LOGIN' }] } } });
    const ghost = await api(server, 'POST', '/auth/login', { body: { username: uniqueName('ghost'), password: 'whatever1' } });
    expect(ghost.status).toBe(400);
    expect(ghost.body.errors).toEqual(wrong.body.errors);
  });

  it('treats usernames case-insensitively: duplicate in another case is 409', async () => {
    const u = await registerUser(server);
    const dup = await api(server, 'POST', '/auth/register', { body: { username: u.username.toUpperCase(), password: 'password123' } });
    expect(dup.status).toBe(409);
    expect(dup.body.errors.username._errors[0].code).toBe('USERNAME_ALREADY_TAKEN');
    const login = await api(server, 'POST', '/auth/login', { body: { username: u.username.toUpperCase(), password: u.password } });
    expect(login.status).toBe(200);
  });

  it('accepts only valid, unexpired, untampered access tokens', async () => {
    const u = await registerUser(server);
    const [h, p, s] = u.token.split('.');
    const tampered = `${h}.${p}.${s.slice(0, -2)}${s.endsWith('AA') ? 'BB' : 'AA'}`;
    expect((await api(server, 'GET', '/users/@me', { token: tampered })).status).toBe(401);
    const forgedPayload = Buffer.from(JSON.stringify({ sub: '1', fam: '1', exp: 9999999999 })).toString('base64url');
    expect((await api(server, 'GET', '/users/@me', { token: `${h}.${forgedPayload}.${s}` })).status).toBe(401);
    const secret = server.app.ctx.config.jwtSecret;
    const expired = await new SignJWT({ fam: '1' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(u.id)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 10)
      .sign(secret);
    const res = await api(server, 'GET', '/users/@me', { token: expired });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ code: 40001, message: '401: Unauthorized' });
    expect((await api(server, 'GET', '/users/@me')).status).toBe(401);
    expect((await api(server, 'GET', '/users/@me', { auth: 'Basic abc' })).status).toBe(401);
  });

  it('password change needs the old password and revokes other sessions', async () => {
    const u = await registerUser(server);
    const second = await api(server, 'POST', '/auth/login', { body: { username: u.username, password: u.password } });
    const bad = await api(server, 'PATCH', '/users/@me', {
      token: u.token,
      body: { password: 'wrong-old-pw', new_password: 'brand new password' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.password._errors[0].code).toBe('PASSWORD_DOES_NOT_MATCH');
    const ok = await api(server, 'PATCH', '/users/@me', {
      token: u.token,
      body: { password: u.password, new_password: 'brand new password' },
    });
    expect(ok.status).toBe(200);
    expect((await api(server, 'POST', '/auth/refresh', { body: { refresh_token: second.body.refresh_token } })).status).toBe(401);
    expect((await api(server, 'POST', '/auth/refresh', { body: { refresh_token: u.refreshToken } })).status).toBe(200);
    expect((await api(server, 'POST', '/auth/login', { body: { username: u.username, password: 'brand new password' } })).status).toBe(200);
  });
});

describe('bots', () => {
  it('creates a bot whose token authenticates as the bot', async () => {
    const owner = await registerUser(server);
    const res = await api(server, 'POST', '/users/@me/bots', { token: owner.token, body: { username: uniqueName('bot') } });
    expect(res.status).toBe(201);
    expect(res.body.user.bot).toBe(true);
    const me = await api(server, 'GET', '/users/@me', { auth: `Bot ${res.body.token}` });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: res.body.user.id, bot: true });
    expect((await api(server, 'GET', '/users/@me', { auth: `Bot ${res.body.token}x` })).status).toBe(401);
    // Bots cannot create bots.
    const nested = await api(server, 'POST', '/users/@me/bots', { auth: `Bot ${res.body.token}`, body: { username: uniqueName('bot') } });
    expect(nested.status).toBe(403);
  });
});

describe('GET /users/:id', () => {
  it('returns a public profile without private fields, 404 for unknown', async () => {
    const a = await registerUser(server);
    const b = await registerUser(server);
    const res = await api(server, 'GET', `/users/${b.id}`, { token: a.token });
    expect(res.status).toBe(200);
    // Discord's public user object (flags mirrors public_flags; no email/verified/mfa/locale).
    expect(Object.keys(res.body).sort()).toEqual([
      ...['accent_color', 'avatar', 'avatar_decoration_data', 'banner', 'bot', 'collectibles', 'discriminator', 'flags'],
      ...['global_name', 'id', 'primary_guild', 'public_flags', 'system', 'username'],
    ]);
    const missing = await api(server, 'GET', '/users/123456789', { token: a.token });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe(10013);
  });
});

describe('API versions', () => {
  it('serves /api/v9 and /api/v1 as aliases of /api/v10', async () => {
    const u = await registerUser(server);
    for (const v of ['/api/v9', '/api/v1']) {
      const res = await api(server, 'GET', `${v}/users/@me`, { token: u.token });
      expect(res.status, v).toBe(200);
    }
  });

  it('publishes an OpenAPI document and a health check', async () => {
    const doc = await api(server, 'GET', '/api/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.paths['/api/v10/auth/register']).toBeDefined();
    const health = await api(server, 'GET', '/healthz');
    expect(health.status).toBe(200);
  });
});
