import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, registerUser, startServer, type TestServer, uniqueName } from '../test/helper.js';
import { passwordWeakness } from './strength.js';

describe('passwordWeakness', () => {
  it.each([
    ['password', 'one of the most common'],
    ['12345678', 'one of the most common'],
    ['password123', 'commonly used'],
    ['qwertyuiop', 'common'],
    ['aaaaaaaaaa', 'Repeated'],
    ['abcdefghij', 'Sequences'],
  ])('refuses %s (%s)', async (password, reason) => {
    expect(await passwordWeakness(password, 'someone')).toMatch(reason);
  });

  it('refuses the username itself and passwords containing it, whatever the case', async () => {
    expect(await passwordWeakness('margarethe_k', 'margarethe_k')).toMatch(/username/);
    expect(await passwordWeakness('Margarethe_K!2026', 'margarethe_k')).toMatch(/username/);
  });

  it.each(['correct horse battery', 'long enough 123', 'Tr0ub4dor&3', 'brand new password'])('accepts %s', async (password) => {
    expect(await passwordWeakness(password, 'someone')).toBeUndefined();
  });
});

describe('weak passwords over HTTP', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ env: { RATE_LIMIT_DISABLED: '1' } });
  });
  afterAll(() => server?.close());

  it('register: 400 PASSWORD_TOO_WEAK with the reason, and no account', async () => {
    const username = uniqueName('weak');
    const res = await api(server, 'POST', '/auth/register', { body: { username, password: 'password123' } });
    expect(res.status).toBe(400);
    expect(res.body.errors.password._errors[0]).toMatchObject({
      code: 'PASSWORD_TOO_WEAK',
      message: expect.stringMatching(/commonly used/),
    });
    const login = await api(server, 'POST', '/auth/login', { body: { username, password: 'password123' } });
    expect(login.status).toBe(400);
  });

  it('register: the username as password is refused', async () => {
    const username = uniqueName('samename');
    const res = await api(server, 'POST', '/auth/register', { body: { username, password: username } });
    expect(res.status).toBe(400);
    expect(res.body.errors.password._errors[0].message).toMatch(/username/);
  });

  it('password change: a weak new password is refused and the old one keeps working', async () => {
    const user = await registerUser(server);
    const res = await api(server, 'PATCH', '/users/@me', {
      token: user.token,
      body: { password: user.password, new_password: '12345678' },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors.new_password._errors[0].code).toBe('PASSWORD_TOO_WEAK');
    const login = await api(server, 'POST', '/auth/login', { body: { username: user.username, password: user.password } });
    expect(login.status).toBe(200);
  });
});
