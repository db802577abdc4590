import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, newContext, shot, uniqueName } from './lib/browser';
import { type Auth, call, registerApi } from './lib/seed';
import { startServer, type TestServer } from './lib/server';

/** REGISTRATION=invite (the default): the register page asks for a code; the admin manages accounts. */
describe('registration by invite', () => {
  let server: TestServer;
  let browser: Browser;
  let owner: Auth;
  const ownerName = uniqueName('owner');

  beforeAll(async () => {
    server = await startServer({ REGISTRATION: 'invite' });
    browser = await launch();
    owner = await registerApi(server.url, ownerName); // the first account: free, instance admin
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function page(viewport: 'desktop' | 'phone' = 'desktop', dark = false): Promise<Page> {
    const ctx = await newContext(browser, { baseURL: server.url, viewport, dark });
    const p = await ctx.newPage();
    p.on('pageerror', (e) => console.error('pageerror:', e.message));
    return p;
  }

  it('the register page asks for an invite code, refuses a wrong one and admits with an instance invite', async () => {
    const p = await page();
    await p.goto('/register');
    const code = p.getByLabel('Invite code');
    await code.waitFor();
    await shot(p, 'register-invite-desktop');
    await p.getByLabel('Username').fill(uniqueName('friend'));
    await p.getByLabel('Password').fill('correct horse battery');
    await code.fill('not-a-real-code');
    await p.getByRole('button', { name: 'Continue' }).click();
    await expect.poll(() => p.getByRole('alert').textContent()).toContain('invalid or has expired');
    const inv = await call(server.url, 'POST', '/instance/invites', owner.access_token, { max_uses: 1 });
    await code.fill(inv.code);
    await p.getByRole('button', { name: 'Continue' }).click();
    await p.waitForURL('**/channels/@me');
  });

  it('a server invite link prefills the code, admits and joins that server', async () => {
    const g = await call(server.url, 'POST', '/guilds', owner.access_token, { name: 'Invite Only' });
    const general = g.channels.find((c: { name: string }) => c.name === 'general').id;
    const inv = await call(server.url, 'POST', `/channels/${general}/invites`, owner.access_token, { max_age: 0 });
    const p = await page('phone', true);
    await p.goto(`/register?next=${encodeURIComponent(`/invite/${inv.code}`)}`);
    await expect.poll(() => p.getByLabel('Invite code').inputValue()).toBe(inv.code);
    await shot(p, 'register-invite-phone-dark');
    const name = uniqueName('joiner');
    await p.getByLabel('Username').fill(name);
    await p.getByLabel('Password').fill('correct horse battery');
    await p.getByRole('button', { name: 'Continue' }).click();
    await p.waitForURL(`**/invite/${inv.code}`);
    const members = await call(server.url, 'GET', `/guilds/${g.id}/members?limit=100`, owner.access_token);
    expect(members.map((m: { user: { username: string } }) => m.user.username)).toContain(name);
  });

  it('the instance admin sees the accounts and disables one from the web client', async () => {
    const victim = uniqueName('victim');
    const inv = await call(server.url, 'POST', '/instance/invites', owner.access_token, {});
    await call(server.url, 'POST', '/auth/register', undefined, { username: victim, password: 'correct horse battery', invite: inv.code });
    const p = await page();
    await p.goto('/login');
    await p.getByLabel('Username').fill(ownerName);
    await p.getByLabel('Password').fill('correct horse battery');
    await p.getByRole('button', { name: 'Log In' }).click();
    await p.waitForURL('**/channels/@me');
    await p.getByRole('button', { name: 'Set status' }).click();
    await p.getByRole('menuitem', { name: 'Server accounts…' }).click();
    const row = p.getByRole('listitem').filter({ hasText: `@${victim}` });
    await row.getByRole('button', { name: 'Disable' }).click();
    await row.getByRole('button', { name: 'Enable' }).waitFor();
    await shot(p, 'instance-admin-desktop');
    const res = await fetch(`${server.url}/api/v10/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: victim, password: 'correct horse battery' }),
    });
    expect(res.status).toBe(403);
  });
});
