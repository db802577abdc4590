import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, registerUser, startServer, type TestServer, uniqueName } from '../test/helper.js';

/**
 * The web client's refresh token: an HttpOnly, SameSite=Strict cookie scoped to POST /auth/refresh,
 * never in a JSON body script can read. Accepted only with our own Origin (CSRF). Native clients and
 * bots (no Origin) keep body tokens, covered by auth.test.ts and sessions.test.ts.
 */
let server: TestServer;
let origin: string;

beforeAll(async () => {
  // TRUST_PROXY: loopback may say the original request was HTTPS (X-Forwarded-Proto) → Secure cookie.
  server = await startServer({ env: { TRUST_PROXY: '127.0.0.1' } });
  origin = server.url;
  await registerUser(server); // first account: instance admin
});
afterAll(() => server.close());

const PASSWORD = 'correct horse battery';

/** The refresh cookie a response set: its value and attributes. */
function cookieOf(res: { headers: Headers }) {
  const raw = res.headers.getSetCookie().find((c) => c.startsWith('retrocast_refresh='));
  if (!raw) return undefined;
  const [pair, ...attrs] = raw.split(';').map((s) => s.trim());
  return { value: pair.slice(pair.indexOf('=') + 1), attrs: attrs.map((a) => a.toLowerCase()), raw };
}

/** A browser request from our own page: Origin of this server, the cookie if given. */
const fromPage = (cookie?: string, extra: Record<string, string> = {}) => ({
  origin,
  ...(cookie ? { cookie: `retrocast_refresh=${cookie}` } : {}),
  ...extra,
});

async function browserLogin() {
  const username = uniqueName('ck');
  const reg = await api(server, 'POST', '/auth/register', { body: { username, password: PASSWORD }, headers: fromPage() });
  expect(reg.status).toBe(201);
  const c = cookieOf(reg);
  expect(c).toBeDefined();
  return { username, access: reg.body.access_token as string, cookie: c!.value, reg };
}

const refresh = (headers: Record<string, string>, body: unknown = {}) => api(server, 'POST', '/auth/refresh', { body, headers });
const me = async (token: string) => (await api(server, 'GET', '/users/@me', { token })).status;

describe('refresh token cookie (web client)', () => {
  it('register and login on our origin set an HttpOnly SameSite=Strict cookie for the refresh path, never the token in JSON', async () => {
    const { username, reg, cookie } = await browserLogin();
    expect(reg.body.refresh_token).toBeUndefined();
    expect(reg.body.access_token).toEqual(expect.any(String));
    const attrs = cookieOf(reg)!.attrs;
    expect(attrs).toContain('httponly');
    expect(attrs).toContain('samesite=strict');
    expect(attrs).toContain('path=/api/v10/auth/refresh');
    expect(attrs).not.toContain('secure'); // plain HTTP here
    expect(attrs.find((a) => a.startsWith('max-age='))).toMatch(/^max-age=[1-9]\d+$/);
    expect(cookie.length).toBeGreaterThan(20);

    const login = await api(server, 'POST', '/auth/login', { body: { username, password: PASSWORD }, headers: fromPage() });
    expect(login.status).toBe(200);
    expect(login.body.refresh_token).toBeUndefined();
    expect(cookieOf(login)?.attrs).toContain('httponly');

    // Over HTTPS (here: a trusted proxy says so) the cookie is Secure too.
    const tls = await api(server, 'POST', '/auth/login', {
      body: { username, password: PASSWORD },
      headers: fromPage(undefined, { 'x-forwarded-proto': 'https' }),
    });
    expect(tls.status).toBe(200);
    expect(cookieOf(tls)?.attrs).toContain('secure');
  });

  it('a native client (no Origin) and a foreign origin still get the refresh token in the body, and no cookie', async () => {
    const username = uniqueName('nat');
    const reg = await api(server, 'POST', '/auth/register', { body: { username, password: PASSWORD } });
    expect(reg.status).toBe(201);
    expect(reg.body.refresh_token).toEqual(expect.any(String));
    expect(cookieOf(reg)).toBeUndefined();
    const foreign = await api(server, 'POST', '/auth/login', {
      body: { username, password: PASSWORD },
      headers: { origin: 'https://evil.example' },
    });
    expect(foreign.body.refresh_token).toEqual(expect.any(String));
    expect(cookieOf(foreign)).toBeUndefined();
  });

  it('refresh with the cookie rotates it; presenting the old cookie again revokes the whole login', async () => {
    const { cookie } = await browserLogin();
    const r1 = await refresh(fromPage(cookie));
    expect(r1.status).toBe(200);
    expect(r1.body.refresh_token).toBeUndefined();
    const next = cookieOf(r1)!.value;
    expect(next).not.toBe(cookie);
    expect(await me(r1.body.access_token)).toBe(200);

    const reuse = await refresh(fromPage(cookie));
    expect(reuse.status).toBe(401);
    expect(reuse.body).toMatchObject({ code: 40001 });
    expect(cookieOf(reuse)?.attrs).toContain('max-age=0'); // cleared
    // Reuse means it leaked: the rotated cookie and its access token are dead too.
    expect((await refresh(fromPage(next))).status).toBe(401);
    expect(await me(r1.body.access_token)).toBe(401);
  });

  it('CSRF: the cookie is refused without our Origin (missing or another site), and nothing rotates', async () => {
    const { cookie } = await browserLogin();
    const none = await api(server, 'POST', '/auth/refresh', { body: {}, headers: { cookie: `retrocast_refresh=${cookie}` } });
    expect(none.status).toBe(401);
    const evil = await refresh({ origin: 'https://evil.example', cookie: `retrocast_refresh=${cookie}` });
    expect(evil.status).toBe(401);
    const lookalike = await refresh({ origin: `${origin}.evil.example`, cookie: `retrocast_refresh=${cookie}` });
    expect(lookalike.status).toBe(401);
    const bad = await refresh({ origin: 'not a url', cookie: `retrocast_refresh=${cookie}` });
    expect(bad.status).toBe(401);
    // None of those used the token: it still works exactly once from our page.
    expect((await refresh(fromPage(cookie))).status).toBe(200);
  });

  it('no token at all is 401 with a Discord error body; a malformed body is 400', async () => {
    const r = await refresh(fromPage());
    expect(r.status).toBe(401);
    expect(r.body).toMatchObject({ code: 40001, message: expect.any(String) });
    expect((await refresh(fromPage(), { refresh_token: 42 })).status).toBe(400);
  });

  it('an old login stored by the web client before the cookie moves into the cookie on its next refresh', async () => {
    const username = uniqueName('old');
    const reg = await api(server, 'POST', '/auth/register', { body: { username, password: PASSWORD } });
    const r = await refresh(fromPage(), { refresh_token: reg.body.refresh_token });
    expect(r.status).toBe(200);
    expect(r.body.refresh_token).toBeUndefined();
    expect((await refresh(fromPage(cookieOf(r)!.value))).status).toBe(200);
  });

  it('logout clears the cookie and ends the login; a password change ends the other logins’ cookies', async () => {
    const a = await browserLogin();
    const out = await api(server, 'POST', '/auth/logout', { token: a.access, body: {}, headers: fromPage() });
    expect(out.status).toBe(204);
    expect(cookieOf(out)?.attrs).toContain('max-age=0');
    expect((await refresh(fromPage(a.cookie))).status).toBe(401);

    const b = await browserLogin();
    const other = await api(server, 'POST', '/auth/login', { body: { username: b.username, password: PASSWORD }, headers: fromPage() });
    const otherCookie = cookieOf(other)!.value;
    const change = await api(server, 'PATCH', '/users/@me', {
      token: b.access,
      body: { password: PASSWORD, new_password: 'a whole new secret 42' },
      headers: fromPage(),
    });
    expect(change.status).toBe(200);
    expect((await refresh(fromPage(otherCookie))).status).toBe(401);
    expect((await refresh(fromPage(b.cookie))).status).toBe(200); // this login goes on
  });
});
