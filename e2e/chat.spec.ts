import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launch, newContext, register, shot, uniqueName } from './lib/browser';
import { startServer, type TestServer } from './lib/server';

/**
 * Two people in two browser contexts, one real server: the whole text-chat loop as the issue
 * lists it. Steps share state (one server, one conversation), so they run in order.
 */
describe('two friends chatting', () => {
  let server: TestServer;
  let browser: Browser;
  let aliceCtx: BrowserContext;
  let bobCtx: BrowserContext;
  let alice: Page;
  let bob: Page;
  const aliceName = uniqueName('alice');
  const bobName = uniqueName('bob');
  let inviteUrl = '';
  let guildUrl = '';

  const messages = (p: Page) => p.getByTestId('messages');
  const composer = (p: Page) => p.getByRole('textbox', { name: /^Message #/ });
  async function say(p: Page, text: string) {
    await composer(p).fill(text);
    await composer(p).press('Enter');
  }

  beforeAll(async () => {
    server = await startServer();
    browser = await launch();
    aliceCtx = await newContext(browser, { baseURL: server.url });
    bobCtx = await newContext(browser, { baseURL: server.url });
    alice = await aliceCtx.newPage();
    bob = await bobCtx.newPage();
    for (const p of [alice, bob]) p.on('pageerror', (e) => console.error('pageerror:', e.message));
  });

  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail') return;
    const name = ctx.task.name.replace(/\W+/g, '-');
    await shot(alice, `fail-${name}-alice`).catch(() => {});
    await shot(bob, `fail-${name}-bob`).catch(() => {});
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('alice registers, creates a server and an invite', async () => {
    await register(alice, aliceName);
    await alice.getByRole('button', { name: 'Create a server' }).first().click();
    await alice.getByLabel('Server name').fill('Retro Friends');
    await alice.getByRole('button', { name: 'Create', exact: true }).click();
    await alice.waitForURL(/\/channels\/\d+\/\d+$/);
    guildUrl = alice.url();
    await expect.poll(() => alice.getByRole('heading', { name: 'general', exact: true }).isVisible()).toBe(true);
    await alice.getByRole('button', { name: 'Retro Friends' }).click();
    await alice.getByRole('menuitem', { name: 'Invite People' }).click();
    const link = alice.getByTestId('invite-link');
    await expect.poll(() => link.inputValue()).toMatch(/\/invite\/[\w-]+$/);
    inviteUrl = new URL(await link.inputValue()).pathname;
    await alice.keyboard.press('Escape');
  });

  it('bob opens the invite link, registers and joins', async () => {
    await bob.goto(inviteUrl);
    await expect.poll(() => bob.getByRole('heading', { name: 'Retro Friends' }).isVisible()).toBe(true);
    await bob.getByRole('link', { name: 'Register to join' }).click();
    await bob.getByLabel('Username').fill(bobName);
    await bob.getByLabel('Password').fill('correct horse battery');
    await bob.getByRole('button', { name: 'Continue' }).click();
    await bob.waitForURL(`**${inviteUrl}`);
    await bob.getByRole('button', { name: 'Accept Invite' }).click();
    await bob.waitForURL(/\/channels\/\d+\/\d+$/);
    expect(new URL(bob.url()).pathname).toBe(new URL(guildUrl).pathname);
    await expect.poll(() => alice.locator(`[data-member]`).filter({ hasText: bobName }).count(), { timeout: 5000 }).toBe(1);
  });

  it('a message appears for the other person within a second', async () => {
    await expect.poll(() => composer(bob).isEnabled()).toBe(true);
    // Measured in the browsers themselves (one clock): from alice pressing Enter to the text in bob's DOM.
    const seen = bob.evaluate(
      () =>
        new Promise<number>((resolve) => {
          const list = document.querySelector('[data-testid="messages"]')!;
          const obs = new MutationObserver(() => {
            if (list.textContent?.includes('hello bob')) {
              obs.disconnect();
              resolve(performance.timeOrigin + performance.now());
            }
          });
          obs.observe(list, { subtree: true, childList: true, characterData: true });
        }),
    );
    await composer(alice).fill('hello **bob**');
    const sentAt = await alice.evaluate(() => performance.timeOrigin + performance.now());
    await composer(alice).press('Enter');
    const seenAt = await seen;
    console.log(`message latency alice → bob: ${Math.round(seenAt - sentAt)} ms`);
    expect(seenAt - sentAt).toBeLessThan(1000);
    await expect.poll(() => messages(bob).locator('strong', { hasText: 'bob' }).count()).toBe(1);
    await say(bob, 'hi alice');
    await messages(alice).getByText('hi alice').waitFor({ timeout: 1000 });
  });

  it('shows who is typing', async () => {
    await composer(bob).pressSequentially('typing away', { delay: 10 });
    await expect.poll(() => alice.getByTestId('typing').textContent(), { timeout: 3000 }).toContain(`${bobName} is typing`);
    await composer(bob).press('Enter');
    await expect.poll(() => alice.getByTestId('typing').textContent(), { timeout: 3000 }).toBe('');
  });

  it('edits (↑ in an empty composer) and deletes propagate', async () => {
    await composer(alice).click();
    await composer(alice).press('ArrowUp');
    const edit = alice.getByRole('textbox', { name: 'Edit message' });
    await edit.fill('hello bob, edited');
    await edit.press('Enter');
    await messages(bob).getByText('hello bob, edited').waitFor({ timeout: 2000 });
    await expect.poll(() => messages(bob).getByText('(edited)').count()).toBe(1);

    await say(alice, 'oops, wrong channel');
    await messages(bob).getByText('oops, wrong channel').waitFor();
    alice.once('dialog', (d) => d.accept());
    const msg = messages(alice).locator('article', { hasText: 'oops, wrong channel' });
    await msg.hover();
    await msg.getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => messages(bob).getByText('oops, wrong channel').count(), { timeout: 2000 }).toBe(0);
  });

  it('unread channels turn bold and mentions badge, both clear on read', async () => {
    await alice.getByRole('button', { name: 'Retro Friends' }).click();
    await alice.getByRole('menuitem', { name: 'Create Channel' }).click();
    await alice.getByLabel('Name').fill('random');
    await alice.getByRole('button', { name: 'Create', exact: true }).click();
    await alice.waitForURL(/\/channels\/\d+\/\d+$/);
    const randomLink = bob.getByRole('link', { name: /random/ });
    await randomLink.waitFor({ timeout: 3000 });

    // A mention through the autocomplete.
    await composer(alice).pressSequentially(`hey @${bobName.slice(0, 5)}`);
    await alice.getByRole('option', { name: new RegExp(bobName) }).waitFor();
    await composer(alice).press('Tab');
    await composer(alice).pressSequentially('look here');
    await composer(alice).press('Enter');

    await expect.poll(() => randomLink.getAttribute('class'), { timeout: 3000 }).toContain('unread');
    await expect.poll(() => randomLink.getByLabel('1 mentions').count()).toBe(1);
    await expect.poll(() => bob.getByTestId('mention-badge').textContent()).toBe('1');
    await shot(bob, 'desktop-light-unread');

    await randomLink.click();
    await messages(bob).getByText('look here').waitFor();
    await expect.poll(() => randomLink.getAttribute('class')).not.toContain('unread');
    await expect.poll(() => bob.getByTestId('mention-badge').count()).toBe(0);
  });

  it('a permission override hides a channel from the other user live', async () => {
    await alice.getByRole('button', { name: /Edit channel random/ }).click();
    await alice.getByRole('button', { name: 'Permissions' }).click();
    // The tab opens on @everyone, listed first whether or not it has an override yet.
    await alice.getByRole('button', { name: '@everyone', exact: true }).click();
    await alice.getByRole('heading', { name: 'Overrides for @everyone' }).waitFor();
    await alice.getByRole('radio', { name: 'Deny View Channel' }).click();
    await expect.poll(() => alice.getByRole('radio', { name: 'Deny View Channel' }).getAttribute('aria-checked')).toBe('true');
    await alice.keyboard.press('Escape');
    // Bob was reading #random: it disappears and he lands back in #general.
    await expect.poll(() => bob.getByRole('link', { name: /random/ }).count(), { timeout: 3000 }).toBe(0);
    await bob.waitForURL(guildUrl);
    // The owner still sees it.
    expect(await alice.getByRole('link', { name: /random/ }).count()).toBe(1);
  });

  it('reload restores the view', async () => {
    await bob.reload();
    await bob.waitForURL(guildUrl);
    await messages(bob).getByText('hi alice').waitFor();
    await expect.poll(() => bob.getByRole('heading', { name: 'general', exact: true }).isVisible()).toBe(true);
    // The channel being read is not bold, although its newest message was deleted.
    await expect.poll(() => bob.getByRole('link', { name: 'general' }).getAttribute('class')).not.toContain('unread');
  });

  it('going offline and back resumes without losing messages sent meanwhile', async () => {
    await alice.goto(guildUrl);
    await composer(alice).waitFor();
    await bobCtx.setOffline(true);
    await expect.poll(() => bob.getByTestId('connection').count(), { timeout: 5000 }).toBe(1);
    await say(alice, 'while you were away 1');
    await say(alice, 'while you were away 2');
    await messages(alice).getByText('while you were away 2').waitFor();
    await bobCtx.setOffline(false);
    await messages(bob).getByText('while you were away 1').waitFor({ timeout: 15_000 });
    await messages(bob).getByText('while you were away 2').waitFor();
    await expect.poll(() => bob.getByTestId('connection').count(), { timeout: 10_000 }).toBe(0);
  });
});
