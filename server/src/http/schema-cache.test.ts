import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, registerUser, startServer, type TestServer, type TestUser } from '../test/helper.js';
import { compileAllSchemas } from './schema-cache.js';

let server: TestServer;
let user: TestUser;
beforeAll(async () => {
  server = await startServer();
  user = await registerUser(server);
});
afterAll(() => server?.close());

describe('route schemas compiled at first use', () => {
  it('validate, coerce and serialize on a route first used now', async () => {
    // Params validated (and the error listed) by a validator compiled at this request.
    const bad = await api(server, 'GET', '/guilds/12ab/channels', { token: user.token });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 50035, errors: expect.any(Object) });
    // Query coerced from text; the response serializer drops fields its schema does not list.
    const mine = await api(server, 'GET', '/users/@me/guilds?limit=5', { token: user.token });
    expect(mine.status).toBe(200);
    expect(mine.body).toEqual([]);
    const self = await api(server, 'GET', '/users/@me', { token: user.token });
    expect(self.body).not.toHaveProperty('password_hash');
    expect(self.body).toMatchObject({ id: user.id, username: user.username });
  });

  it('every route schema compiles', () => {
    compileAllSchemas();
    expect(compileAllSchemas()).toBe(0);
  });
});
