import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { newContext, register, shot, uniqueName } from './lib/browser';
import { startServer, type TestServer } from './lib/server';
import { hasLivekit, launchWithMicrophone, livekitEnv } from './lib/voice';

/**
 * The web client under its Content-Security-Policy (issue 20): it loads, registers, chats,
 * refreshes its session from the HttpOnly cookie and opens voice with zero CSP violations, while
 * script injected into the page is refused.
 */
interface Violation {
  directive: string;
  blocked: string;
  sample: string;
}

describe('Content-Security-Policy in the browser', () => {
  let server: TestServer;
  let browser: Browser;
  let ctx: BrowserContext;
  let page: Page;
  const consoleCsp: string[] = [];
  let textUrl = '';
  let voiceId = '';

  const violations = () => page.evaluate(() => (window as unknown as { __csp: Violation[] }).__csp);
  const composer = () => page.getByRole('textbox', { name: /^Message #/ });

  beforeAll(async () => {
    server = await startServer(await livekitEnv());
    browser = await launchWithMicrophone({ speech: false });
    ctx = await newContext(browser, { baseURL: server.url });
    await ctx.grantPermissions(['microphone']);
    // Every violation the page reports, from before its first script runs.
    await ctx.addInitScript(() => {
      const w = window as unknown as { __csp: Violation[] };
      w.__csp = [];
      document.addEventListener('securitypolicyviolation', (e) =>
        w.__csp.push({ directive: e.effectiveDirective, blocked: e.blockedURI, sample: e.sample }),
      );
    });
    page = await ctx.newPage();
    page.on('pageerror', (e) => console.error('pageerror:', e.message));
    page.on('console', (m) => {
      if (/Content Security Policy|Content-Security-Policy/i.test(m.text())) consoleCsp.push(m.text());
    });
  });

  afterEach(async (t) => {
    if (t.task.result?.state === 'fail') await shot(page, `fail-csp-${t.task.name.replace(/\W+/g, '-')}`).catch(() => {});
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('the page is served with a script-restricting policy header', async () => {
    const res = await page.goto('/login');
    const policy = (await res?.allHeaders())?.['content-security-policy'] ?? '';
    expect(policy).toMatch(/script-src 'self' 'sha256-[A-Za-z0-9+/=]+'/);
    expect(policy).toContain("object-src 'none'");
    expect(policy).toContain("frame-ancestors 'none'");
  });

  it('registers, chats and keeps the refresh token out of reach of script', async () => {
    await register(page, uniqueName('csp'));
    // The refresh token is an HttpOnly, SameSite=Strict cookie for the refresh route only.
    const stored = await page.evaluate(() => localStorage.getItem('retrocast.auth'));
    expect(JSON.parse(stored ?? '{}')).toEqual({ access_token: expect.any(String) });
    expect(await page.evaluate(() => document.cookie)).not.toContain('retrocast_refresh');
    const cookie = (await ctx.cookies()).find((c) => c.name === 'retrocast_refresh');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/api/v10/auth/refresh' });

    await page.getByRole('button', { name: 'Create a server' }).first().click();
    await page.getByLabel('Server name').fill('Policy Friends');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.waitForURL(/\/channels\/\d+\/\d+$/);
    textUrl = new URL(page.url()).pathname;
    await composer().fill('hello under a strict policy');
    await composer().press('Enter');
    await expect.poll(() => page.getByTestId('messages').getByText('hello under a strict policy').count()).toBe(1);
    voiceId = (await page.locator('[data-voice-channel]').first().getAttribute('data-voice-channel')) ?? '';
    expect(voiceId).not.toBe('');
  });

  it('an expired access token is renewed from the cookie after a reload', async () => {
    const before = (await ctx.cookies()).find((c) => c.name === 'retrocast_refresh')?.value;
    // As if the access token had expired: the next request gets 401 and the client refreshes.
    await page.evaluate(() => localStorage.setItem('retrocast.auth', JSON.stringify({ access_token: 'expired.not.valid' })));
    await page.goto(textUrl);
    await composer().fill('still here after a refresh');
    await composer().press('Enter');
    await expect.poll(() => page.getByTestId('messages').getByText('still here after a refresh').count(), { timeout: 20_000 }).toBe(1);
    const after = (await ctx.cookies()).find((c) => c.name === 'retrocast_refresh')?.value;
    expect(after).toBeTruthy();
    expect(after).not.toBe(before); // rotated
    expect(await page.evaluate(() => JSON.parse(localStorage.getItem('retrocast.auth') ?? '{}').access_token)).not.toBe(
      'expired.not.valid',
    );
  });

  it.skipIf(!hasLivekit)('opens voice (LiveKit through /livekit) without a violation', async () => {
    await page.locator(`[data-voice-channel="${voiceId}"]`).click();
    await page.locator('[data-voice-status="connected"]').waitFor({ timeout: 30_000 });
    // Voice settings open User Settings at Voice & Audio (devices, input meter); Escape closes it.
    await page.getByRole('button', { name: 'Voice settings' }).click();
    await page.getByRole('dialog').waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
  });

  it('has seen zero CSP violations so far', async () => {
    expect(await violations()).toEqual([]);
    expect(consoleCsp).toEqual([]);
  });

  it('refuses script injected into the page: inline <script> and inline event handlers', async () => {
    await page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.__injected = "script"';
      document.body.append(s);
      const div = document.createElement('div');
      div.innerHTML = '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" onload="window.__injected = \'handler\'">';
      document.body.append(div);
    });
    await expect.poll(async () => (await violations()).length, { timeout: 5000 }).toBeGreaterThanOrEqual(2);
    expect(await page.evaluate(() => (window as unknown as { __injected?: string }).__injected)).toBeUndefined();
    const v = await violations();
    expect(v.map((x) => x.directive)).toEqual(expect.arrayContaining(['script-src-elem', 'script-src-attr']));
    expect(v.every((x) => x.blocked === 'inline')).toBe(true);
  });
});
