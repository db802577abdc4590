import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launch, shot, uniqueName } from './lib/browser';
import { type Auth, call, registerApi } from './lib/seed';
import { startServer, type TestServer } from './lib/server';

/** Issue 19 (look): the one popover, continuation rows, reply and search jumps, quick switcher. */
describe('look and navigation', () => {
  let server: TestServer;
  let browser: Browser;
  let alice: Auth;
  let bob: Auth;
  let guildId = '';
  let generalId = '';
  let randomId = '';
  const ids: string[] = [];
  let ctx: BrowserContext;
  let page: Page;
  const messages = () => page.getByTestId('messages');
  const article = (text: string) => messages().locator('article', { hasText: text });

  async function open(auth: Auth, path: string) {
    const c = await browser.newContext({
      baseURL: server.url,
      viewport: { width: 1280, height: 800 },
      locale: 'en-US',
      deviceScaleFactor: 1,
      serviceWorkers: 'block',
    });
    c.setDefaultTimeout(10_000);
    await c.addInitScript(
      (t) => localStorage.setItem('retrocast.auth', t),
      JSON.stringify({ access_token: auth.access_token, refresh_token: auth.refresh_token }),
    );
    const p = await c.newPage();
    p.on('pageerror', (e) => console.error('pageerror:', e.message));
    await p.goto(path);
    return { c, p };
  }

  /** On screen inside the message scroller (not merely in the DOM). */
  async function onScreen(el: Locator) {
    const box = await el.boundingBox();
    const view = await messages().boundingBox();
    return !!box && !!view && box.y >= view.y - 1 && box.y + Math.min(box.height, 20) <= view.y + view.height + 1;
  }

  beforeAll(async () => {
    server = await startServer();
    browser = await launch();
    alice = await registerApi(server.url, uniqueName('alice'), 'Alice');
    bob = await registerApi(server.url, uniqueName('bob'), 'Bob');
    const g = await call(server.url, 'POST', '/guilds', alice.access_token, { name: 'Looks' });
    guildId = g.id;
    generalId = g.channels.find((c: { type: number }) => c.type === 0).id;
    randomId = (await call(server.url, 'POST', `/guilds/${guildId}/channels`, alice.access_token, { name: 'random' })).id;
    const code = (await call(server.url, 'POST', `/channels/${generalId}/invites`, alice.access_token, {})).code;
    await call(server.url, 'POST', `/invites/${code}`, bob.access_token, {});
    for (let i = 1; i <= 120; i++) {
      const m = await call(server.url, 'POST', `/channels/${generalId}/messages`, i % 3 ? alice.access_token : bob.access_token, {
        content: `line ${i} ${i === 7 ? 'needle' : ''}`.trim(),
      });
      ids.push(m.id);
    }
    // A reply to a message far outside the newest page, and one to a loaded message.
    await call(server.url, 'POST', `/channels/${generalId}/messages`, bob.access_token, {
      content: 'about that first one',
      message_reference: { message_id: ids[2] },
    });
    await call(server.url, 'POST', `/channels/${generalId}/messages`, bob.access_token, {
      content: 'and the recent one',
      message_reference: { message_id: ids[115] },
    });
    await call(server.url, 'POST', `/channels/${randomId}/messages`, alice.access_token, { content: 'over in random' });
    await call(server.url, 'POST', `/channels/${generalId}/messages`, alice.access_token, { content: 'first of a run' });
    await call(server.url, 'POST', `/channels/${generalId}/messages`, alice.access_token, { content: 'second of a run' });
    ({ c: ctx, p: page } = await open(alice, `/channels/${guildId}/${generalId}`));
    await article('second of a run').waitFor();
  });

  afterEach(async (t) => {
    if (t.task.result?.state === 'fail') await shot(page, `fail-look-${t.task.name.replace(/\W+/g, '-')}`).catch(() => {});
  });

  afterAll(async () => {
    await ctx?.close();
    await browser?.close();
    await server?.stop();
  });

  it('a continuation row is at most 30 px tall in en-US (12-hour clock)', async () => {
    const row = article('second of a run');
    expect(await row.getAttribute('class')).toContain('grouped');
    const box = (await row.boundingBox())!;
    expect(box.height).toBeLessThanOrEqual(30);
    // Its hidden side time ("9:59 PM") stays on one line when shown.
    await row.hover();
    const time = row.locator('.side-time');
    expect(await time.evaluate((el) => el.getClientRects().length)).toBe(1);
  });

  async function checkPopover(name: string, openIt: () => Promise<void>, trigger: Locator, popover: Locator) {
    // Escape closes and gives focus back to the trigger.
    await openIt();
    await popover.waitFor();
    await expect.poll(() => popover.evaluate((el) => el.contains(document.activeElement)), { timeout: 3000 }).toBe(true);
    await page.keyboard.press('Escape');
    await popover.waitFor({ state: 'detached' });
    await expect.poll(() => trigger.evaluate((el) => el === document.activeElement), { timeout: 3000 }).toBe(true);
    // A click outside closes it too; focus returns to the trigger.
    await openIt();
    await popover.waitFor();
    // The channel header's empty middle: nothing there takes focus.
    await page.mouse.click(600, 26);
    await popover.waitFor({ state: 'detached' });
    await expect.poll(() => trigger.evaluate((el) => el === document.activeElement), { timeout: 3000 }).toBe(true);
    expect(name).toBeTruthy();
  }

  it('Escape and an outside click close every popover, and focus returns to its trigger', async () => {
    const emoji = page.getByRole('button', { name: 'Emoji', exact: true });
    await checkPopover('emoji picker', () => emoji.click(), emoji, page.getByRole('dialog', { name: 'Emoji picker' }));

    const last = article('second of a run');
    const add = last.getByRole('button', { name: 'Add reaction' });
    await checkPopover(
      'reaction picker',
      async () => {
        await last.hover();
        await add.click();
      },
      add,
      page.getByRole('dialog', { name: 'Reaction picker' }),
    );

    const server = page.getByRole('button', { name: 'Looks' });
    await checkPopover('server menu', () => server.click(), server, page.getByRole('menu', { name: 'Looks options' }));
    // Menus: the first item has focus and the arrow keys move through them.
    await server.click();
    const items = page.getByRole('menu', { name: 'Looks options' }).getByRole('menuitem');
    await expect.poll(() => items.first().evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => items.nth(1).evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    await expect.poll(() => items.last().evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('Escape');

    const status = page.getByRole('button', { name: 'Set status' });
    await checkPopover('status menu', () => status.click(), status, page.getByRole('menu', { name: 'Status' }));

    const chan = page.locator(`[data-channel="${randomId}"]`);
    await checkPopover('channel menu', () => chan.click({ button: 'right' }), chan, page.getByRole('menu', { name: '#random options' }));

    // Only one popover at a time: opening the server menu closes the status menu.
    await status.click();
    await page.getByRole('menu', { name: 'Status' }).waitFor();
    await server.click();
    await page.getByRole('menu', { name: 'Looks options' }).waitFor();
    expect(await page.getByRole('menu', { name: 'Status' }).count()).toBe(0);
    await page.keyboard.press('Escape');
  });

  it('only one message toolbar shows at a time', async () => {
    const a = article('first of a run');
    const b = article('second of a run');
    await a.hover();
    await a.getByRole('button', { name: 'Reply' }).focus();
    await b.hover();
    await expect.poll(() => page.getByRole('toolbar', { name: 'Message actions' }).filter({ visible: true }).count()).toBe(1);
  });

  it('a reply shows the original on one line; clicking it jumps to a loaded original and highlights it', async () => {
    const reply = article('and the recent one').getByTestId('reply-ref');
    expect(await reply.textContent()).toContain('line 116');
    expect((await reply.boundingBox())!.height).toBeLessThanOrEqual(24);
    expect((await reply.locator('img, .avatar, [class*="avatar"]').first().boundingBox())!.width).toBe(16);
    await reply.click();
    const target = messages().locator(`[data-message-id="${ids[115]}"]`);
    await expect.poll(() => target.getAttribute('data-highlighted'), { timeout: 5000 }).toBe('');
    expect(await onScreen(target)).toBe(true);
  });

  it('clicking a reply whose original is not loaded loads it (around=) and highlights it', async () => {
    await page
      .getByRole('button', { name: /Jump to present/ })
      .click()
      .catch(() => {});
    const target = messages().locator(`[data-message-id="${ids[2]}"]`);
    expect(await target.count()).toBe(0);
    await article('about that first one').getByTestId('reply-ref').click();
    await target.waitFor();
    await expect.poll(() => target.getAttribute('data-highlighted'), { timeout: 5000 }).toBe('');
    expect(await onScreen(target)).toBe(true);
    await shot(page, 'look-reply-jump-desktop');
    // Back to the present: the newest messages come back.
    await page.getByRole('button', { name: /Jump to present/ }).click();
    await article('second of a run').waitFor();
  });

  it('Ctrl+K opens the quick switcher; a fuzzy query and Enter switch channel', async () => {
    await page.keyboard.press('Control+k');
    const box = page.getByRole('combobox', { name: 'Where would you like to go?' });
    await box.waitFor();
    await box.pressSequentially('rndm');
    await expect.poll(() => page.getByRole('option', { selected: true }).textContent()).toContain('random');
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/channels/${guildId}/${randomId}`);
    await article('over in random').waitFor();
    expect(await box.count()).toBe(0);
    // Back with the keyboard only.
    await page.keyboard.press('Control+k');
    await box.pressSequentially('#gen');
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/channels/${guildId}/${generalId}`);
    await article('second of a run').waitFor();
  });

  it('typing with nothing focused goes to the composer', async () => {
    await page.mouse.click(600, 26);
    await page.keyboard.type('hi');
    const composer = page.getByRole('textbox', { name: /^Message #/ });
    await expect.poll(() => composer.inputValue()).toBe('hi');
    await composer.fill('');
  });

  it('a search result jumps to the message and highlights it, with the matched term marked', async () => {
    await page.getByRole('searchbox', { name: 'Search messages' }).fill('needle');
    await page.getByRole('searchbox', { name: 'Search messages' }).press('Enter');
    const panel = page.getByRole('complementary', { name: 'Search results' });
    const hit = panel.locator('mark.hit', { hasText: 'needle' });
    await hit.first().waitFor();
    await panel.getByRole('button', { name: /line 7 needle/ }).click();
    const target = messages().locator(`[data-message-id="${ids[6]}"]`);
    await target.waitFor();
    await expect.poll(() => target.getAttribute('data-highlighted'), { timeout: 5000 }).toBe('');
    expect(await onScreen(target)).toBe(true);
    await page.keyboard.press('Escape');
  });
});
