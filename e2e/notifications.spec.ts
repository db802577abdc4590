import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launch, newContext, shot, uniqueName, type Viewport } from './lib/browser';
import { type Auth, call, registerApi } from './lib/seed';
import { startServer, type TestServer } from './lib/server';

/**
 * Desktop notifications in the open tab: Bob (over REST, a second client) mentions Alice while her
 * tab shows another channel. Her context has the notification permission granted; an init script
 * records every `new Notification(…)` the page makes (the real constructor still runs).
 */
describe('desktop notifications', () => {
  let server: TestServer;
  let browser: Browser;
  let alice: Auth;
  let bob: Auth;
  let guildId = '';
  let generalId = '';
  let randomId = '';
  let ctx: BrowserContext;
  let page: Page;

  /** A channel's link in the sidebar (message text may link channels too). */
  const chan = (p: Page, id: string) => p.locator(`aside [data-channel="${id}"]`);
  const notes = () => page.evaluate(() => (window as unknown as { __notes: Array<{ title: string; body: string }> }).__notes);
  const favicon = () => page.evaluate(() => document.querySelector<HTMLLinkElement>('link[rel="icon"]')?.dataset.mentions ?? '');
  const mention = (text: string) => call(server.url, 'POST', `/channels/${generalId}/messages`, bob.access_token, { content: text });
  /** Long enough for a notification that should not come to have come. */
  const settle = () => page.waitForTimeout(1500);

  async function open(auth: Auth, path: string, viewport: Viewport = 'desktop') {
    const c = await newContext(browser, { baseURL: server.url, viewport });
    await c.grantPermissions(['notifications'], { origin: server.url });
    await c.addInitScript(
      (t) => localStorage.setItem('retrocast.auth', t),
      JSON.stringify({ access_token: auth.access_token, refresh_token: auth.refresh_token }),
    );
    await c.addInitScript(() => {
      const w = window as unknown as { __notes: unknown[]; Notification: typeof Notification };
      w.__notes = [];
      const Real = w.Notification;
      class Recorded extends Real {
        constructor(title: string, opts?: NotificationOptions) {
          super(title, opts);
          w.__notes.push({ title, body: opts?.body, icon: opts?.icon, tag: opts?.tag });
        }
      }
      w.Notification = Recorded;
    });
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
    const g = await call(server.url, 'POST', '/guilds', alice.access_token, { name: 'Notify Test' });
    guildId = g.id;
    generalId = g.channels.find((c: { type: number }) => c.type === 0).id;
    randomId = (await call(server.url, 'POST', `/guilds/${guildId}/channels`, alice.access_token, { name: 'random' })).id;
    const code = (await call(server.url, 'POST', `/channels/${generalId}/invites`, alice.access_token, {})).code;
    await call(server.url, 'POST', `/invites/${code}`, bob.access_token, {});
    ({ c: ctx, p: page } = await open(alice, `/channels/${guildId}/${randomId}`));
    await page.getByRole('textbox', { name: 'Message #random' }).waitFor();
  });

  afterEach(async (t) => {
    if (t.task.result?.state === 'fail') await shot(page, `fail-notifications-${t.task.name.replace(/\W+/g, '-')}`).catch(() => {});
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('a mention in another channel: a Notification with author, channel and resolved text; (1) in the title; red favicon', async () => {
    expect(await page.title()).toBe('#random — Retrocast');
    expect(await favicon()).toBe('0');
    await mention(`hey <@${alice.user.id}>, see <#${randomId}>`);
    await expect
      .poll(notes, { timeout: 5000 })
      .toEqual([
        expect.objectContaining({ title: 'Bob (#general, Notify Test)', body: 'hey @Alice, see #random', tag: `ch-${generalId}` }),
      ]);
    await expect.poll(() => page.title()).toBe('(1) #random — Retrocast');
    await expect.poll(favicon).toBe('1');
    expect(
      await page.evaluate(() => document.querySelector<HTMLLinkElement>('link[rel="icon"]')?.href.startsWith('data:image/svg+xml')),
    ).toBe(true);
    // Reading the channel clears the count, the title and the dot.
    await chan(page, generalId).click();
    await expect.poll(() => page.title()).toBe('#general — Retrocast');
    await expect.poll(favicon).toBe('0');
    await chan(page, randomId).click();
    await page.getByRole('textbox', { name: 'Message #random' }).waitFor();
  });

  it('no notification for a message in the channel on screen', async () => {
    await chan(page, generalId).click();
    await page.getByRole('textbox', { name: 'Message #general' }).waitFor();
    const before = (await notes()).length;
    await mention(`right here <@${alice.user.id}>`);
    await page.getByTestId('messages').getByText('right here').waitFor();
    await settle();
    expect((await notes()).length).toBe(before);
    await chan(page, randomId).click();
    await page.getByRole('textbox', { name: 'Message #random' }).waitFor();
  });

  it('muting the channel (context menu → Mute Channel) stops the notification and the title count', async () => {
    await chan(page, generalId).click({ button: 'right' });
    await page.getByRole('menuitem', { name: /Mute Channel/ }).click();
    await shot(page, 'notifications-mute-menu-desktop');
    await page.getByRole('menuitem', { name: 'For 1 Hour' }).click();
    await expect.poll(() => page.locator(`[data-channel="${generalId}"][data-muted]`).count()).toBe(1);
    const before = (await notes()).length;
    await mention(`muted <@${alice.user.id}>`);
    await settle();
    expect((await notes()).length).toBe(before);
    expect(await page.title()).toBe('#random — Retrocast');
    expect(await favicon()).toBe('0');
    // The muted channel still counts the mention on its own badge.
    await expect.poll(() => page.locator(`[data-channel="${generalId}"] .badge`).textContent()).toBe('1');
    await chan(page, generalId).click({ button: 'right' });
    await page.getByRole('menuitem', { name: 'Unmute Channel' }).click();
    await expect.poll(() => page.locator(`[data-channel="${generalId}"][data-muted]`).count()).toBe(0);
    await chan(page, generalId).click();
    await expect.poll(() => page.title()).toBe('#general — Retrocast');
    await chan(page, randomId).click();
    await page.getByRole('textbox', { name: 'Message #random' }).waitFor();
  });

  it('Do Not Disturb stops both; back online they return', async () => {
    await page.getByRole('button', { name: 'Set status' }).click();
    await page.getByRole('menuitemradio', { name: 'Do Not Disturb' }).click();
    const before = (await notes()).length;
    await mention(`dnd <@${alice.user.id}>`);
    await settle();
    expect((await notes()).length).toBe(before);
    expect(await page.title()).toBe('#random — Retrocast');
    expect(await favicon()).toBe('0');
    await page.getByRole('button', { name: 'Set status' }).click();
    await page.getByRole('menuitemradio', { name: 'Online' }).click();
    await mention(`back <@${alice.user.id}>`);
    await expect.poll(async () => (await notes()).at(-1)?.body, { timeout: 5000 }).toBe('back @Alice');
    await expect.poll(() => page.title()).toBe('(2) #random — Retrocast');
  });

  it('Notification Settings: "Nothing" for the server silences it', async () => {
    await page.getByRole('button', { name: 'Notify Test' }).click();
    await page.getByRole('menuitem', { name: 'Notification Settings' }).click();
    const dialog = page.getByRole('dialog', { name: 'Notification Settings' });
    const server = dialog.getByRole('group', { name: 'Server notification settings' });
    await server.getByLabel('Nothing').check();
    await expect.poll(() => server.getByLabel('Nothing').isChecked()).toBe(true);
    await shot(page, 'notifications-settings-desktop');
    await page.keyboard.press('Escape');
    const before = (await notes()).length;
    await mention(`nothing <@${alice.user.id}>`);
    await settle();
    expect((await notes()).length).toBe(before);
    // The choice came back from the server (USER_GUILD_SETTINGS_UPDATE / READY): it survives a reload.
    await page.reload();
    await page.getByRole('button', { name: 'Notify Test' }).click();
    await page.getByRole('menuitem', { name: 'Notification Settings' }).click();
    const again = page.getByRole('dialog', { name: 'Notification Settings' }).getByRole('group', { name: 'Server notification settings' });
    await expect.poll(() => again.getByLabel('Nothing').isChecked()).toBe(true);
    await again.getByLabel('All Messages').check();
    await page.keyboard.press('Escape');
  });

  it('a DM notifies with the author as title; muting the conversation (DM context menu) stops it', async () => {
    const dm = await call(server.url, 'POST', '/users/@me/channels', bob.access_token, { recipient_id: alice.user.id });
    const before = (await notes()).length;
    await call(server.url, 'POST', `/channels/${dm.id}/messages`, bob.access_token, { content: 'psst alice' });
    await expect
      .poll(async () => (await notes()).slice(before), { timeout: 5000 })
      .toEqual([expect.objectContaining({ title: 'Bob', body: 'psst alice' })]);
    await page.goto('/channels/@me');
    const row = page.locator(`[data-dm="${dm.id}"]`);
    await row.click({ button: 'right' });
    await page.getByRole('menuitem', { name: /Mute Conversation/ }).click();
    await page.getByRole('menuitem', { name: 'Until I turn it back on' }).click();
    await expect.poll(() => page.locator(`[data-dm="${dm.id}"][data-muted]`).count()).toBe(1);
    const muted = (await notes()).length;
    await call(server.url, 'POST', `/channels/${dm.id}/messages`, bob.access_token, { content: 'still there?' });
    await settle();
    expect((await notes()).length).toBe(muted);
    await page.goto(`/channels/${guildId}/${randomId}`);
    await page.getByRole('textbox', { name: 'Message #random' }).waitFor();
  });

  it('phone screenshots of the mute menu and the settings dialog (390×844)', async () => {
    const { c, p } = await open(alice, `/channels/${guildId}/${randomId}`, 'phone');
    await p.getByRole('button', { name: 'Open channels' }).click();
    // A long-press fires contextmenu on phones.
    await chan(p, generalId).dispatchEvent('contextmenu');
    await p.getByRole('menuitem', { name: /Mute Channel/ }).click();
    await p.getByRole('menuitem', { name: 'For 15 Minutes' }).waitFor();
    await shot(p, 'notifications-mute-menu-phone');
    await p.getByRole('menuitem', { name: 'Close' }).click();
    await p.getByRole('button', { name: 'Notify Test' }).click();
    await p.getByRole('menuitem', { name: 'Notification Settings' }).click();
    await p.getByRole('dialog', { name: 'Notification Settings' }).waitFor();
    await shot(p, 'notifications-settings-phone');
    await c.close();
  });
});
