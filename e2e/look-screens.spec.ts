import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { launch, newContext, shot, uniqueName, type Viewport } from './lib/browser';
import { type Auth, call, registerApi } from './lib/seed';
import { startServer, type TestServer } from './lib/server';

/**
 * Issue 19 screenshots (390×844 and 1280×800, light and dark): a channel scrolling under the
 * translucent header and composer, the emoji and reaction pickers, a reply, every User Settings
 * section, server settings roles and the quick switcher. Looked at by hand; see the report.
 */
describe('look screenshots', () => {
  let server: TestServer;
  let browser: Browser;
  let alice: Auth;
  let bob: Auth;
  let guildId = '';
  let generalId = '';

  beforeAll(async () => {
    server = await startServer();
    browser = await launch();
    alice = await registerApi(server.url, uniqueName('alice'), 'Alice');
    bob = await registerApi(server.url, uniqueName('bob'), 'Bob');
    const g = await call(server.url, 'POST', '/guilds', alice.access_token, { name: 'Retro Friends' });
    guildId = g.id;
    generalId = g.channels.find((c: { type: number }) => c.type === 0).id;
    await call(server.url, 'POST', `/guilds/${guildId}/channels`, alice.access_token, { name: 'random' });
    await call(server.url, 'POST', `/guilds/${guildId}/roles`, alice.access_token, { name: 'Moderators', color: 0x5856d6, hoist: true });
    const code = (await call(server.url, 'POST', `/channels/${generalId}/invites`, alice.access_token, {})).code;
    await call(server.url, 'POST', `/invites/${code}`, bob.access_token, {});
    const lines = [
      'Anyone up for a movie night on Friday?',
      'Yes! What are we watching?',
      'I was thinking **Back to the Future** 🚗⚡',
      'Classic. I will bring popcorn 🍿',
      'Can we start at 8? I finish work late',
      '8 works for me',
      'Same here',
      'I can host, the projector finally works',
      'Perfect. Address in the `#random` channel later',
      'See you all then 👋',
    ];
    let first = '';
    for (let i = 0; i < 24; i++) {
      const m = await call(server.url, 'POST', `/channels/${generalId}/messages`, i % 3 === 1 ? bob.access_token : alice.access_token, {
        content: lines[i % lines.length],
      });
      if (i === 2) first = m.id;
    }
    await call(server.url, 'POST', `/channels/${generalId}/messages`, bob.access_token, {
      content: 'Great pick, I have not seen it in years',
      message_reference: { message_id: first },
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function open(viewport: Viewport, dark: boolean): Promise<Page> {
    const ctx = await newContext(browser, { baseURL: server.url, viewport, dark });
    await ctx.addInitScript(
      (t) => localStorage.setItem('retrocast.auth', t),
      JSON.stringify({ access_token: alice.access_token, refresh_token: alice.refresh_token }),
    );
    const page = await ctx.newPage();
    page.setDefaultTimeout(30_000);
    page.on('pageerror', (e) => console.error('pageerror:', e.message));
    await page.goto(`/channels/${guildId}/${generalId}`);
    await page.getByTestId('messages').getByText('Great pick').waitFor();
    return page;
  }

  for (const viewport of ['desktop', 'phone'] as const) {
    for (const dark of [false, true]) {
      const tag = `look-${viewport}-${dark ? 'dark' : 'light'}`;
      it(`screens (${tag})`, async () => {
        const page = await open(viewport, dark);
        const list = page.getByTestId('messages');
        // Scrolled a little so messages sit under the translucent header and composer.
        await list.evaluate((el) => el.scrollBy(0, -60));
        await page.waitForTimeout(300);
        await shot(page, `${tag}-channel`);
        await list.evaluate((el) => el.scrollTo(0, 0));

        await page.getByRole('button', { name: 'Emoji', exact: true }).click();
        await page.getByRole('dialog', { name: 'Emoji picker' }).getByRole('button', { name: 'grinning face', exact: true }).waitFor();
        await page.waitForTimeout(300);
        await shot(page, `${tag}-emoji-picker`);
        await page.keyboard.press('Escape');

        const reply = list.locator('article', { hasText: 'Great pick' });
        await reply.hover();
        await reply.getByRole('button', { name: 'Add reaction' }).click();
        await page.getByRole('dialog', { name: 'Reaction picker' }).getByRole('button', { name: 'grinning face', exact: true }).waitFor();
        await page.waitForTimeout(300);
        await shot(page, `${tag}-reaction-picker`);
        await page.keyboard.press('Escape');

        await reply.getByRole('button', { name: 'Reply' }).click();
        await page.getByTestId('replying').waitFor();
        await page.mouse.move(5, 400);
        await page.waitForTimeout(200);
        await shot(page, `${tag}-reply`);
        await page.getByRole('button', { name: 'Cancel reply' }).click();

        await page.keyboard.press('Control+k');
        await page.getByRole('combobox', { name: 'Where would you like to go?' }).pressSequentially('ra');
        await page.waitForTimeout(200);
        await shot(page, `${tag}-quick-switcher`);
        await page.keyboard.press('Escape');

        if (viewport === 'phone') {
          await page.getByRole('button', { name: 'Open channels' }).click();
          await page.waitForTimeout(350);
        }
        await page.getByRole('button', { name: 'User Settings', exact: true }).click();
        const settings = page.getByRole('dialog', { name: 'User Settings' });
        for (const section of ['My Account', 'Voice & Audio', 'Appearance', 'Keybinds', 'Notifications']) {
          await settings.getByRole('button', { name: section }).click();
          await settings.getByRole('heading', { name: section }).waitFor();
          await page.waitForTimeout(150);
          await shot(page, `${tag}-settings-${section.toLowerCase().replace(/\W+/g, '-')}`);
        }
        await page.keyboard.press('Escape');

        if (viewport === 'phone' && !(await page.getByRole('button', { name: 'Retro Friends' }).isVisible())) {
          await page.getByRole('button', { name: 'Open channels' }).click();
          await page.waitForTimeout(350);
        }
        await page.getByRole('button', { name: 'Retro Friends' }).click();
        await page.getByRole('menuitem', { name: 'Server Settings' }).click();
        await page.getByRole('button', { name: 'Roles' }).click();
        await page.getByRole('button', { name: 'Moderators' }).click();
        await page.waitForTimeout(200);
        await shot(page, `${tag}-server-roles`);
        await page.context().close();
      });
    }
  }
});
