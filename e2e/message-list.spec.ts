import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, newContext, uniqueName } from './lib/browser';
import { type Auth, call, registerApi } from './lib/seed';
import { startServer, type TestServer } from './lib/server';

/**
 * The message list stays light (windowed) through a long read-back, keeps the reader's place
 * when history loads and new messages arrive, and is one Tab stop with arrow-key navigation.
 */
describe('message list', () => {
  let server: TestServer;
  let browser: Browser;
  let alice: Auth;
  let bob: Auth;
  let guildId = '';
  let channelId = '';
  let page: Page;
  const TOTAL = 1000;

  beforeAll(async () => {
    server = await startServer();
    browser = await launch();
    alice = await registerApi(server.url, uniqueName('alice'), 'Alice');
    bob = await registerApi(server.url, uniqueName('bob'), 'Bob');
    const g = await call(server.url, 'POST', '/guilds', alice.access_token, { name: 'Long Talk' });
    guildId = g.id;
    channelId = g.channels.find((c: { type: number }) => c.type === 0).id;
    const invite = await call(server.url, 'POST', `/channels/${channelId}/invites`, alice.access_token, {});
    await call(server.url, 'POST', `/invites/${invite.code}`, bob.access_token, {});
    // Two authors taking turns every three messages, some with markdown, a reaction now and then.
    for (let i = 1; i <= TOTAL; i += 20) {
      await Promise.all(
        Array.from({ length: 20 }, (_, k) => i + k).map(async (n) => {
          const who = Math.floor(n / 3) % 2 ? alice : bob;
          const m = await call(server.url, 'POST', `/channels/${channelId}/messages`, who.access_token, {
            content: `message ${n}${n % 7 === 0 ? ' with **bold** and `code` and a link https://example.com/x' : ''}`,
          });
          if (n % 25 === 0)
            await call(
              server.url,
              'PUT',
              `/channels/${channelId}/messages/${m.id}/reactions/${encodeURIComponent('👍')}/@me`,
              who.access_token,
            );
        }),
      );
    }
    const ctx = await newContext(browser, { baseURL: server.url });
    await ctx.addInitScript(
      (t) => localStorage.setItem('retrocast.auth', t),
      JSON.stringify({ access_token: alice.access_token, refresh_token: alice.refresh_token }),
    );
    page = await ctx.newPage();
    page.setDefaultTimeout(30_000);
    page.on('pageerror', (e) => console.error('pageerror:', e.message));
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const list = () => page.getByTestId('messages');
  /** The first message whose bottom is inside the list's viewport, and where it is. Read synchronously. */
  const topVisible = () =>
    list().evaluate((el) => {
      const box = el.getBoundingClientRect();
      const m = Array.from(el.querySelectorAll<HTMLElement>('[data-message-id]')).find(
        (a) => a.getBoundingClientRect().bottom > box.top + 1,
      );
      return m ? { id: m.dataset.messageId as string, y: m.getBoundingClientRect().top } : null;
    });
  const yOf = (id: string) =>
    list().evaluate((el, id) => el.querySelector(`[data-message-id="${id}"]`)?.getBoundingClientRect().top ?? null, id);

  it(`reads back through ${TOTAL} messages with at most 10,000 DOM nodes, the reader's place kept on every history load`, async () => {
    await page.goto(`/channels/${guildId}/${channelId}`);
    await list().getByText(`message ${TOTAL}`, { exact: true }).waitFor();
    let loads = 0;
    let maxNodes = 0;
    const welcome = list().getByText('This is the start of the #general channel.');
    for (let step = 0; step < 200; step++) {
      if (await welcome.count()) break;
      const firstId = await list().locator('article').first().getAttribute('data-message-id');
      // Scroll to the top edge and note, in the same task, what the reader sees.
      const seen = await list().evaluate((el) => {
        el.scrollTop = -(el.scrollHeight - el.clientHeight);
        const box = el.getBoundingClientRect();
        const m = Array.from(el.querySelectorAll<HTMLElement>('[data-message-id]')).find(
          (a) => a.getBoundingClientRect().bottom > box.top + 1,
        );
        return m ? { id: m.dataset.messageId as string, y: m.getBoundingClientRect().top } : null;
      });
      // Older messages came in, or the beginning of the channel was reached.
      await expect
        .poll(
          async () => (await welcome.count()) > 0 || (await list().locator('article').first().getAttribute('data-message-id')) !== firstId,
          { timeout: 30_000 },
        )
        .toBe(true);
      await page.waitForTimeout(50);
      if (await welcome.count()) break;
      loads++;
      // Older messages came in above; the message on screen did not move.
      if (seen) expect(Math.abs(((await yOf(seen.id)) ?? Number.NaN) - seen.y), `step ${step}`).toBeLessThan(2);
      maxNodes = Math.max(maxNodes, await page.evaluate(() => document.getElementsByTagName('*').length));
    }
    await list().getByText('message 1', { exact: true }).waitFor();
    const nodes = await page.evaluate(() => document.getElementsByTagName('*').length);
    const articles = await list().locator('article').count();
    console.log(`after ${loads} loads back to message 1: ${nodes} DOM nodes (max ${maxNodes}), ${articles} messages rendered`);
    expect(loads).toBeGreaterThanOrEqual(TOTAL / 50 - 1);
    expect(maxNodes).toBeLessThanOrEqual(10_000);
    expect(nodes).toBeLessThanOrEqual(10_000);
    expect(articles).toBeLessThanOrEqual(100);
  });

  it('keeps the reader in place when new messages arrive while scrolled up; Jump to present shows them', async () => {
    // Read back somewhere in the middle of the loaded history.
    await list().evaluate((el) => el.scrollBy(0, el.clientHeight));
    await page.waitForTimeout(300);
    const seen = await topVisible();
    expect(seen).not.toBeNull();
    for (let i = 1; i <= 3; i++)
      await call(server.url, 'POST', `/channels/${channelId}/messages`, bob.access_token, { content: `late news ${i}` });
    await page.waitForTimeout(800);
    expect(Math.abs(((await yOf(seen!.id)) ?? Number.NaN) - seen!.y)).toBeLessThan(2);
    await page.getByRole('button', { name: /Jump to present/ }).click();
    await expect.poll(() => list().getByText('late news 3').isVisible()).toBe(true);
    expect(await list().locator('article').count()).toBeLessThanOrEqual(100);
    // At the bottom, a new message shows at once.
    await call(server.url, 'POST', `/channels/${channelId}/messages`, bob.access_token, { content: 'later still' });
    await expect.poll(() => list().getByText('later still').isVisible()).toBe(true);
  });

  it('is one Tab stop: arrow keys move between messages, Enter reaches a message’s actions, Tab leaves', async () => {
    await page.getByRole('button', { name: 'Member list' }).focus();
    await page.keyboard.press('Tab');
    const focused = () =>
      page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.messageId ?? document.activeElement?.tagName ?? null);
    const newest = await list().locator('article').last().getAttribute('data-message-id');
    // Tab lands on the newest message in view.
    expect(await focused()).toBe(newest);
    await page.keyboard.press('ArrowUp');
    const above = await focused();
    expect(above).not.toBe(newest);
    expect(BigInt(above as string) < BigInt(newest as string)).toBe(true);
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowDown');
    expect(await focused()).toBe(above);
    // Enter: into the message's controls; Escape: back to the message.
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('BUTTON');
    await page.keyboard.press('Escape');
    expect(await focused()).toBe(above);
    // Tab leaves the list at once (no walk through every button of every message).
    await page.keyboard.press('Tab');
    expect(await list().evaluate((el) => el.contains(document.activeElement))).toBe(false);
    // Shift+Tab comes back onto the message last read.
    await page.keyboard.press('Shift+Tab');
    expect(await focused()).toBe(above);
    // Many ArrowUps walk across window edges and history loads, one message at a time.
    for (let i = 0; i < 60; i++) await page.keyboard.press('ArrowUp');
    const far = await focused();
    expect(BigInt(far as string) < BigInt(above as string)).toBe(true);
    expect(await list().evaluate((el) => el.contains(document.activeElement))).toBe(true);
  });

  it('has a skip link to the composer as the first Tab stop; login focuses Username', async () => {
    await page.goto(`/channels/${guildId}/${channelId}`);
    await list().getByText('later still').waitFor();
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('Tab');
    const skip = page.getByRole('link', { name: 'Skip to composer' });
    expect(await skip.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toMatch(/^Message #/);
    const anon = await (await newContext(browser, { baseURL: server.url })).newPage();
    await anon.goto('/login');
    await anon.getByRole('button', { name: 'Log In' }).waitFor();
    expect(await anon.evaluate(() => (document.activeElement as HTMLInputElement | null)?.name)).toBe('username');
    await anon.context().close();
  });
});
