import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, newContext, shot, uniqueName, type Viewport } from './lib/browser';
import { type Auth, call, registerApi } from './lib/seed';
import { startServer, type TestServer } from './lib/server';

/**
 * Every main screen at 390×844 and 1280×800, light and dark, saved to e2e/artifacts/ for a human
 * to look at. (The first-load budget is first-load.spec.ts.)
 */
describe('screens', () => {
  let server: TestServer;
  let browser: Browser;
  let alice: Auth;
  let bob: Auth;
  let guildId = '';
  let generalId = '';
  let inviteCode = '';

  beforeAll(async () => {
    server = await startServer();
    browser = await launch();
    const base = server.url;
    alice = await registerApi(base, uniqueName('alice'), 'Alice');
    bob = await registerApi(base, uniqueName('bob'), 'Bob');
    const g = await call(base, 'POST', '/guilds', alice.access_token, { name: 'Retro Friends' });
    guildId = g.id;
    generalId = g.channels.find((c: { type: number }) => c.type === 0).id;
    const cat = await call(base, 'POST', `/guilds/${guildId}/channels`, alice.access_token, { name: 'Projects', type: 4 });
    await call(base, 'POST', `/guilds/${guildId}/channels`, alice.access_token, {
      name: 'design',
      type: 0,
      parent_id: cat.id,
      topic: 'Pixels and feelings',
    });
    await call(base, 'POST', `/guilds/${guildId}/channels`, alice.access_token, { name: 'random', type: 0 });
    const role = await call(base, 'POST', `/guilds/${guildId}/roles`, alice.access_token, {
      name: 'Moderators',
      color: 0x34c759,
      hoist: true,
      mentionable: true,
    });
    inviteCode = (await call(base, 'POST', `/channels/${generalId}/invites`, alice.access_token, {})).code;
    await call(base, 'POST', `/invites/${inviteCode}`, bob.access_token, {});
    await call(base, 'PATCH', `/guilds/${guildId}/members/${bob.user.id}`, alice.access_token, { roles: [role.id] });
    const say = (a: Auth, content: string) => call(base, 'POST', `/channels/${generalId}/messages`, a.access_token, { content });
    await say(alice, 'Welcome to **Retro Friends**! Read the _rules_ and be ~~mean~~ nice.');
    await say(bob, `Thanks <@${alice.user.id}>! Quick question about the \`build\` script`);
    await say(bob, '```ts\nconst answer: number = 42;\nconsole.log(answer);\n```');
    await say(alice, '> quoting is fun\nand ||spoilers|| too: https://example.com/docs');
    await say(bob, `@everyone movie night on Friday? <@&${role.id}>`);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function openAs(auth: Auth | null, viewport: Viewport, dark: boolean, path: string): Promise<Page> {
    const ctx = await newContext(browser, { baseURL: server.url, viewport, dark });
    if (auth)
      await ctx.addInitScript(
        (t) => localStorage.setItem('retrocast.auth', t),
        JSON.stringify({ access_token: auth.access_token, refresh_token: auth.refresh_token }),
      );
    const page = await ctx.newPage();
    page.on('pageerror', (e) => console.error('pageerror:', e.message));
    await page.goto(path);
    return page;
  }

  for (const viewport of ['desktop', 'phone'] as const) {
    for (const dark of [false, true]) {
      const tag = `${viewport}-${dark ? 'dark' : 'light'}`;
      it(`renders the main screens (${tag})`, async () => {
        const login = await openAs(null, viewport, dark, '/login');
        await login.getByRole('button', { name: 'Log In' }).waitFor();
        await shot(login, `${tag}-login`);
        await login.goto(`/invite/${inviteCode}`);
        await login.getByRole('heading', { name: 'Retro Friends' }).waitFor();
        await shot(login, `${tag}-invite`);
        await login.context().close();

        const page = await openAs(bob, viewport, dark, `/channels/${guildId}/${generalId}`);
        await page.getByTestId('messages').getByText('movie night').waitFor();
        await page.waitForTimeout(300);
        await shot(page, `${tag}-chat`);

        if (viewport === 'phone') {
          await page.getByRole('button', { name: 'Open channels' }).click();
          await page.getByRole('navigation', { name: 'Servers' }).waitFor();
          await page.waitForTimeout(350);
          await shot(page, `${tag}-drawer-channels`);
          await page.keyboard.press('Escape');
          await page.getByRole('button', { name: 'Member list' }).click();
          await page.waitForTimeout(350);
          await shot(page, `${tag}-drawer-members`);
          await page.keyboard.press('Escape');
        }
        await page.getByRole('button', { name: 'Emoji' }).click();
        await page.getByRole('button', { name: 'grinning face', exact: true }).waitFor();
        await shot(page, `${tag}-emoji`);
        await page.keyboard.press('Escape');
        await page.context().close();

        const owner = await openAs(alice, viewport, dark, `/channels/${guildId}/${generalId}`);
        await owner.getByTestId('messages').getByText('movie night').waitFor();
        if (viewport === 'phone') await owner.getByRole('button', { name: 'Open channels' }).click();
        await owner.getByRole('button', { name: 'Retro Friends' }).click();
        await owner.getByRole('menuitem', { name: 'Server Settings' }).click();
        await owner.getByRole('button', { name: 'Roles' }).click();
        await owner.getByRole('button', { name: 'Moderators' }).click();
        await owner.waitForTimeout(200);
        await shot(owner, `${tag}-settings-roles`);
        await owner.getByRole('button', { name: 'Audit Log' }).click();
        await owner.getByText('created a role').first().waitFor();
        await shot(owner, `${tag}-settings-audit`);
        await owner.context().close();
      });
    }
  }

  it('is installable: manifest, icons, and a service worker that caches the app shell', async () => {
    const ctx = await browser.newContext({ baseURL: server.url, serviceWorkers: 'allow' });
    const page = await ctx.newPage();
    await page.goto('/login');
    const manifest = await (await fetch(`${server.url}/manifest.webmanifest`)).json();
    expect(manifest.display).toBe('standalone');
    for (const icon of manifest.icons) expect((await fetch(server.url + icon.src)).status).toBe(200);
    const cached = await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
      const keys = await caches.keys();
      const cache = await caches.open(keys[0]);
      return (await cache.keys()).map((r) => new URL(r.url).pathname);
    });
    expect(cached.some((p) => p.startsWith('/_app/immutable/entry/'))).toBe(true);
    await ctx.close();
  });
});
