import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, newContext, shot, uniqueName, type Viewport } from './lib/browser';
import { type Auth, call, registerApi } from './lib/seed';
import { startServer, type TestServer } from './lib/server';

/**
 * Emoji are drawn with Twemoji SVGs served by our own server (Debian's Chromium has no colour
 * emoji font): in messages, reactions, the picker and autocomplete. The picker has category
 * tabs, recents, skin tones and the server's custom emoji.
 */
describe('emoji', () => {
  let server: TestServer;
  let browser: Browser;
  let alice: Auth;
  let guildId = '';
  let channelId = '';

  beforeAll(async () => {
    server = await startServer();
    browser = await launch();
    alice = await registerApi(server.url, uniqueName('alice'), 'Alice');
    const g = await call(server.url, 'POST', '/guilds', alice.access_token, { name: 'Emoji Club' });
    guildId = g.id;
    channelId = g.channels.find((c: { type: number }) => c.type === 0).id;
    // A 1×1 PNG is enough for a custom emoji.
    const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
    await call(server.url, 'POST', `/guilds/${guildId}/emojis`, alice.access_token, {
      name: 'blob_ok',
      image: `data:image/png;base64,${png}`,
    });
    const say = (content: string) => call(server.url, 'POST', `/channels/${channelId}/messages`, alice.access_token, { content });
    await say('Good morning 👋 coffee is ready ☕ and the build is green ✅');
    await say('Family: 👩‍👩‍👧 flags: 🇫🇷 🇯🇵 keycap: #️⃣ tone: 👍🏽');
    const m = await say('🎉🎉');
    await call(server.url, 'PUT', `/channels/${channelId}/messages/${m.id}/reactions/${encodeURIComponent('❤️')}/@me`, alice.access_token);
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
    // The machine is shared: give a busy renderer time.
    page.setDefaultTimeout(30_000);
    page.on('pageerror', (e) => console.error('pageerror:', e.message));
    await page.goto(`/channels/${guildId}/${channelId}`);
    await page.getByTestId('messages').getByText('Good morning').waitFor();
    return page;
  }

  /** Every image drawn for an emoji: loaded, from our origin, a Twemoji path. */
  async function twemojiImages(page: Page, scope: string) {
    return page
      .locator(scope)
      .evaluateAll((imgs) => (imgs as HTMLImageElement[]).map((i) => ({ alt: i.alt, src: i.src, ok: i.complete && i.naturalWidth > 0 })));
  }

  it('renders emoji in messages and reactions as Twemoji images from our origin, and never asks another origin', async () => {
    const page = await open('desktop', false);
    const foreign: string[] = [];
    page.on('request', (r) => !r.url().startsWith(server.url) && !r.url().startsWith('data:') && foreign.push(r.url()));
    await page.reload();
    const list = page.getByTestId('messages');
    await list.getByText('Good morning').waitFor();
    await expect.poll(async () => (await twemojiImages(page, '[data-testid="messages"] .md img.emoji')).every((i) => i.ok)).toBe(true);
    const imgs = await twemojiImages(page, '[data-testid="messages"] .md img.emoji');
    expect(imgs.map((i) => i.alt)).toEqual(['👋', '☕', '✅', '👩‍👩‍👧', '🇫🇷', '🇯🇵', '#️⃣', '👍🏽', '🎉', '🎉']);
    for (const i of imgs)
      expect(new URL(i.src).origin + new URL(i.src).pathname).toMatch(new RegExp(`^${server.url}/twemoji/[0-9a-f-]+\\.svg$`));
    // A message of emoji alone is shown large, as in Discord.
    expect(
      await list
        .locator('.md.jumbo img.emoji')
        .first()
        .evaluate((e) => e.getBoundingClientRect().height),
    ).toBeGreaterThanOrEqual(40);
    // Reactions too, with the character as the accessible name.
    const chip = list.getByRole('button', { name: '❤️: 1' });
    await expect
      .poll(() =>
        chip.locator('img').evaluate((i) => (i as HTMLImageElement).naturalWidth > 0 && new URL((i as HTMLImageElement).src).pathname),
      )
      .toBe('/twemoji/2764.svg');
    expect(foreign).toEqual([]);
    await page.context().close();
  });

  it('picker: category tabs, skin tones, recents and the server emoji; autocomplete shows Twemoji', async () => {
    const page = await open('desktop', false);
    await page.getByRole('button', { name: 'Emoji', exact: true }).click();
    const picker = page.getByRole('dialog', { name: 'Emoji picker' });
    await picker.getByRole('button', { name: 'grinning face', exact: true }).waitFor();
    // Every emoji is an image from our origin, not a font glyph.
    const src = await picker.getByRole('button', { name: 'grinning face', exact: true }).locator('img').getAttribute('src');
    expect(src).toBe('/twemoji/1f600.svg');
    // The server's own emoji has its section.
    await picker.getByRole('group', { name: 'Emoji Club' }).getByRole('button', { name: ':blob_ok:' }).waitFor();
    // Tabs jump to a category.
    await picker.getByRole('navigation', { name: 'Emoji categories' }).getByRole('button', { name: 'Food & Drink' }).click();
    await expect.poll(() => picker.getByRole('button', { name: 'hamburger', exact: true }).isVisible()).toBe(true);
    // Skin tone: thumbs up comes back toned.
    await picker.getByRole('button', { name: 'Skin tone', exact: true }).click();
    await picker.getByRole('button', { name: 'Skin tone 3' }).click();
    await picker.getByRole('searchbox', { name: 'Search emoji' }).fill('thumbs up');
    const thumbs = picker.getByRole('button', { name: 'thumbs up', exact: true });
    expect(await thumbs.locator('img').getAttribute('src')).toBe('/twemoji/1f44d-1f3fd.svg');
    await thumbs.click();
    const box = page.getByRole('textbox', { name: /^Message #/ });
    await expect.poll(() => box.inputValue()).toBe('👍🏽');
    // Recents: the next opening starts with it.
    await page.getByRole('button', { name: 'Emoji', exact: true }).click();
    const recent = picker.getByRole('group', { name: 'Frequently Used' });
    await recent.getByRole('button', { name: 'thumbs up' }).waitFor();
    await page.keyboard.press('Escape');
    // Autocomplete: `:party` lists emoji with their Twemoji image.
    await box.fill('');
    await box.pressSequentially('yay :party_po');
    const option = page.getByRole('option', { name: /🎉 :party_popper:/ }).first();
    await option.waitFor();
    expect(await option.locator('img').getAttribute('src')).toBe('/twemoji/1f389.svg');
    await page.context().close();
  });

  for (const viewport of ['desktop', 'phone'] as const) {
    for (const dark of [false, true]) {
      const tag = `${viewport}-${dark ? 'dark' : 'light'}`;
      it(`screenshots: a channel with emoji and the picker (${tag})`, async () => {
        const page = await open(viewport, dark);
        await expect.poll(async () => (await twemojiImages(page, '[data-testid="messages"] img.emoji')).every((i) => i.ok)).toBe(true);
        await page.waitForTimeout(300);
        await shot(page, `emoji-${tag}-channel`);
        await page.getByRole('button', { name: 'Emoji', exact: true }).click();
        const picker = page.getByRole('dialog', { name: 'Emoji picker' });
        await picker.getByRole('button', { name: 'grinning face', exact: true }).waitFor();
        await expect
          .poll(() =>
            picker
              .locator('.emoji-btn img')
              .first()
              .evaluate((i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0),
          )
          .toBe(true);
        await page.waitForTimeout(400);
        await shot(page, `emoji-${tag}-picker`);
        await page.context().close();
      });
    }
  }
});
