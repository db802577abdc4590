import { count } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { users } from '../db/schema.js';
import { type RequestOptions, type TestServer, type TestUser, api, registerUser, startServer, uniqueName } from '../test/helper.js';

let server: TestServer;
let alice: TestUser;
beforeAll(async () => {
  server = await startServer({ env: { BODY_LIMIT_BYTES: String(64 * 1024) } });
  alice = await registerUser(server);
});
afterAll(() => server?.close());

const userCount = async () => Number((await server.app.ctx.db.select({ n: count() }).from(users))[0].n);

/** [name, method, path, options, expected status, expected Discord code] */
type Case = [string, string, string, RequestOptions | (() => RequestOptions), number, number];
const name = () => uniqueName('bad');

const cases: Case[] = [
  ['register: missing body', 'POST', '/auth/register', {}, 400, 50035],
  ['register: missing username', 'POST', '/auth/register', { body: { password: 'password123' } }, 400, 50035],
  ['register: missing password', 'POST', '/auth/register', () => ({ body: { username: name() } }), 400, 50035],
  ['register: username is a number', 'POST', '/auth/register', { body: { username: 12345, password: 'password123' } }, 400, 50035],
  ['register: password is an array', 'POST', '/auth/register', () => ({ body: { username: name(), password: ['a'] } }), 400, 50035],
  ['register: body is an array', 'POST', '/auth/register', { body: [1, 2] }, 400, 50035],
  ['register: body is a string', 'POST', '/auth/register', { raw: '"hello"' }, 400, 50035],
  ['register: username too short', 'POST', '/auth/register', { body: { username: 'a', password: 'password123' } }, 400, 50035],
  ['register: username too long', 'POST', '/auth/register', { body: { username: 'a'.repeat(33), password: 'password123' } }, 400, 50035],
  ['register: password too short', 'POST', '/auth/register', () => ({ body: { username: name(), password: 'short' } }), 400, 50035],
  ['register: password too long', 'POST', '/auth/register', () => ({ body: { username: name(), password: 'x'.repeat(129) } }), 400, 50035],
  ['register: spaces in username', 'POST', '/auth/register', { body: { username: 'a b c', password: 'password123' } }, 400, 50035],
  ['register: Cyrillic confusable', 'POST', '/auth/register', { body: { username: 'аlice', password: 'password123' } }, 400, 50035],
  ['register: fullwidth confusable', 'POST', '/auth/register', { body: { username: 'ａｌｉｃｅ', password: 'password123' } }, 400, 50035],
  ['register: zero-width joiner', 'POST', '/auth/register', { body: { username: 'al\u200dice', password: 'password123' } }, 400, 50035],
  ['register: emoji username', 'POST', '/auth/register', { body: { username: 'ali😀ce', password: 'password123' } }, 400, 50035],
  [
    'register: display name too long',
    'POST',
    '/auth/register',
    () => ({ body: { username: name(), password: 'password123', display_name: 'x'.repeat(33) } }),
    400,
    50035,
  ],
  [
    'register: display name only invisible chars',
    'POST',
    '/auth/register',
    () => ({ body: { username: name(), password: 'password123', display_name: '\u200b\u200b' } }),
    400,
    50035,
  ],
  ['register: malformed JSON', 'POST', '/auth/register', { raw: '{"username": "x",' }, 400, 50109],
  [
    'register: huge body',
    'POST',
    '/auth/register',
    () => ({ body: { username: name(), password: 'password123', pad: 'x'.repeat(200_000) } }),
    413,
    40005,
  ],
  ['register: null username', 'POST', '/auth/register', { body: { username: null, password: 'password123' } }, 400, 50035],
  ['login: missing password', 'POST', '/auth/login', () => ({ body: { username: alice.username } }), 400, 50035],
  ['login: object password', 'POST', '/auth/login', () => ({ body: { username: alice.username, password: { $gt: '' } } }), 400, 50035],
  ['refresh: empty token', 'POST', '/auth/refresh', { body: { refresh_token: '' } }, 400, 50035],
  ['refresh: unknown token', 'POST', '/auth/refresh', { body: { refresh_token: 'nope' } }, 401, 40001],
  ['users/:id: not a snowflake', 'GET', '/users/abc', () => ({ token: alice.token }), 400, 50035],
  ['users/:id: too many digits', 'GET', '/users/123456789012345678901234', () => ({ token: alice.token }), 400, 50035],
  ['PATCH @me: display name wrong type', 'PATCH', '/users/@me', () => ({ token: alice.token, body: { display_name: 42 } }), 400, 50035],
  [
    'PATCH @me: new password without old',
    'PATCH',
    '/users/@me',
    () => ({ token: alice.token, body: { new_password: 'something-new' } }),
    400,
    50035,
  ],
  ['unknown route', 'GET', '/does-not-exist', () => ({ token: alice.token }), 404, 0],
  ['wrong method', 'DELETE', '/auth/register', {}, 405, 0],
  [
    'form-encoded body',
    'POST',
    '/auth/register',
    { raw: 'username=x&password=y', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
    415,
    0,
  ],
];

describe('bad input gets a 4xx with Discord error body and changes nothing', () => {
  it.each(cases)('%s', async (_label, method, path, opts, status, code) => {
    const before = await userCount();
    const res = await api(server, method, path, typeof opts === 'function' ? opts() : opts);
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ code, message: expect.any(String) });
    if (code === 50035) expect(res.body.errors).toBeTypeOf('object');
    expect(await userCount()).toBe(before);
  });

  it('names the failing field in Discord style', async () => {
    const res = await api(server, 'POST', '/auth/register', { body: { username: 'ok_name_zz' } });
    expect(res.body.errors.password._errors[0]).toMatchObject({ code: 'BASE_TYPE_REQUIRED' });
  });

  it('never stores the fields it does not know', async () => {
    const u = uniqueName('extra');
    const res = await api(server, 'POST', '/auth/register', {
      body: { username: u, password: 'correct horse battery', bot: true, id: '1' },
    });
    expect(res.status).toBe(201);
    expect(res.body.user.bot).toBe(false);
    expect(res.body.user.id).not.toBe('1');
  });
});
