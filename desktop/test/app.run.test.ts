/**
 * The built desktop app, for real: under Xvfb, driven through WebKitWebDriver, against a real
 * server on 127.0.0.1. It shows the picker, connects, logs in, shows a channel, and the global
 * shortcuts (synthetic X key events) reach the web client's voice code through the bridge; a
 * mention reaches the shell; a second launch with a `retrocast://invite/…` link is handed to the
 * first instance. Screenshots go to e2e/artifacts/.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Auth, call, registerApi } from '../../e2e/lib/seed';
import { startServer, type TestServer } from '../../e2e/lib/server';
import { GatewayClient } from '../../server/src/test/gateway';
import { artifacts, binary, launchApp, type RunningApp } from './app';
import type { Driver } from './webdriver';
import { key, screenshot } from './x11';

describe('desktop app under Xvfb', () => {
  let app: RunningApp;
  let driver: Driver;
  let server: TestServer;
  let alice: Auth;
  let bob: Auth;
  let guildId: string;
  let channelId: string;
  let inviteCode: string;
  let bobGateway: GatewayClient;

  const bridgeSent = (type: string) =>
    driver.script(`return window.__RETROCAST_DESKTOP__ ? window.__RETROCAST_DESKTOP__.lastSent(${JSON.stringify(type)}) : null`);

  beforeAll(async () => {
    server = await startServer();
    const tag = Date.now().toString(36).slice(-5);
    alice = await registerApi(server.url, `alice_${tag}`);
    bob = await registerApi(server.url, `bob_${tag}`);
    const guild = await call(server.url, 'POST', '/guilds', alice.access_token, { name: 'Desktop Den' });
    guildId = guild.id;
    const channels = await call<{ id: string; type: number }[]>(server.url, 'GET', `/guilds/${guildId}/channels`, alice.access_token);
    channelId = channels.find((c) => c.type === 0)?.id as string;
    inviteCode = (await call(server.url, 'POST', `/channels/${channelId}/invites`, alice.access_token, {})).code;
    await call(server.url, 'POST', `/invites/${inviteCode}`, bob.access_token, {});
    await call(server.url, 'POST', `/channels/${channelId}/messages`, bob.access_token, { content: 'Welcome to the desktop app!' });
    bobGateway = await GatewayClient.connect(server);
    await bobGateway.identify(bob.access_token);

    app = await launchApp();
    driver = app.driver;
  });

  afterAll(async () => {
    bobGateway?.drop();
    await app?.stop();
    await server?.stop();
  });

  it('shows the server picker on first run', async () => {
    await driver.find('#address');
    expect(await driver.url()).toMatch(/^tauri:\/\/localhost/);
    await driver.until('the LAN section to settle', async () =>
      (await driver.script<string>("return document.getElementById('lan-status').textContent")).includes('turned off'),
    );
    writeFileSync(join(artifacts, 'desktop-picker.png'), await driver.screenshot());
    await screenshot(app.display.name, join(artifacts, 'desktop-picker-screen.png'));
    // The picker page is not the server: no bridge object there.
    expect(await driver.script('return typeof window.__RETROCAST_DESKTOP__')).toBe('undefined');
  });

  it('connects to a typed address, remembers it, and the web client loads from the server', async () => {
    await driver.type('#address', server.url);
    await driver.type('#name', 'Test box');
    await driver.click('#manual button[type=submit]');
    await driver.until('the server page', async () => (await driver.url()).startsWith(server.url));
    const saved = JSON.parse(readFileSync(join(app.configDir, 'settings.json'), 'utf8'));
    expect(saved.current).toBe(server.url);
    expect(saved.servers).toEqual([expect.objectContaining({ url: server.url, name: 'Test box' })]);
    // Not logged in yet: the server's own login page.
    await driver.find('input[name=username]');
  });

  it('logs in through WebDriver and the server sees its gateway session', async () => {
    await driver.type('input[name=username]', alice.user.username);
    await driver.type('input[name=password]', 'correct horse battery');
    await driver.click('form button[type=submit]');
    await driver.until('the channels view', async () => (await driver.url()).includes('/channels/'));
    // Alice's app opened a gateway session: Bob is told she is online.
    const presence = await bobGateway.dispatch('PRESENCE_UPDATE', (d) => d.user?.id === alice.user.id && d.status === 'online', 60_000);
    expect(presence.d.guild_id).toBe(guildId);
    await driver.cmd('POST', '/url', { url: `${server.url}/channels/${guildId}/${channelId}` });
    await driver.until('the message list', async () =>
      (await driver.script<string>('return document.body.innerText')).includes('Welcome to the desktop app!'),
    );
    // The web client found the shell and said hello over IPC (the call resolved: the origin is allowed).
    await driver.until('the bridge hello', () => bridgeSent('hello'));
    await new Promise((r) => setTimeout(r, 1000));
    writeFileSync(join(artifacts, 'desktop-channel.png'), await driver.screenshot());
    await screenshot(app.display.name, join(artifacts, 'desktop-channel-screen.png'));
  });

  it('global push-to-talk press and release, and global mute, reach the voice client', async () => {
    await driver.script("localStorage.setItem('retrocast.voice.settings', JSON.stringify({ mode: 'ptt' })); location.reload();");
    await driver.until('the bridge after reload', () => bridgeSent('hello'));
    await driver.until('the initial voice state', () => bridgeSent('voice_state'));
    expect((await bridgeSent('voice_state')).ptt_held).toBe(false);
    await key(app.display.name, 'keydown', 'F8');
    await driver.until('PTT held', async () => (await bridgeSent('voice_state'))?.ptt_held === true, 15_000);
    await key(app.display.name, 'keyup', 'F8');
    await driver.until('PTT released', async () => (await bridgeSent('voice_state'))?.ptt_held === false, 15_000);
    await key(app.display.name, 'key', 'ctrl+shift+m');
    await driver.until('muted', async () => (await bridgeSent('voice_state'))?.self_mute === true, 15_000);
    await key(app.display.name, 'key', 'ctrl+shift+d');
    await driver.until('deafened', async () => (await bridgeSent('voice_state'))?.self_deaf === true, 15_000);
  });

  it('an unread mention reaches the shell (tray badge)', async () => {
    // Away from the channel so the mention stays unread.
    await driver.cmd('POST', '/url', { url: `${server.url}/channels/@me` });
    await driver.until('the bridge', () => bridgeSent('hello'));
    await call(server.url, 'POST', `/channels/${channelId}/messages`, bob.access_token, { content: `hey <@${alice.user.id}>, ping` });
    await driver.until('one unread mention', async () => (await bridgeSent('unread'))?.mentions === 1, 20_000);
  });

  it('a second launch hands its invite link to the first instance and exits', async () => {
    const second = spawn(binary, [`retrocast://invite/${inviteCode}`], { env: app.env, stdio: 'ignore' });
    const code = await new Promise<number | null>((resolve) => second.once('exit', resolve));
    expect(code).toBe(0);
    await driver.until('the invite page', async () => (await driver.url()).endsWith(`/invite/${inviteCode}`), 20_000);
  });
});
