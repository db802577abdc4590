import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launch, newContext, shot, uniqueName } from './lib/browser';
import { type Auth, call, registerApi } from './lib/seed';
import { startServer, type TestServer } from './lib/server';

/** The rest of the chat surface, on data seeded over REST: history, pins, search, composer, keys, presence. */
describe('chat features', () => {
  let server: TestServer;
  let browser: Browser;
  let alice: Auth;
  let bob: Auth;
  let carol: Auth;
  let guildId = '';
  let generalId = '';
  let randomId = '';
  let ctx: BrowserContext;
  let page: Page;
  const messages = () => page.getByTestId('messages');
  const composer = () => page.getByRole('textbox', { name: /^Message #/ });

  async function openAs(auth: Auth, path: string) {
    const c = await newContext(browser, { baseURL: server.url });
    await c.addInitScript(
      (t) => localStorage.setItem('retrocast.auth', t),
      JSON.stringify({ access_token: auth.access_token, refresh_token: auth.refresh_token }),
    );
    const p = await c.newPage();
    p.on('pageerror', (e) => console.error('pageerror:', e.message));
    await p.goto(path);
    return { c, p };
  }

  beforeAll(async () => {
    server = await startServer();
    browser = await launch();
    alice = await registerApi(server.url, uniqueName('alice'), 'Alice');
    bob = await registerApi(server.url, uniqueName('bob'), 'Bob');
    const g = await call(server.url, 'POST', '/guilds', alice.access_token, { name: 'Features' });
    guildId = g.id;
    generalId = g.channels.find((c: { type: number }) => c.type === 0).id;
    randomId = (await call(server.url, 'POST', `/guilds/${guildId}/channels`, alice.access_token, { name: 'random' })).id;
    const code = (await call(server.url, 'POST', `/channels/${generalId}/invites`, alice.access_token, {})).code;
    await call(server.url, 'POST', `/invites/${code}`, bob.access_token, {});
    carol = await registerApi(server.url, uniqueName('carol'), 'Carol');
    await call(server.url, 'POST', `/invites/${code}`, carol.access_token, {});
    for (let i = 1; i <= 130; i++)
      await call(server.url, 'POST', `/channels/${generalId}/messages`, i % 2 ? alice.access_token : bob.access_token, {
        content: `history ${i}`,
      });
    ({ c: ctx, p: page } = await openAs(alice, `/channels/${guildId}/${generalId}`));
    await messages().getByText('history 130').waitFor();
  });

  afterEach(async (t) => {
    if (t.task.result?.state === 'fail') await shot(page, `fail-features-${t.task.name.replace(/\W+/g, '-')}`).catch(() => {});
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('scrolls back through history without moving what is on screen', async () => {
    const articles = messages().locator('article');
    expect(await messages().getByText('history 1', { exact: true }).count()).toBe(0);
    for (let i = 0; i < 5 && !(await messages().getByText('history 1', { exact: true }).count()); i++) {
      const id = await articles.first().getAttribute('data-message-id');
      await messages().evaluate((el) => el.scrollBy(0, -el.scrollHeight));
      const before = (await messages().locator(`[data-message-id="${id}"]`).boundingBox())!.y;
      // Older messages come in above (the list is windowed, so the count need not grow).
      await expect.poll(() => articles.first().getAttribute('data-message-id')).not.toBe(id);
      await page.waitForTimeout(100);
      // The message the reader was looking at stays put while older ones load above it.
      const after = (await messages().locator(`[data-message-id="${id}"]`).boundingBox())!.y;
      expect(Math.abs(after - before)).toBeLessThan(4);
    }
    await messages().getByText('history 1', { exact: true }).waitFor();
    await messages().getByText('This is the start of the #general channel.').waitFor();
    await page.getByRole('button', { name: /Jump to present/ }).click();
    await expect.poll(() => messages().getByText('history 130').isVisible()).toBe(true);
  });

  it('pins a message and lists it in the pins panel', async () => {
    const m = messages().locator('article', { hasText: 'history 129' });
    await m.hover();
    await m.getByRole('button', { name: 'Pin' }).click();
    await page.getByRole('button', { name: 'Pinned messages' }).click();
    const panel = page.getByRole('complementary', { name: 'Pinned messages' });
    await panel.getByText('history 129').waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => panel.count()).toBe(0);
  });

  it('searches messages with an author filter', async () => {
    await page.getByRole('searchbox', { name: 'Search messages' }).fill('history 12');
    await page.getByRole('searchbox', { name: 'Search messages' }).press('Enter');
    const panel = page.getByRole('complementary', { name: 'Search results' });
    await panel.getByText(/\d+ results?/).waitFor();
    await panel.getByLabel('From user').selectOption({ label: 'Bob' });
    await panel.getByRole('button', { name: 'Search' }).click();
    await expect.poll(async () => (await panel.locator('.card').allTextContents()).every((t) => t.includes('Bob'))).toBe(true);
    await shot(page, 'desktop-light-search');
    await page.keyboard.press('Escape');
  });

  it('completes :shortcodes: and #channels, sends with Enter, keeps Shift+Enter as a newline', async () => {
    await composer().click();
    await composer().pressSequentially('party :thumbs_u');
    await page.getByRole('option', { name: /👍/ }).first().waitFor();
    await composer().press('Tab');
    await composer().pressSequentially(' see #rand');
    await page.getByRole('option', { name: '#random' }).waitFor();
    await composer().press('Enter');
    await composer().press('Shift+Enter');
    await composer().pressSequentially('second line');
    expect(await composer().inputValue()).toMatch(/^party 👍 see <#\d+> \nsecond line$/);
    await composer().press('Enter');
    const sent = messages().locator('article', { hasText: 'second line' });
    await sent.waitFor();
    expect(await sent.getByRole('link', { name: '#random' }).count()).toBe(1);
  });

  it('Alt+↓ / Alt+↑ switch channels', async () => {
    await page.keyboard.press('Alt+ArrowDown');
    await page.waitForURL(`**/channels/${guildId}/${randomId}`);
    await page.keyboard.press('Alt+ArrowUp');
    await page.waitForURL(`**/channels/${guildId}/${generalId}`);
  });

  it('shows a failed send with Retry, and Retry delivers it', async () => {
    await composer().waitFor();
    await ctx.setOffline(true);
    await composer().fill('sent while offline');
    await composer().press('Enter');
    const failed = messages().locator('article.failed', { hasText: 'sent while offline' });
    await failed.waitFor();
    await ctx.setOffline(false);
    await failed.getByRole('button', { name: 'Retry' }).click();
    await expect
      .poll(() => messages().locator('article:not(.pending)', { hasText: 'sent while offline' }).count(), { timeout: 5000 })
      .toBe(1);
  });

  it('replies quote the original message', async () => {
    const target = messages().locator('article', { hasText: 'history 128' });
    await target.hover();
    await target.getByRole('button', { name: 'Reply' }).click();
    await page.getByText(/Replying to/).waitFor();
    await composer().fill('replying here');
    await composer().press('Enter');
    const reply = messages().locator('article', { hasText: 'replying here' });
    await expect.poll(() => reply.locator('.reply-ref').textContent(), { timeout: 3000 }).toContain('history 128');
  });

  it('the owner creates a role in settings, assigns it, and the member popover lists it', async () => {
    await page.getByRole('button', { name: 'Features' }).click();
    await page.getByRole('menuitem', { name: 'Server Settings' }).click();
    await page.getByRole('button', { name: 'Roles' }).click();
    await page.getByRole('button', { name: 'Create Role' }).click();
    const name = page.getByLabel('Role name');
    await expect.poll(() => name.inputValue()).toBe('new role');
    await name.fill('Crew');
    await name.press('Tab');
    const list = page.getByRole('list', { name: /Roles, highest first/ });
    await list.getByRole('button', { name: 'Crew' }).waitFor();
    // Colour from the iOS system swatches and hoist by switch; both come back from the server.
    const blue = page.getByRole('button', { name: 'Blue', exact: true });
    await blue.click();
    await expect.poll(() => blue.getAttribute('aria-pressed')).toBe('true');
    expect(await page.getByRole('button', { name: 'Default', exact: true }).getAttribute('aria-pressed')).toBe('false');
    await page.getByRole('switch', { name: /Display role members separately/ }).check();
    await list.getByRole('button', { name: '@everyone' }).click();
    await list.getByRole('button', { name: 'Crew' }).click();
    await expect.poll(() => page.getByRole('switch', { name: /Display role members separately/ }).isChecked()).toBe(true);
    expect(await page.getByRole('switch', { name: /Allow anyone to @mention/ }).isChecked()).toBe(false);
    // A second role, then drag whichever is lower above the other.
    await page.getByRole('button', { name: 'Create Role' }).click();
    await expect.poll(() => name.inputValue()).toBe('new role');
    await name.fill('Helpers');
    await name.press('Tab');
    await list.getByRole('button', { name: 'Helpers' }).waitFor();
    const order = async () => (await list.getByRole('button').allTextContents()).map((t) => t.trim()).filter((t) => t !== '@everyone');
    const [top, second] = await order();
    await list.locator('li', { hasText: second }).dragTo(list.locator('li', { hasText: top }));
    await expect.poll(order, { timeout: 3000 }).toEqual([second, top]);
    await page.getByRole('button', { name: 'Members', exact: true }).click();
    const row = page.locator('li', { hasText: 'Bob' }).filter({ has: page.locator('details') });
    await row.locator('summary').click();
    await row.getByLabel('Crew').check();
    await expect.poll(() => row.locator('summary').textContent()).toBe('Roles (1)');
    await page.keyboard.press('Escape');
    await page.locator(`[data-member="${bob.user.id}"]`).click();
    const pop = page.getByRole('dialog', { name: 'User profile' });
    await pop.getByText('Crew').waitFor();
    await shot(page, 'desktop-light-popover');
    await page.keyboard.press('Escape');
  });

  it('moderates from settings: invites revoke, ban and unban, channel overrides per role', async () => {
    await page.getByRole('button', { name: 'Features' }).click();
    await page.getByRole('menuitem', { name: 'Server Settings' }).click();
    await page.getByRole('button', { name: 'Invites' }).click();
    const row = page.getByRole('row').filter({ has: page.getByRole('button', { name: 'Revoke' }) });
    await expect.poll(() => row.count()).toBeGreaterThan(0);
    const before = await row.count();
    await row.first().getByRole('button', { name: 'Revoke' }).click();
    await expect.poll(() => row.count()).toBe(before - 1);

    page.once('dialog', (d) => d.accept());
    await page.getByRole('button', { name: 'Members', exact: true }).click();
    await page.locator('li', { hasText: 'Carol' }).getByRole('button', { name: 'Ban' }).click();
    await expect.poll(() => page.locator(`[data-member="${carol.user.id}"]`).count(), { timeout: 3000 }).toBe(0);
    await page.getByRole('button', { name: 'Bans' }).click();
    await page.getByText(carol.user.username).waitFor();
    await page.getByRole('button', { name: 'Revoke Ban' }).click();
    await page.getByText('No bans. Nice and peaceful.').waitFor();
    await page.keyboard.press('Escape');

    await page.locator(`[data-channel="${randomId}"]`).click();
    await page.getByRole('button', { name: 'Edit channel random' }).click();
    await page.getByRole('button', { name: 'Permissions' }).click();
    await page.getByLabel('Add a role or member').selectOption({ label: 'Crew' });
    await page.getByRole('radio', { name: 'Deny Send Messages' }).click();
    await expect.poll(() => page.getByRole('radio', { name: 'Deny Send Messages' }).getAttribute('aria-checked')).toBe('true');
    await shot(page, 'desktop-light-channel-permissions');
    await page.keyboard.press('Escape');
    const ch = await call(server.url, 'GET', `/channels/${randomId}`, alice.access_token);
    expect(ch.permission_overwrites).toHaveLength(1);
    await page.locator(`[data-channel="${generalId}"]`).click();
    await messages().getByText('replying here').waitFor();
  });

  it('a status change reaches the other member', async () => {
    const { c, p } = await openAs(bob, `/channels/${guildId}/${generalId}`);
    await p.getByTestId('messages').getByText('history 130').waitFor();
    await composer().fill('are you there bob');
    await composer().press('Enter');
    await p.getByTestId('messages').getByText('are you there bob').waitFor({ timeout: 3000 });
    await page.getByRole('button', { name: 'Set status' }).click();
    await page.getByRole('menuitemradio', { name: 'Do Not Disturb' }).click();
    const aliceRow = p.locator(`[data-member="${alice.user.id}"]`);
    await expect.poll(() => aliceRow.textContent(), { timeout: 3000 }).toContain('dnd');
    await c.close();
  });
});
