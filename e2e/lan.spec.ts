import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, newContext, shot, uniqueName, VIEWPORTS } from './lib/browser';
import { type Auth, call, registerApi } from './lib/seed';
import { startServer, type TestServer } from './lib/server';

/**
 * The owner's way to /setup ("Invite friends on this network" in the server menu), and the page
 * itself with TLS on, on loopback. The real LAN (other machine, mDNS, voice) is
 * server/src/lan/lan.slow.test.ts.
 */
describe('invite friends on this network', () => {
  let server: TestServer;
  let browser: Browser;
  let owner: Auth;
  let member: Auth;
  let guildId = '';
  let textId = '';

  beforeAll(async () => {
    // HTTPS on a free port beside the plain one the helper watches; mDNS stays off (loopback).
    server = await startServer({ TLS: 'on', HTTPS_PORT: '0', REGISTRATION: 'open' });
    browser = await launch();
    owner = await registerApi(server.url, uniqueName('owner'));
    member = await registerApi(server.url, uniqueName('member'));
    const g = await call(server.url, 'POST', '/guilds', owner.access_token, { name: 'Home LAN' });
    guildId = g.id;
    textId = g.channels.find((c: { type: number }) => c.type === 0).id;
    const code = (await call(server.url, 'POST', `/channels/${textId}/invites`, owner.access_token, {})).code;
    await call(server.url, 'POST', `/invites/${code}`, member.access_token, {});
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function menuFor(auth: Auth) {
    const ctx = await newContext(browser, { baseURL: server.url });
    await ctx.addInitScript((t) => localStorage.setItem('retrocast.auth', t), JSON.stringify(auth));
    const page = await ctx.newPage();
    await page.goto(`/channels/${guildId}/${textId}`);
    await page.getByRole('button', { name: 'Home LAN' }).click();
    await page.getByRole('menu').waitFor();
    return { ctx, page };
  }

  it('the owner finds the link in the server menu; it opens /setup', async () => {
    const { ctx, page } = await menuFor(owner);
    const link = page.getByRole('menuitem', { name: 'Invite friends on this network' });
    expect(await link.getAttribute('href')).toBe('/setup');
    await shot(page, 'lan-invite-menu-desktop');
    const [setup] = await Promise.all([ctx.waitForEvent('page'), link.click()]);
    await setup.waitForLoadState();
    expect(new URL(setup.url()).pathname).toBe('/setup');
    await setup.getByRole('heading', { name: /from another device/ }).waitFor();
    await setup.getByRole('link', { name: /Download certificate/ }).waitFor();
    await ctx.close();
  });

  it('members who do not own the server do not see it', async () => {
    const { ctx, page } = await menuFor(member);
    expect(await page.getByRole('menuitem', { name: 'Invite friends on this network' }).count()).toBe(0);
    await ctx.close();
  });

  it('screenshots /setup on a phone and a laptop, light and dark', async () => {
    for (const viewport of ['phone', 'desktop'] as const) {
      for (const dark of [false, true]) {
        const ctx = await newContext(browser, { baseURL: server.url, viewport, dark });
        const page = await ctx.newPage();
        await page.goto('/setup');
        await page.locator('.qr svg').waitFor();
        const { width, height } = VIEWPORTS[viewport];
        await shot(page, `setup-local-${viewport}-${width}x${height}${dark ? '-dark' : ''}`);
        await ctx.close();
      }
    }
  });
});
