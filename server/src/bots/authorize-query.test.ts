import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, registerUser, startServer, type TestServer, type TestUser, uniqueName } from '../test/helper.js';

/**
 * /oauth2/authorize checks its query strictly (issue 20): every bad field is a 400 Invalid Form
 * Body naming it, an over-long URL is 414 with our body, and past Node's 16 KB header limit the
 * HTTP server answers 431 (documented in the OpenAPI document). Bad input adds no bot anywhere.
 */
let server: TestServer;
let owner: TestUser;
let botId: string;
let guildId: string;

beforeAll(async () => {
  server = await startServer();
  owner = await registerUser(server);
  const bot = await api(server, 'POST', '/users/@me/bots', { token: owner.token, body: { username: uniqueName('bot') } });
  expect(bot.status).toBe(201);
  botId = bot.body.user.id;
  const g = await api(server, 'POST', '/guilds', { token: owner.token, body: { name: 'Authorize' } });
  guildId = g.body.id;
});
afterAll(() => server?.close());

const get = (query: string) => api(server, 'GET', `/oauth2/authorize?${query}`, { token: owner.token });
const fieldCode = (body: any, field: string) => body?.errors?.[field]?._errors?.[0]?.code;

describe('GET/POST /oauth2/authorize query validation', () => {
  it('accepts a well-formed link, including scope "bot applications.commands"', async () => {
    const ok = await get(`client_id=${botId}&scope=bot&permissions=2048`);
    expect(ok.status).toBe(200);
    expect(ok.body.permissions).toBe('2048');
    const both = await get(
      `client_id=${botId}&scope=bot+applications.commands&response_type=code&redirect_uri=https%3A%2F%2Fexample.org%2Fcb`,
    );
    expect(both.status).toBe(200);
  });

  it.each([
    ['client_id=abc&scope=bot', 'client_id'],
    ['client_id=9223372036854775808&scope=bot', 'client_id'],
    ['scope=bot', 'client_id'],
    ['client_id=BOT&scope=identify', 'scope'],
    ['client_id=BOT&scope=bot+email', 'scope'],
    ['client_id=BOT&scope=applications.commands', 'scope'],
    ['client_id=BOT&scope=bot&permissions=-1', 'permissions'],
    ['client_id=BOT&scope=bot&permissions=18446744073709551616', 'permissions'],
    ['client_id=BOT&scope=bot&permissions=1e3', 'permissions'],
    ['client_id=BOT&scope=bot&response_type=token', 'response_type'],
    ['client_id=BOT&scope=bot&redirect_uri=javascript%3Aalert(1)', 'redirect_uri'],
    ['client_id=BOT&scope=bot&redirect_uri=not%20a%20url', 'redirect_uri'],
    ['client_id=BOT&scope=bot&guild_id=x', 'guild_id'],
    ['client_id=BOT&scope=bot&disable_guild_select=maybe', 'disable_guild_select'],
  ])('%s → 400 naming %s', async (query, field) => {
    const r = await get(query.replace('BOT', botId));
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ code: 50035, message: 'Invalid Form Body' });
    expect(fieldCode(r.body, field)).toEqual(expect.any(String));
  });

  it('an unknown application is 404 Unknown Application', async () => {
    const r = await get(`client_id=${owner.id}&scope=bot`);
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({ code: 10002 });
  });

  it('POST with a bad query or out-of-range permissions is 400 and adds nothing', async () => {
    for (const [query, body] of [
      [`client_id=${botId}&scope=identify`, { guild_id: guildId }],
      [`client_id=${botId}&scope=bot`, { guild_id: guildId, permissions: '18446744073709551616' }],
    ] as const) {
      const r = await api(server, 'POST', `/oauth2/authorize?${query}`, { token: owner.token, body });
      expect(r.status).toBe(400);
      expect(r.body.code).toBe(50035);
    }
    const members = await api(server, 'GET', `/guilds/${guildId}/members?limit=100`, { token: owner.token });
    expect(members.body.map((m: { user: { id: string } }) => m.user.id)).not.toContain(botId);
    const added = await api(server, 'POST', `/oauth2/authorize?client_id=${botId}&scope=bot`, {
      token: owner.token,
      body: { guild_id: guildId },
    });
    expect(added.status).toBe(200);
  });

  it('an over-long URL is 414 with our error body; past the 16 KB header limit, 431', async () => {
    const long = await get(`client_id=${botId}&scope=bot&x=${'a'.repeat(9000)}`);
    expect(long.status).toBe(414);
    expect(long.body).toEqual({ code: 0, message: '414: URI Too Long' });
    const huge = await get(`client_id=${botId}&scope=bot&x=${'a'.repeat(20_000)}`);
    expect(huge.status).toBe(431);
  });

  it('documents 414 and 431 for both methods in the OpenAPI document', async () => {
    const doc = (await api(server, 'GET', '/api/openapi.json')).body;
    for (const method of ['get', 'post']) {
      const responses = doc.paths['/api/v10/oauth2/authorize'][method].responses;
      expect(Object.keys(responses)).toEqual(expect.arrayContaining(['200', '400', '404', '414', '431']));
    }
  });
});
