import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AxeFinding, seriousViolations } from './lib/axe';
import { launch, newContext, uniqueName, type Viewport } from './lib/browser';
import { type Auth, call, registerApi } from './lib/seed';
import { startServer, type TestServer } from './lib/server';

/**
 * axe-core on every main screen, light and dark, phone and desktop: no serious or critical
 * violation (contrast, names, roles, nesting, focusability).
 */
describe('accessibility (axe-core)', () => {
  let server: TestServer;
  let browser: Browser;
  let alice: Auth;
  let bob: Auth;
  let guildId = '';
  let generalId = '';
  let dmId = '';
  let inviteCode = '';

  beforeAll(async () => {
    server = await startServer();
    browser = await launch();
    const base = server.url;
    alice = await registerApi(base, uniqueName('alice'), 'Alice');
    bob = await registerApi(base, uniqueName('bob'), 'Bob');
    const carol = await registerApi(base, uniqueName('carol'), 'Carol');
    const g = await call(base, 'POST', '/guilds', alice.access_token, { name: 'Retro Friends' });
    guildId = g.id;
    generalId = g.channels.find((c: { type: number }) => c.type === 0).id;
    await call(base, 'POST', `/guilds/${guildId}/channels`, alice.access_token, { name: 'random', type: 0, topic: 'Anything goes' });
    // Role colours that are too light for a white background, and too dark for a black one.
    const mods = await call(base, 'POST', `/guilds/${guildId}/roles`, alice.access_token, {
      name: 'Moderators',
      color: 0x34c759,
      hoist: true,
      mentionable: true,
    });
    const night = await call(base, 'POST', `/guilds/${guildId}/roles`, alice.access_token, {
      name: 'Night Owls',
      color: 0x1f1f7a,
      hoist: true,
    });
    inviteCode = (await call(base, 'POST', `/channels/${generalId}/invites`, alice.access_token, {})).code;
    await call(base, 'POST', `/invites/${inviteCode}`, bob.access_token, {});
    await call(base, 'POST', `/invites/${inviteCode}`, carol.access_token, {});
    await call(base, 'PATCH', `/guilds/${guildId}/members/${bob.user.id}`, alice.access_token, { roles: [mods.id] });
    await call(base, 'PATCH', `/guilds/${guildId}/members/${carol.user.id}`, alice.access_token, { roles: [night.id] });
    const sunny = await call(base, 'POST', `/guilds/${guildId}/roles`, alice.access_token, { name: 'Sunny', color: 0xffcc00 });
    await call(base, 'PATCH', `/guilds/${guildId}/members/${alice.user.id}`, alice.access_token, { roles: [sunny.id] });
    const say = (a: Auth, content: string, channel = generalId) =>
      call(base, 'POST', `/channels/${channel}/messages`, a.access_token, { content });
    await say(alice, 'Welcome to **Retro Friends**! Read the _rules_ and be ~~mean~~ nice 🎉');
    await say(bob, `Thanks <@${alice.user.id}>! Quick question about the \`build\` script`);
    await say(
      bob,
      '```ts\nconst answer: number = 42; // a long line that has to scroll sideways in a narrow window to be read in full\nconsole.log(answer);\n```',
    );
    await say(alice, '> quoting is fun\nand ||spoilers|| too: https://example.com/docs');
    await say(carol, `@everyone movie night on Friday? <@&${mods.id}> <#${generalId}>`);
    const reacted = await say(alice, 'react to this');
    await call(base, 'PUT', `/channels/${generalId}/messages/${reacted.id}/reactions/${encodeURIComponent('👍')}/@me`, bob.access_token);
    await call(base, 'PUT', `/users/@me/relationships/${bob.user.id}`, alice.access_token, {});
    await call(base, 'PUT', `/users/@me/relationships/${alice.user.id}`, bob.access_token, {});
    dmId = (await call(base, 'POST', '/users/@me/channels', bob.access_token, { recipient_id: alice.user.id })).id;
    await say(alice, 'hey bob, are you coming on Friday? 🍿', dmId);
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
    page.setDefaultTimeout(30_000);
    page.on('pageerror', (e) => console.error('pageerror:', e.message));
    await page.goto(path);
    return page;
  }

  for (const viewport of ['desktop', 'phone'] as const) {
    for (const dark of [false, true]) {
      const tag = `${viewport}-${dark ? 'dark' : 'light'}`;
      it(`has no serious or critical violations on the main screens (${tag})`, async () => {
        const found: Record<string, AxeFinding[]> = {};
        const check = async (page: Page, screen: string) => {
          // Let transitions (drawers, sheets) finish: axe reads computed colours.
          await page.waitForTimeout(400);
          const v = await seriousViolations(page);
          if (v.length) found[screen] = v;
        };

        const anon = await openAs(null, viewport, dark, '/login');
        await anon.getByRole('button', { name: 'Log In' }).waitFor();
        await check(anon, 'login');
        await anon.goto('/register');
        await anon.getByRole('button', { name: 'Continue' }).waitFor();
        await check(anon, 'register');
        await anon.goto(`/invite/${inviteCode}`);
        await anon.getByRole('heading', { name: 'Retro Friends' }).waitFor();
        await check(anon, 'invite');
        expect((await anon.goto('/setup'))?.ok()).toBe(true);
        await check(anon, 'setup');
        await anon.context().close();

        const page = await openAs(bob, viewport, dark, '/channels/@me');
        await page.getByRole('heading', { name: 'Friends' }).waitFor();
        await check(page, 'home/friends');
        await page.goto(`/channels/@me/${dmId}`);
        await page.getByTestId('messages').getByText('are you coming').waitFor();
        await check(page, 'dm');
        await page.goto(`/channels/${guildId}/${generalId}`);
        await page.getByTestId('messages').getByText('movie night').waitFor();
        await check(page, 'channel');
        if (viewport === 'phone') {
          await page.getByRole('button', { name: 'Member list' }).click();
          await page.getByText('Carol').first().waitFor();
          await check(page, 'member list');
          await page.keyboard.press('Escape');
          await page.getByRole('button', { name: 'Open channels' }).click();
          await check(page, 'channel drawer');
          await page.keyboard.press('Escape');
        }
        await page.getByRole('button', { name: 'Emoji', exact: true }).click();
        await page.getByRole('button', { name: 'grinning face', exact: true }).waitFor();
        await check(page, 'emoji picker');
        await page.keyboard.press('Escape');
        if (viewport === 'phone') await page.getByRole('button', { name: 'Open channels' }).click();
        await page
          .getByRole('button', { name: /Set status|User Settings/ })
          .first()
          .click();
        await check(page, 'status menu');
        await page.keyboard.press('Escape');
        const gear = page.getByRole('button', { name: 'User Settings', exact: true });
        if (!(await gear.isVisible())) await page.getByRole('button', { name: 'Open channels' }).click();
        await gear.click();
        const settings = page.getByRole('dialog', { name: 'User Settings' });
        for (const section of ['My Account', 'Voice & Audio', 'Appearance', 'Keybinds', 'Notifications']) {
          await settings.getByRole('button', { name: section, exact: true }).click();
          await check(page, `user settings: ${section}`);
        }
        await page.context().close();

        const owner = await openAs(alice, viewport, dark, `/channels/${guildId}/${generalId}`);
        await owner.getByTestId('messages').getByText('movie night').waitFor();
        if (viewport === 'phone') await owner.getByRole('button', { name: 'Open channels' }).click();
        await owner.getByRole('button', { name: 'Retro Friends' }).click();
        await owner.getByRole('menuitem', { name: 'Server Settings' }).click();
        await owner.getByRole('dialog', { name: /Settings/ }).waitFor();
        await check(owner, 'server settings');
        await owner.getByRole('button', { name: 'Roles' }).click();
        await owner.getByRole('button', { name: 'Moderators' }).click();
        await check(owner, 'server settings: roles');
        await owner.context().close();

        for (const [screen, list] of Object.entries(found))
          for (const v of list) console.log(`[${tag}] ${screen}: ${v.impact} ${v.id} (${v.help})\n    ${v.nodes.join('\n    ')}`);
        expect(Object.fromEntries(Object.entries(found).map(([s, l]) => [s, l.map((v) => v.id)]))).toEqual({});
      });
    }
  }
});
