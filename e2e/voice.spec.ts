import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { newContext, shot, uniqueName, VIEWPORTS } from './lib/browser';
import { startServer, type TestServer } from './lib/server';
import { hasLivekit, launchWithMicrophone, livekitEnv } from './lib/voice';

/**
 * Voice in the web client against a real server and a real livekit-server (`npm run
 * voice:install`): two Chromium contexts with fake microphones join one voice channel.
 */
if (!hasLivekit) console.warn('voice.spec: no livekit-server (run `npm run voice:install`); skipping');

interface User {
  id: string;
  username: string;
  access_token: string;
  refresh_token: string;
}

describe.skipIf(!hasLivekit)('voice in the browser', () => {
  let server: TestServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let alice: Page;
  let bob: Page;
  let aliceUser: User;
  let bobUser: User;
  let guildId = '';
  let voiceId = '';

  async function rest<T = any>(method: string, path: string, token?: string, body?: unknown): Promise<T> {
    const res = await fetch(`${server.url}/api/v10${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.status === 204 ? (undefined as T) : res.json();
  }

  async function signUp(): Promise<User> {
    const r = await rest('POST', '/auth/register', undefined, { username: uniqueName('v'), password: 'correct horse battery' });
    return { id: r.user.id, username: r.user.username, access_token: r.access_token, refresh_token: r.refresh_token };
  }

  async function openAs(user: User, textId: string): Promise<Page> {
    const ctx = await newContext(browser, { baseURL: server.url });
    await ctx.grantPermissions(['microphone']);
    contexts.push(ctx);
    // Logged in as the REST-registered user (the UI login is covered by the chat suite).
    const auth = JSON.stringify({ access_token: user.access_token, refresh_token: user.refresh_token });
    await ctx.addInitScript((a) => {
      if (!localStorage.getItem('retrocast.auth')) localStorage.setItem('retrocast.auth', a);
    }, auth);
    const page = await ctx.newPage();
    page.on('pageerror', (e) => console.error('pageerror:', e.message));
    await page.goto(`/channels/${guildId}/${textId}`);
    await page.locator(`[data-voice-channel="${voiceId}"]`).waitFor();
    return page;
  }

  const userRow = (p: Page, userId: string) => p.locator(`[data-voice-user="${userId}"]`);
  const speaking = async (p: Page, userId: string) => (await userRow(p, userId).getAttribute('data-speaking')) === 'true';

  beforeAll(async () => {
    server = await startServer(await livekitEnv());
    browser = await launchWithMicrophone();
    aliceUser = await signUp();
    bobUser = await signUp();
    const guild = await rest('POST', '/guilds', aliceUser.access_token, { name: 'Voice Friends' });
    guildId = guild.id;
    const textId = guild.channels.find((c: { type: number }) => c.type === 0).id;
    voiceId = guild.channels.find((c: { type: number }) => c.type === 2).id;
    const invite = await rest('POST', `/channels/${textId}/invites`, aliceUser.access_token, { max_age: 0 });
    await rest('POST', `/invites/${invite.code}`, bobUser.access_token, {});
    alice = await openAs(aliceUser, textId);
    bob = await openAs(bobUser, textId);
  });

  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail') return;
    const name = ctx.task.name.replace(/\W+/g, '-');
    await shot(alice, `fail-voice-${name}-alice`).catch(() => {});
    await shot(bob, `fail-voice-${name}-bob`).catch(() => {});
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('both join the voice channel and each sees the other speaking', async () => {
    for (const p of [alice, bob]) {
      await p.locator(`[data-voice-channel="${voiceId}"]`).click();
      await p.locator('[data-voice-status="connected"]').waitFor({ timeout: 20_000 });
    }
    for (const [p, other] of [
      [alice, bobUser],
      [bob, aliceUser],
    ] as const) {
      await expect.poll(() => userRow(p, other.id).count(), { timeout: 10_000 }).toBe(1);
      // The fake microphone "speaks"; voice activity opens on it and LiveKit reports the speaker.
      await expect.poll(() => speaking(p, other.id), { timeout: 20_000, interval: 100 }).toBe(true);
    }
    await shot(alice, 'voice-desktop-1280x800');
  });

  it('self mute shows on the other side', async () => {
    await alice.getByRole('button', { name: 'Mute', exact: true }).click();
    await expect.poll(() => userRow(bob, aliceUser.id).locator('[data-icon="mute"]').count(), { timeout: 10_000 }).toBe(1);
    await alice.getByRole('button', { name: 'Unmute', exact: true }).click();
    await expect.poll(() => userRow(bob, aliceUser.id).locator('[data-icon="mute"]').count(), { timeout: 10_000 }).toBe(0);
  });

  it('push-to-talk publishes only while the key is held', async () => {
    await bob.getByRole('button', { name: 'Voice settings' }).click();
    await bob.getByLabel('Push to talk').check();
    await bob.keyboard.press('Escape');
    await bob.getByRole('dialog', { name: 'User Settings' }).waitFor({ state: 'detached' });
    const transmitting = () => bob.getByRole('button', { name: /^(Mute|Unmute)$/ }).getAttribute('data-transmitting');
    await expect.poll(transmitting, { timeout: 5000 }).toBe('false');
    // Once the mic is closed, alice stops seeing bob speak.
    await expect.poll(() => speaking(alice, bobUser.id), { timeout: 10_000 }).toBe(false);
    await bob.locator('body').click({ position: { x: 600, y: 400 } });
    await bob.keyboard.down('Space');
    await expect.poll(transmitting, { timeout: 5000 }).toBe('true');
    await expect.poll(() => speaking(alice, bobUser.id), { timeout: 15_000, interval: 100 }).toBe(true);
    await bob.keyboard.up('Space');
    await expect.poll(transmitting, { timeout: 5000 }).toBe('false');
    await expect.poll(() => speaking(alice, bobUser.id), { timeout: 10_000 }).toBe(false);
  });

  it('a moderator server-mutes from the voice user menu; per-user volume is remembered', async () => {
    await userRow(alice, bobUser.id).click();
    const volume = alice.getByRole('slider');
    await volume.fill('150');
    await expect.poll(() => alice.evaluate(() => localStorage.getItem('retrocast.voice.volumes'))).toContain('1.5');
    await alice.getByRole('menuitemcheckbox', { name: 'Server Mute' }).click();
    for (const p of [alice, bob]) {
      await expect.poll(() => userRow(p, bobUser.id).locator('[data-icon="mute"].server').count(), { timeout: 10_000 }).toBe(1);
    }
    await expect.poll(() => bob.getByRole('button', { name: /^(Mute|Unmute)$/ }).getAttribute('title')).toBe('Server muted');
    await userRow(alice, bobUser.id).click();
    await alice.getByRole('menuitemcheckbox', { name: 'Server Unmute' }).click();
    await expect.poll(() => userRow(bob, bobUser.id).locator('[data-icon="mute"]').count(), { timeout: 10_000 }).toBe(0);
  });

  it('screenshots the voice panel on a phone', async () => {
    await alice.setViewportSize(VIEWPORTS.phone);
    const menu = alice.getByRole('button', { name: /open navigation|channels|menu/i }).first();
    if (await menu.isVisible().catch(() => false)) await menu.click();
    await shot(alice, 'voice-phone-390x844');
    await alice.setViewportSize(VIEWPORTS.desktop);
  });
});
