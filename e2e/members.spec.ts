import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { launch, newContext, shot, uniqueName, type Viewport } from './lib/browser';
import { type Auth, call, registerApi } from './lib/seed';
import { startServer, type TestServer } from './lib/server';

/**
 * A large guild (72 members, above the default large_threshold of 50): the member list shows who
 * is online at once and fetches the offline members (op 8) when their section scrolls into view;
 * @-autocomplete asks the server for members it does not hold; authors it does not hold still
 * open a profile.
 */
describe('large guild member list', () => {
  let server: TestServer;
  let browser: Browser;
  let alice: Auth;
  let guildId = '';
  let generalId = '';
  const online: Auth[] = [];
  const offline: Auth[] = [];
  let zephyr: Auth;
  const sockets: WebSocket[] = [];
  let page: Page;
  /** op 8 payloads the page sent over its gateway socket. */
  let op8: Array<Record<string, unknown>> = [];

  /** A gateway session that keeps the user online (IDENTIFY, heartbeats) until closed. */
  function goOnline(token: string): Promise<void> {
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/gateway`);
    sockets.push(ws);
    return new Promise((resolve, reject) => {
      ws.on('error', reject);
      ws.on('message', (raw) => {
        const p = JSON.parse(raw.toString());
        if (p.op === 10) {
          ws.send(JSON.stringify({ op: 2, d: { token, properties: {} } }));
          const beat = setInterval(() => ws.readyState === ws.OPEN && ws.send(JSON.stringify({ op: 1, d: null })), p.d.heartbeat_interval);
          ws.on('close', () => clearInterval(beat));
        }
        if (p.t === 'READY') resolve();
      });
    });
  }

  async function openAs(auth: Auth, path: string, viewport: Viewport) {
    const c = await newContext(browser, { baseURL: server.url, viewport });
    await c.addInitScript(
      (t) => localStorage.setItem('retrocast.auth', t),
      JSON.stringify({ access_token: auth.access_token, refresh_token: auth.refresh_token }),
    );
    const p = await c.newPage();
    p.on('pageerror', (e) => console.error('pageerror:', e.message));
    op8 = [];
    p.on('websocket', (ws) =>
      ws.on('framesent', (f) => {
        const msg = typeof f.payload === 'string' ? JSON.parse(f.payload) : null;
        if (msg?.op === 8) op8.push(msg.d);
      }),
    );
    await p.goto(path);
    return p;
  }

  const row = (p: Page, a: Auth) => p.locator(`aside[aria-label="Members"] [data-member="${a.user.id}"]`);
  const rows = (p: Page) => p.locator('aside[aria-label="Members"] [data-member]');

  beforeAll(async () => {
    server = await startServer({ ARGON2_MEMORY_KIB: '1024' });
    browser = await launch();
    alice = await registerApi(server.url, uniqueName('alice'), 'Alice');
    const g = await call(server.url, 'POST', '/guilds', alice.access_token, { name: 'Big Server' });
    guildId = g.id;
    generalId = g.channels.find((c: { type: number }) => c.type === 0).id;
    const code = (await call(server.url, 'POST', `/channels/${generalId}/invites`, alice.access_token, { max_age: 0 })).code;
    const join = async (prefix: string, display: string) => {
      const a = await registerApi(server.url, uniqueName(prefix), display);
      await call(server.url, 'POST', `/invites/${code}`, a.access_token, {});
      return a;
    };
    // 25 online (more than the screen holds), 45 offline, and one offline "Zephyr" to search for.
    for (let i = 0; i < 70; i += 10) {
      const batch = await Promise.all(
        Array.from({ length: 10 }, (_, j) => i + j).map((n) =>
          n < 25 ? join('amber', `Amber ${String(n).padStart(2, '0')}`) : join('opal', `Opal ${String(n).padStart(2, '0')}`),
        ),
      );
      for (const [j, a] of batch.entries()) (i + j < 25 ? online : offline).push(a);
    }
    zephyr = await join('zephyr', 'Zephyr Quist');
    // Alice mentions an offline member; an offline member wrote the last message: names and profile
    // must work without the member list.
    await call(server.url, 'POST', `/channels/${generalId}/messages`, alice.access_token, { content: `welcome <@${zephyr.user.id}>` });
    await call(server.url, 'POST', `/channels/${generalId}/messages`, offline[0].access_token, { content: 'hello from offline' });
    await Promise.all(online.map((a) => goOnline(a.access_token)));
  }, 300_000);

  afterEach(async (t) => {
    if (t.task.result?.state === 'fail' && page) await shot(page, `fail-members-${t.task.name.replace(/\W+/g, '-')}`).catch(() => {});
  });

  afterAll(async () => {
    for (const ws of sockets) ws.close(1000);
    await browser?.close();
    await server?.stop();
  });

  it('shows the online members at once and loads the offline ones when their section scrolls into view (desktop)', async () => {
    page = await openAs(alice, `/channels/${guildId}/${generalId}`, 'desktop');
    const list = page.locator('aside[aria-label="Members"]');
    await row(page, online[24]).waitFor();
    await list.getByText('Online — 26').waitFor();
    // 72 members: 26 online listed, the other 46 counted but not fetched yet.
    await list.getByText('Offline — 46').waitFor();
    await page.waitForTimeout(1000);
    for (const a of offline.slice(1)) expect(await row(page, a).count()).toBe(0);
    expect(await rows(page).count()).toBeLessThanOrEqual(27);
    // The mention reads as the member's name, from the message's own mentions (no op 8 for it).
    await page.getByTestId('messages').getByRole('button', { name: '@Zephyr Quist', exact: true }).waitFor();
    // Nothing asked yet but the author of the message on screen, by id.
    expect(op8.map(({ nonce: _n, ...d }) => d)).toEqual([{ guild_id: guildId, user_ids: [offline[0].user.id] }]);
    await shot(page, 'members-large-desktop-online');

    await list.evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await expect.poll(() => rows(page).count(), { timeout: 10_000 }).toBe(72);
    await row(page, offline[44]).waitFor();
    await list.getByText('Offline — 46').waitFor();
    await page.waitForTimeout(500);
    expect(op8.filter((d) => d.query === '')).toEqual([
      { guild_id: guildId, query: '', limit: 0, presences: true, nonce: expect.any(String) },
    ]);
    await list.evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await shot(page, 'members-large-desktop-offline');
  });

  it('opens the profile of a message author the client held no member for', async () => {
    const author = page.getByTestId('messages').getByRole('button', { name: 'Opal 25', exact: true });
    await author.click();
    const pop = page.getByRole('dialog', { name: 'User profile' });
    await pop.getByText(`@${offline[0].user.username}`).waitFor();
    await page.keyboard.press('Escape');
  });

  it('@-autocomplete finds an offline member by prefix through the server (phone)', async () => {
    page = await openAs(alice, `/channels/${guildId}/${generalId}`, 'phone');
    await page.getByRole('button', { name: 'Member list' }).click();
    const list = page.locator('aside[aria-label="Members"]');
    await row(page, online[0]).waitFor();
    expect(await list.locator(`[data-member="${zephyr.user.id}"]`).count()).toBe(0);
    await page.waitForTimeout(400); // the drawer's slide-in
    await shot(page, 'members-large-phone-online');
    // The scrim beside the drawer closes it (a pointer click there would land on a member row).
    await page.getByRole('button', { name: 'Close panel' }).evaluate((el) => (el as HTMLElement).click());
    await expect.poll(() => list.isVisible()).toBe(false);
    const composer = page.getByRole('textbox', { name: /^Message #/ });
    await composer.click();
    await composer.pressSequentially('hi @zeph');
    const suggestion = page.getByRole('listbox', { name: 'Suggestions' }).getByRole('button', { name: /Zephyr Quist/ });
    await suggestion.waitFor({ timeout: 10_000 });
    await shot(page, 'members-large-phone-mention');
    await suggestion.dispatchEvent('mousedown');
    await expect.poll(() => composer.inputValue()).toBe(`hi <@${zephyr.user.id}> `);
    // Debounced (one search per pause in typing, limit 10), and none again once the answer came.
    await page.waitForTimeout(600);
    const searches = op8.filter((d) => d.query);
    expect(searches.at(-1)).toMatchObject({ guild_id: guildId, query: 'zeph', limit: 10 });
    expect(searches.length).toBeLessThanOrEqual(4);
    expect(new Set(searches.map((d) => d.query)).size).toBe(searches.length);
  });

  it("search's From list offers every member, offline ones included (phone)", async () => {
    await page.getByRole('button', { name: 'Search messages' }).click();
    const from = page.getByLabel('From user');
    await expect.poll(() => from.locator('option', { hasText: 'Opal 60' }).count(), { timeout: 10_000 }).toBe(1);
    expect(op8.filter((d) => d.query === '' && d.limit === 0)).toHaveLength(1);
  });
});
