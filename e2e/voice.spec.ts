import { createSocket } from 'node:dgram';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, launch, newContext, shot, uniqueName, VIEWPORTS } from './lib/browser';
import { startServer, type TestServer } from './lib/server';

/**
 * Voice in the web client against a real server and a real livekit-server (`npm run
 * voice:install`): two Chromium contexts with fake microphones join one voice channel.
 */
const livekit = fileURLToPath(new URL('../.cache/livekit/livekit-server', import.meta.url));
const hasLivekit = !!process.env.LIVEKIT_BIN || existsSync(livekit);
if (!hasLivekit) console.warn('voice.spec: no livekit-server (run `npm run voice:install`); skipping');

/**
 * A speech-like microphone for Chromium (--use-file-for-fake-audio-capture, looped): a 220 Hz
 * voice with harmonics, in syllables of ~250 ms. The default fake beep is too short for
 * voice-activity and LiveKit's speaker detection.
 */
function speechWav(): string {
  const rate = 48000;
  const n = rate * 4;
  const data = Buffer.alloc(44 + n * 2);
  data.write('RIFF', 0);
  data.writeUInt32LE(36 + n * 2, 4);
  data.write('WAVEfmt ', 8);
  data.writeUInt32LE(16, 16);
  data.writeUInt16LE(1, 20);
  data.writeUInt16LE(1, 22);
  data.writeUInt32LE(rate, 24);
  data.writeUInt32LE(rate * 2, 28);
  data.writeUInt16LE(2, 32);
  data.writeUInt16LE(16, 34);
  data.write('data', 36);
  data.writeUInt32LE(n * 2, 40);
  for (let i = 0; i < n; i++) {
    const t = i / rate;
    const envelope = 0.6 + 0.4 * Math.sin(2 * Math.PI * 2 * t);
    const v = Math.sin(2 * Math.PI * 220 * t) + 0.5 * Math.sin(2 * Math.PI * 440 * t) + 0.25 * Math.sin(2 * Math.PI * 660 * t);
    data.writeInt16LE(Math.round(v * envelope * 9000), 44 + i * 2);
  }
  const file = join(ARTIFACTS, 'speech.wav');
  writeFileSync(file, data);
  return file;
}

async function freePort(udp = false): Promise<number> {
  if (udp) {
    const s = createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
    const port = s.address().port;
    await new Promise<void>((r) => s.close(() => r()));
    return port;
  }
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

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
    const [port, tcp, udp] = [await freePort(), await freePort(), await freePort(true)];
    server = await startServer({
      LIVEKIT_MODE: 'auto',
      LIVEKIT_NODE_IP: '127.0.0.1',
      LIVEKIT_BIND: '127.0.0.1',
      LIVEKIT_PORT: String(port),
      LIVEKIT_TCP_PORT: String(tcp),
      LIVEKIT_UDP_PORT: String(udp),
    });
    browser = await launch([
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      `--use-file-for-fake-audio-capture=${speechWav()}`,
      '--allow-loopback-in-peer-connection',
      '--autoplay-policy=no-user-gesture-required',
    ]);
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
