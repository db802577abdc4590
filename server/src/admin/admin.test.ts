import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, registerUser, startServer, type TestServer, type TestUser } from '../test/helper.js';
import { runCli } from './cli.js';

const login = (server: TestServer, username: string, password: string) =>
  api(server, 'POST', '/auth/login', { body: { username, password } });

describe('npm run admin', () => {
  let server: TestServer;
  let alice: TestUser;
  let bob: TestUser;
  const dataDir = mkdtempSync(join(tmpdir(), 'rc-admin-'));
  const cli = (...argv: string[]) => runCli(argv, server.env);

  beforeAll(async () => {
    server = await startServer({ dataDir });
    alice = await registerUser(server);
    bob = await registerUser(server);
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('user list goes through the running server and shows the first account as admin', async () => {
    const r = await cli('user', 'list');
    expect(r).toMatchObject({ code: 0, via: 'server' });
    expect(r.out).toMatch(new RegExp(`${alice.id}\\s+${alice.username}\\s+-\\s+admin`));
    expect(r.out).toContain(bob.username);
  });

  it('user create prints a password that logs in; a taken name is refused', async () => {
    const r = await cli('user', 'create', 'carol_cli');
    expect(r.code).toBe(0);
    const password = /password: (\S+)/.exec(r.out)?.[1] ?? '';
    expect((await login(server, 'carol_cli', password)).status).toBe(200);
    const again = await cli('user', 'create', 'carol_cli');
    expect(again).toMatchObject({ code: 1 });
    expect(again.out).toContain('taken');
  });

  it('user reset-password prints a one-time password and signs every login out', async () => {
    const r = await cli('user', 'reset-password', bob.username);
    expect(r.code).toBe(0);
    const password = /one-time password: (\S+)/.exec(r.out)?.[1] ?? '';
    expect((await login(server, bob.username, bob.password)).status).toBe(400);
    expect((await api(server, 'POST', '/auth/refresh', { body: { refresh_token: bob.refreshToken } })).status).toBe(401);
    const ok = await login(server, bob.username, password);
    expect(ok.status).toBe(200);
    bob = { ...bob, password, token: ok.body.access_token, refreshToken: ok.body.refresh_token };
  });

  it('user disable / enable, by id', async () => {
    expect((await cli('user', 'disable', bob.id)).code).toBe(0);
    expect((await login(server, bob.username, bob.password)).status).toBe(403);
    expect((await cli('user', 'enable', bob.id)).code).toBe(0);
    const ok = await login(server, bob.username, bob.password);
    expect(ok.status).toBe(200);
    bob = { ...bob, token: ok.body.access_token };
  });

  it('instance admin grant / revoke', async () => {
    expect((await api(server, 'GET', '/instance/users', { token: bob.token })).status).toBe(403);
    expect((await cli('instance', 'admin', 'grant', bob.username)).code).toBe(0);
    expect((await api(server, 'GET', '/instance/users', { token: bob.token })).status).toBe(200);
    expect((await cli('instance', 'admin', 'revoke', bob.username)).code).toBe(0);
    expect((await api(server, 'GET', '/instance/users', { token: bob.token })).status).toBe(403);
  });

  it('instance invite makes a code that registers an account', async () => {
    const r = await cli('instance', 'invite', '--uses', '2');
    const code = /invite code: (\S+)/.exec(r.out)?.[1];
    expect(code).toBeTruthy();
    const list = await api(server, 'GET', '/instance/invites', { token: alice.token });
    expect(list.body.find((i: { code: string }) => i.code === code)).toMatchObject({ max_uses: 2, uses: 0 });
    expect((await cli('instance', 'invite', '--uses', '-3')).code).toBe(1);
  });

  it('guild list / transfer; user delete keeps messages as "Deleted User"', async () => {
    const g = await api(server, 'POST', '/guilds', { token: alice.token, body: { name: 'Admin Test' } });
    const general = g.body.channels.find((c: { name: string }) => c.name === 'general').id;
    const inv = await api(server, 'POST', `/channels/${general}/invites`, { token: alice.token, body: {} });
    await api(server, 'POST', `/invites/${inv.body.code}`, { token: bob.token });
    const msg = await api(server, 'POST', `/channels/${general}/messages`, { token: alice.token, body: { content: 'I was here' } });
    expect(msg.status).toBe(200);

    expect((await cli('guild', 'list')).out).toMatch(new RegExp(`${g.body.id}\\s+Admin Test\\s+${alice.username}\\s+2`));
    const owned = await cli('user', 'delete', alice.username);
    expect(owned.code).toBe(1);
    expect(owned.out).toContain('transfer first');
    // Not a member: refused with the service's own rule.
    const outsider = await cli('guild', 'transfer', g.body.id, 'carol_cli');
    expect(outsider.code).toBe(1);
    expect((await cli('guild', 'transfer', g.body.id, bob.username)).code).toBe(0);
    expect((await api(server, 'GET', `/guilds/${g.body.id}`, { token: bob.token })).body.owner_id).toBe(bob.id);

    const del = await cli('user', 'delete', alice.username);
    expect(del.code, del.out).toBe(0);
    const kept = await api(server, 'GET', `/channels/${general}/messages/${msg.body.id}`, { token: bob.token });
    expect(kept.status).toBe(200);
    expect(kept.body.content).toBe('I was here');
    expect(kept.body.author).toMatchObject({ id: alice.id, global_name: 'Deleted User' });
    expect(kept.body.author.username).toMatch(/^deleted_user_/);
    expect((await login(server, alice.username, alice.password)).status).toBe(400);
    const members = await api(server, 'GET', `/guilds/${g.body.id}/members?limit=10`, { token: bob.token });
    expect(members.body.map((m: { user: { id: string } }) => m.user.id)).toEqual([bob.id]);
  });

  it('unknown commands and users print usage or a refusal with exit code 1', async () => {
    expect(await cli('frobnicate')).toMatchObject({ code: 1, out: expect.stringContaining('usage: npm run admin') });
    expect(await cli('user', 'disable', 'nobody_here')).toMatchObject({ code: 1, out: 'no such user: nobody_here' });
    expect((await cli('user', 'list', '--bogus')).code).toBe(1);
  });

  it('with the server stopped, opens the database itself', async () => {
    await server.app.close();
    const r = await cli('user', 'list');
    expect(r).toMatchObject({ code: 0, via: 'database' });
    expect(r.out).toContain(bob.username);
    const made = await cli('user', 'create', 'dave_offline', '--admin', '--password', 'offline password');
    expect(made.code).toBe(0);
    server = await startServer({ dataDir, shareWith: server });
    expect((await login(server, 'dave_offline', 'offline password')).status).toBe(200);
  }, 120_000); // opens PGlite twice (the CLI, then the restarted server)
});
