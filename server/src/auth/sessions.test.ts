import { eq } from 'drizzle-orm';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { users } from '../db/schema.js';
import { connectUser, GatewayClient } from '../test/gateway.js';
import { api, backend, registerUser, startServer, type TestServer, type TestUser } from '../test/helper.js';
import { signAccessToken } from './tokens.js';

/**
 * Sessions that really end: logout, a password change, a disabled or deleted account end REST
 * access at once and close the gateway sessions concerned with 4004; everything else keeps working.
 */
let server: TestServer;
let admin: TestUser;

beforeAll(async () => {
  server = await startServer();
  admin = await registerUser(server); // first account: instance admin
});
afterAll(() => server.close());

const login = async (u: TestUser) => {
  const r = await api(server, 'POST', '/auth/login', { body: { username: u.username, password: u.password } });
  expect(r.status).toBe(200);
  return { token: r.body.access_token as string, refresh: r.body.refresh_token as string };
};
const me = async (token: string) => (await api(server, 'GET', '/users/@me', { token })).status;
const family = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).fam as string;

describe('session revocation', () => {
  it('logout ends that login on REST and the gateway at once; the other login goes on', async () => {
    const u = await registerUser(server);
    const other = await login(u);
    const gwA = await connectUser(server, u);
    const gwB = await connectUser(server, { ...u, token: other.token });
    expect(await me(u.token)).toBe(200);

    expect((await api(server, 'POST', '/auth/logout', { token: u.token, body: {} })).status).toBe(204);
    expect(await me(u.token)).toBe(401);
    expect((await gwA.closed).code).toBe(4004);
    expect((await api(server, 'POST', '/auth/refresh', { body: { refresh_token: u.refreshToken } })).status).toBe(401);

    expect(await me(other.token)).toBe(200);
    await api(server, 'PATCH', '/users/@me', { token: other.token, body: { display_name: 'Still Here' } });
    await gwB.dispatch('USER_UPDATE', (d) => d.global_name === 'Still Here' || d.display_name === 'Still Here');
    expect(gwB.closeCode).toBeUndefined();
    gwB.ws.close();
  });

  it('a password change ends every other login, keeps this one', async () => {
    const u = await registerUser(server);
    const other = await login(u);
    const gwOther = await connectUser(server, { ...u, token: other.token });
    const gwMine = await connectUser(server, u);
    const r = await api(server, 'PATCH', '/users/@me', {
      token: u.token,
      body: { password: u.password, new_password: 'a whole new secret 42' },
    });
    expect(r.status).toBe(200);
    expect(await me(other.token)).toBe(401);
    expect((await gwOther.closed).code).toBe(4004);
    expect((await api(server, 'POST', '/auth/refresh', { body: { refresh_token: other.refresh } })).status).toBe(401);
    expect(await me(u.token)).toBe(200);
    expect(gwMine.closeCode).toBeUndefined();
    gwMine.ws.close();
  });

  it('refuses a resumed session after its login ended', async () => {
    const u = await registerUser(server);
    const gw = await connectUser(server, u);
    const { sessionId, seq } = gw;
    gw.drop();
    await api(server, 'POST', '/auth/logout', { token: u.token, body: {} });
    const again = await GatewayClient.connect(server);
    await again.waitFor((f) => f.op === 10);
    again.send(6, { token: u.token, session_id: sessionId, seq });
    expect((await again.closed).code).toBe(4004);
  });

  it('a disabled account is refused everywhere at once', async () => {
    const u = await registerUser(server);
    const gw = await connectUser(server, u);
    const r = await api(server, 'PATCH', `/instance/users/${u.id}`, { token: admin.token, body: { disabled: true } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(await me(u.token)).toBe(401);
    expect((await gw.closed).code).toBe(4004);
  });

  it('tokens of a deleted user get 401 (not 500) and create nothing', async () => {
    const u = await registerUser(server);
    await server.app.ctx.db.delete(users).where(eq(users.id, u.id));
    expect(await me(u.token)).toBe(401);
    expect((await api(server, 'POST', '/guilds', { token: u.token, body: { name: 'x' } })).status).toBe(401);
    const bot = await api(server, 'POST', '/users/@me/bots', { token: u.token, body: { username: `orphan_${u.id.slice(-6)}` } });
    expect(bot.status).toBe(401);
    const orphans = await server.app.ctx.db.select().from(users).where(eq(users.botOwnerId, u.id));
    expect(orphans).toEqual([]);
    const gw = await GatewayClient.connect(server);
    await gw.waitFor((f) => f.op === 10);
    gw.send(2, { token: u.token, properties: {} });
    expect((await gw.closed).code).toBe(4004);
  });

  it('refuses a signed JWT without exp', async () => {
    const u = await registerUser(server);
    const noExp = await new SignJWT({ fam: family(u.token) })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(u.id)
      .setIssuedAt()
      .sign(server.app.ctx.config.jwtSecret);
    expect(await me(noExp)).toBe(401);
    const gw = await GatewayClient.connect(server);
    await gw.waitFor((f) => f.op === 10);
    gw.send(2, { token: noExp, properties: {} });
    expect((await gw.closed).code).toBe(4004);
  });

  it('closes a gateway session when its access token expires; a fresh token RESUMEs it with nothing missed', async () => {
    const u = await registerUser(server);
    const short = await signAccessToken(server.app.ctx.config.jwtSecret, { sub: u.id, fam: family(u.token) }, 2);
    const gw = await connectUser(server, { ...u, token: short });
    const { sessionId } = gw;
    const closed = await gw.closed;
    expect(closed.code).toBe(4004);
    const seq = gw.seq;
    await api(server, 'PATCH', '/users/@me', { token: u.token, body: { display_name: 'After Expiry' } });
    const again = await GatewayClient.connect(server);
    await again.waitFor((f) => f.op === 10);
    again.send(6, { token: u.token, session_id: sessionId, seq });
    await again.dispatch('RESUMED');
    expect(again.dispatches('USER_UPDATE').some((f) => f.d.global_name === 'After Expiry' || f.d.display_name === 'After Expiry')).toBe(
      true,
    );
    again.ws.close();
  });

  it.runIf(backend === 'postgres' && !!process.env.TEST_REDIS_URL)(
    'a logout on one instance ends the login on the others (bus)',
    async () => {
      const other = await startServer({ shareWith: server });
      try {
        const u = await registerUser(server);
        expect(await api(other, 'GET', '/users/@me', { token: u.token }).then((r) => r.status)).toBe(200); // cached there now
        const gw = await connectUser(other, u);
        expect((await api(server, 'POST', '/auth/logout', { token: u.token, body: {} })).status).toBe(204);
        expect((await gw.closed).code).toBe(4004);
        const deadline = Date.now() + 5000;
        let status = 200;
        while (status === 200 && Date.now() < deadline) status = (await api(other, 'GET', '/users/@me', { token: u.token })).status;
        expect(status).toBe(401);
      } finally {
        await other.close();
      }
    },
  );
});
