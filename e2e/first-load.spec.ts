import type { Browser, Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, newContext, uniqueName } from './lib/browser';
import { type Auth, call, registerApi } from './lib/seed';
import { startServer, type TestServer } from './lib/server';

/** Issue 16's goal: the JS + CSS of a channel view's first load, compressed, over the wire. */
const GOAL = 90 * 1024;

/**
 * What a first visit to a channel downloads (issue 16), counted as Chromium receives it: the
 * encoded body of every JS and CSS response, with `Accept-Encoding: br` (Chromium only offers
 * brotli over HTTPS by itself). Then the on-demand parts (dialogs, pickers, panels) still open, each
 * fetching its own chunk when first wanted.
 */
describe('first load', () => {
  let server: TestServer;
  let browser: Browser;
  let bob: Auth;
  let guildId = '';
  let generalId = '';

  beforeAll(async () => {
    server = await startServer();
    browser = await launch();
    const base = server.url;
    const alice = await registerApi(base, uniqueName('alice'), 'Alice');
    bob = await registerApi(base, uniqueName('bob'), 'Bob');
    const g = await call(base, 'POST', '/guilds', alice.access_token, { name: 'Load Test' });
    guildId = g.id;
    generalId = g.channels.find((c: { type: number }) => c.type === 0).id;
    const invite = await call(base, 'POST', `/channels/${generalId}/invites`, alice.access_token, {});
    await call(base, 'POST', `/invites/${invite.code}`, bob.access_token, {});
    const say = (a: Auth, content: string) => call(base, 'POST', `/channels/${generalId}/messages`, a.access_token, { content });
    await say(alice, 'Welcome to **Load Test**, read the _rules_ :)');
    await say(bob, `Thanks <@${alice.user.id}>! \`npm run build\` then https://example.com/docs`);
    await say(alice, '> quoting is fun\nand ||spoilers|| too, movie night on Friday?');
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** A fresh context (empty cache, no service worker) logged in as bob, recording JS/CSS responses. */
  async function open(): Promise<{ page: Page; assets: Response[] }> {
    const ctx = await newContext(browser, { baseURL: server.url });
    await ctx.setExtraHTTPHeaders({ 'Accept-Encoding': 'br' });
    await ctx.addInitScript(
      (t) => localStorage.setItem('retrocast.auth', t),
      JSON.stringify({ access_token: bob.access_token, refresh_token: bob.refresh_token }),
    );
    const page = await ctx.newPage();
    page.on('pageerror', (e) => console.error('pageerror:', e.message));
    const assets: Response[] = [];
    page.on('response', (r) => {
      if (/\.(js|css)$/.test(new URL(r.url()).pathname)) assets.push(r);
    });
    return { page, assets };
  }

  const bodyBytes = async (rs: Response[]) => {
    let n = 0;
    for (const r of rs) n += (await r.request().sizes()).responseBodySize;
    return n;
  };

  it(`downloads at most ${GOAL / 1024} KB of JS + CSS (brotli) for a channel view`, async () => {
    const { page, assets } = await open();
    await page.goto(`/channels/${guildId}/${generalId}`);
    await page.getByTestId('messages').getByText('movie night').waitFor();
    await page.getByRole('textbox', { name: /^Message/ }).waitFor();
    await page.waitForLoadState('networkidle');

    const bytes = await bodyBytes(assets);
    const list = (
      await Promise.all(assets.map(async (r) => `${(await r.request().sizes()).responseBodySize} ${new URL(r.url()).pathname}`))
    ).join('\n');
    const raw = (await Promise.all(assets.map(async (r) => (await r.body()).length))).reduce((a, b) => a + b, 0);
    console.log(
      `first load of a channel view: ${assets.length} JS/CSS files, ${(raw / 1024).toFixed(1)} KB decoded, ${(bytes / 1024).toFixed(1)} KB over the wire`,
    );
    // Every file is the precompressed brotli one (or is too small to gain from it).
    for (const r of assets) {
      const enc = (await r.allHeaders())['content-encoding'];
      if (enc !== 'br') expect((await r.body()).length, `${r.url()} sent without brotli`).toBeLessThan(100);
    }
    // Voice (LiveKit) and the emoji data only ever load on demand.
    for (const r of assets) {
      const text = await r.text();
      expect(text, `${r.url()} is LiveKit`).not.toContain('livekit');
      expect(text, `${r.url()} is the emoji data`).not.toContain('grinning face');
    }
    expect(bytes).toBeGreaterThan(10 * 1024);
    expect(bytes, `over the goal:\n${list}`).toBeLessThanOrEqual(GOAL);
    await page.context().close();
  });

  it('loads dialogs, pickers and panels when they are opened, and they open', async () => {
    const { page, assets } = await open();
    await page.goto(`/channels/${guildId}/${generalId}`);
    await page.getByTestId('messages').getByText('movie night').waitFor();
    await page.waitForLoadState('networkidle');
    const loaded = () => assets.length;

    // Each of these fetches code the first load did not have, and then shows up.
    const opens: [string, () => Promise<void>, () => Promise<void>][] = [
      [
        'emoji picker',
        () => page.getByRole('button', { name: 'Emoji' }).click(),
        () => page.getByTestId('emoji-popover').getByRole('button', { name: 'grinning face', exact: true }).waitFor(),
      ],
      [
        'quick switcher',
        () => page.keyboard.press('Control+k'),
        () => page.getByRole('dialog', { name: 'Quick switcher' }).getByRole('combobox').waitFor(),
      ],
      [
        'user settings',
        () => page.getByRole('button', { name: 'User Settings' }).click(),
        () => page.getByRole('dialog', { name: 'User Settings' }).waitFor(),
      ],
      [
        'pinned messages',
        () => page.getByRole('button', { name: 'Pinned messages' }).click(),
        () => page.getByRole('complementary', { name: 'Pinned messages' }).waitFor(),
      ],
    ];
    for (const [what, act, shown] of opens) {
      const before = loaded();
      await act();
      await shown();
      expect(loaded(), `${what} fetched no chunk of its own`).toBeGreaterThan(before);
      await page.keyboard.press('Escape');
    }
    await page.context().close();
  });
});
