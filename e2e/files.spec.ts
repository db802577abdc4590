import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launch, newContext, shot, uniqueName, type Viewport } from './lib/browser';
import { type Auth, call, registerApi } from './lib/seed';
import { startServer, type TestServer } from './lib/server';

/** Files and reactions in the browser: alice on a desktop, bob on a phone, one real server. */
describe('files and reactions', () => {
  let server: TestServer;
  let browser: Browser;
  let alice: Auth;
  let bob: Auth;
  let path = '';
  let guildId = '';
  let a: Page;
  let b: Page;
  let png: Buffer;
  const messages = (p: Page) => p.getByTestId('messages');

  async function openAs(auth: Auth, viewport: Viewport) {
    const c = await newContext(browser, { baseURL: server.url, viewport });
    await c.addInitScript(
      (t) => localStorage.setItem('retrocast.auth', t),
      JSON.stringify({ access_token: auth.access_token, refresh_token: auth.refresh_token }),
    );
    const p = await c.newPage();
    p.on('pageerror', (e) => console.error('pageerror:', e.message));
    await p.goto(path);
    await messages(p).getByText('hello files').waitFor();
    return p;
  }

  /** Waits until the image has really loaded (decoded, non-zero size). */
  async function loaded(p: Page, alt: string) {
    const img = messages(p).locator(`img[alt="${alt}"]`).last();
    await img.waitFor();
    await expect
      .poll(() => img.evaluate((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth > 0), { timeout: 10_000 })
      .toBe(true);
  }

  beforeAll(async () => {
    server = await startServer();
    browser = await launch();
    alice = await registerApi(server.url, uniqueName('alice'), 'Alice');
    bob = await registerApi(server.url, uniqueName('bob'), 'Bob');
    const g = await call(server.url, 'POST', '/guilds', alice.access_token, { name: 'Files' });
    const general = g.channels.find((c: { type: number }) => c.type === 0).id;
    const code = (await call(server.url, 'POST', `/channels/${general}/invites`, alice.access_token, {})).code;
    await call(server.url, 'POST', `/invites/${code}`, bob.access_token, {});
    await call(server.url, 'POST', `/channels/${general}/messages`, alice.access_token, { content: 'hello files' });
    path = `/channels/${g.id}/${general}`;
    guildId = g.id;
    png = await sharp({ create: { width: 480, height: 320, channels: 3, background: '#ff9500' } })
      .png()
      .toBuffer();
    a = await openAs(alice, 'desktop');
    b = await openAs(bob, 'phone');
  });

  afterEach(async (t) => {
    if (t.task.result?.state !== 'fail') return;
    await shot(a, 'fail-files-alice').catch(() => {});
    await shot(b, 'fail-files-bob').catch(() => {});
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('attaches an image with the file chooser; the other user sees the preview', async () => {
    const [chooser] = await Promise.all([a.waitForEvent('filechooser'), a.getByRole('button', { name: 'Attach files' }).click()]);
    await chooser.setFiles({ name: 'sunset.png', mimeType: 'image/png', buffer: png });
    const tray = a.getByRole('dialog', { name: 'Upload files' });
    await tray.getByText('sunset.png').waitFor();
    await tray.getByLabel('Comment').fill('look at this');
    await tray.getByRole('button', { name: /^Upload/ }).click();
    await tray.waitFor({ state: 'detached' });
    await loaded(a, 'sunset.png');
    await messages(b).getByText('look at this').waitFor();
    await loaded(b, 'sunset.png');
    await messages(b).getByRole('button', { name: 'Open image sunset.png' }).click();
    await b.getByRole('dialog', { name: 'Image sunset.png' }).waitFor();
    await b.keyboard.press('Escape');
    await b.getByRole('dialog', { name: 'Image sunset.png' }).waitFor({ state: 'detached' });
  });

  it('attaches an image by pasting it', async () => {
    await a.getByRole('textbox', { name: /^Message #/ }).click();
    await a.evaluate(async (b64) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const data = new DataTransfer();
      data.items.add(new File([bytes], 'pasted.png', { type: 'image/png' }));
      document.activeElement?.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    }, png.toString('base64'));
    const tray = a.getByRole('dialog', { name: 'Upload files' });
    await tray.getByText('pasted.png').waitFor();
    await tray.getByRole('button', { name: /^Upload/ }).click();
    await tray.waitFor({ state: 'detached' });
    await loaded(b, 'pasted.png');
  });

  it('reacts: bob adds one from the picker, alice joins it, both see the count', async () => {
    const last = (p: Page) => messages(p).locator('article').last();
    await last(b).hover();
    await last(b).getByRole('button', { name: 'Add reaction' }).click();
    await b.getByRole('button', { name: 'grinning face', exact: true }).click();
    const chipA = last(a).getByRole('button', { name: '😀: 1' });
    await chipA.waitFor();
    await chipA.click();
    await last(b).getByRole('button', { name: '😀: 2' }).waitFor();
    await expect.poll(() => last(a).getByRole('button', { name: '😀: 2' }).getAttribute('aria-pressed')).toBe('true');
    await a.waitForTimeout(300);
    await shot(a, 'files-desktop');
    await shot(b, 'files-phone');
  });

  it('custom emoji: uploaded in server settings, rendered inline for the other user', async () => {
    await a.getByRole('button', { name: 'Files', exact: true }).click();
    await a.getByRole('menuitem', { name: 'Server Settings' }).click();
    const settings = a.getByRole('dialog', { name: /Settings/ });
    await settings.getByRole('button', { name: 'Emoji', exact: true }).click();
    const face = await sharp({ create: { width: 64, height: 64, channels: 4, background: '#34c759' } })
      .png()
      .toBuffer();
    await a.getByLabel('Emoji image').setInputFiles({ name: 'party.png', mimeType: 'image/png', buffer: face });
    await a.getByLabel('Emoji name').fill('party');
    await a.getByRole('button', { name: 'Upload', exact: true }).click();
    await settings.getByRole('img', { name: ':party:' }).waitFor();
    await a.keyboard.press('Escape');
    await settings.waitFor({ state: 'detached' });
    const box = a.getByRole('textbox', { name: /^Message #/ });
    await box.fill('party time :par');
    await box.press('End');
    await a.getByRole('option').filter({ hasText: ':party:' }).getByRole('button').click();
    await expect.poll(() => box.inputValue()).toMatch(/^party time <:party:\d+> $/);
    await box.press('Enter');
    await messages(b).getByText('party time').waitFor();
    await loaded(b, ':party:');
  });

  it('avatar: picked, cropped and shown', async () => {
    await a.getByRole('button', { name: 'User Settings' }).click();
    const pic = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#5856d6' } })
      .png()
      .toBuffer();
    await a.getByLabel('Choose avatar').setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: pic });
    await a.getByLabel('Zoom').fill('1.5');
    await a.getByRole('button', { name: 'Save avatar' }).click();
    const img = a.locator('footer img[src^="/avatars/"]').first();
    await img.waitFor();
    await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth > 0)).toBe(true);
  });
});
