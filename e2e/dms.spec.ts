import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { newContext, shot, uniqueName, type Viewport } from './lib/browser';
import { type Auth, call, registerApi } from './lib/seed';
import { startServer, type TestServer } from './lib/server';
import { hasLivekit, launchWithMicrophone, livekitEnv } from './lib/voice';

/**
 * Friends, DMs, group DMs and DM calls in the web client: three Chromium contexts (alice, bob,
 * carol) against a real server, with a real livekit-server for the call when one is built.
 */
describe('friends, DMs, group DMs and calls in the browser', () => {
  let server: TestServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const users: Record<string, Auth> = {};
  let alice: Page;
  let bob: Page;
  let carol: Page;
  let dmId = '';
  let groupId = '';

  async function openAs(name: string, path = '/channels/@me', opts: { viewport?: Viewport; dark?: boolean } = {}): Promise<Page> {
    const ctx = await newContext(browser, { baseURL: server.url, ...opts });
    await ctx.grantPermissions(['microphone']);
    contexts.push(ctx);
    const u = users[name];
    const auth = JSON.stringify({ access_token: u.access_token, refresh_token: u.refresh_token });
    await ctx.addInitScript((a) => {
      if (!localStorage.getItem('retrocast.auth')) localStorage.setItem('retrocast.auth', a);
    }, auth);
    const page = await ctx.newPage();
    page.on('pageerror', (e) => console.error(`pageerror (${name}):`, e.message));
    await page.goto(path);
    return page;
  }

  const befriend = async (a: string, b: string) => {
    await call(server.url, 'PUT', `/users/@me/relationships/${users[b].user.id}`, users[a].access_token, {});
    await call(server.url, 'PUT', `/users/@me/relationships/${users[a].user.id}`, users[b].access_token, {});
  };

  beforeAll(async () => {
    server = await startServer(await livekitEnv());
    browser = await launchWithMicrophone();
    for (const n of ['alice', 'bob', 'carol']) users[n] = await registerApi(server.url, uniqueName(n));
    alice = await openAs('alice');
    bob = await openAs('bob');
    carol = await openAs('carol');
  });

  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail') return;
    const name = ctx.task.name.replace(/\W+/g, '-').slice(0, 40);
    for (const [who, p] of [
      ['alice', alice],
      ['bob', bob],
      ['carol', carol],
    ] as const)
      await shot(p, `fail-dms-${name}-${who}`).catch(() => {});
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('adds a friend by username; the other accepts', async () => {
    // The empty state suggests servers only to someone who has none.
    await alice.getByText('No friends yet. Add one by username, or create or join a server to meet people.').waitFor();
    await call(server.url, 'POST', '/guilds', users.carol.access_token, { name: 'Carol Club' });
    await carol.getByText('No friends yet. Add one by username, or say hi in Carol Club.').waitFor();
    await carol.getByRole('button', { name: 'Go to Carol Club' }).waitFor();
    await alice.getByRole('button', { name: 'Add Friend' }).click();
    await alice.getByLabel('Username').fill('nobody_here_zz');
    await alice.getByRole('button', { name: 'Send Friend Request' }).click();
    await alice
      .getByRole('status')
      .getByText(/double check/i)
      .waitFor();
    await alice.getByLabel('Username').fill(users.bob.user.username);
    await alice.getByRole('button', { name: 'Send Friend Request' }).click();
    await alice
      .getByRole('status')
      .getByText(/Success/)
      .waitFor();
    await alice.getByRole('button', { name: /^Pending/ }).click();
    await alice.locator(`[data-friend="${users.bob.user.username}"]`).getByText('Outgoing friend request').waitFor();

    await bob.getByRole('button', { name: /^Pending/ }).click();
    await bob.getByRole('button', { name: `Accept ${users.alice.user.username}` }).click();
    await bob.getByRole('button', { name: 'All', exact: true }).click();
    await bob.locator(`[data-friend="${users.alice.user.username}"]`).waitFor();
    await alice.getByRole('button', { name: 'Online', exact: true }).click();
    await alice.locator(`[data-friend="${users.bob.user.username}"]`).getByText('Online').waitFor();
  });

  it('a DM arrives with an unread badge on Home and survives a reload', async () => {
    await alice.getByRole('button', { name: `Message ${users.bob.user.username}` }).click();
    await alice.waitForURL(/\/channels\/@me\/\d+$/);
    dmId = alice.url().split('/').pop() as string;
    await alice.getByRole('textbox').fill('hello bob');
    await alice.keyboard.press('Enter');
    await alice.getByText('hello bob').waitFor();

    await bob.getByTestId('home-badge').getByText('1').waitFor();
    const row = bob.locator(`[data-dm="${dmId}"]`);
    await row.getByTestId('dm-badge').getByText('1').waitFor();
    await row.click();
    await bob.getByText('hello bob').waitFor();
    await expect.poll(() => bob.getByTestId('home-badge').count()).toBe(0);
    await bob.reload();
    await bob.getByText('hello bob').waitFor();
    expect(bob.url()).toMatch(new RegExp(`/channels/@me/${dmId}$`));
  });

  it('a group DM is created, renamed, and a removed member no longer sees new messages', async () => {
    await befriend('alice', 'carol');
    await alice.goto('/channels/@me');
    await alice.getByRole('button', { name: 'Create DM' }).click();
    await alice.getByLabel(`Pick ${users.bob.user.username}`).check();
    await alice.getByLabel(`Pick ${users.carol.user.username}`).check();
    await alice.getByRole('button', { name: 'Create Group DM' }).click();
    await alice.waitForURL(/\/channels\/@me\/\d+$/);
    groupId = alice.url().split('/').pop() as string;
    await alice.getByTestId('dm-title').click();
    await alice.getByLabel('Group name').fill('Weekend Plans');
    await alice.keyboard.press('Enter');
    await alice.getByText('changed the channel name: Weekend Plans').waitFor();
    for (const p of [bob, carol]) await p.locator(`[data-dm="${groupId}"]`).getByText('Weekend Plans').waitFor();
    await carol.locator(`[data-dm="${groupId}"]`).click();
    await carol.getByText('changed the channel name: Weekend Plans').waitFor();

    await alice.getByRole('button', { name: `Remove ${users.carol.user.username} from group` }).click();
    await alice.getByText(`removed ${users.carol.user.username} from the group`).waitFor();
    // Carol is taken out of the group view and it leaves her DM list.
    await carol.waitForURL(/\/channels\/@me$/);
    await expect.poll(() => carol.locator(`[data-dm="${groupId}"]`).count()).toBe(0);
    await alice.getByRole('textbox').fill('carol cannot read this');
    await alice.keyboard.press('Enter');
    await bob.locator(`[data-dm="${groupId}"]`).click();
    await bob.getByText('carol cannot read this').waitFor();
    await carol.goto(`/channels/@me/${groupId}`);
    await carol.waitForURL(/\/channels\/@me$/);
    expect(await carol.getByText('carol cannot read this').count()).toBe(0);
  });

  it.skipIf(!hasLivekit)('a call rings the other browser, is accepted, and both see each other speaking', async () => {
    await alice.goto(`/channels/@me/${dmId}`);
    await bob.goto('/channels/@me');
    await alice.getByRole('button', { name: 'Start call' }).click();
    const overlay = bob.getByTestId('incoming-call');
    await overlay.waitFor({ timeout: 20_000 });
    await shot(bob, 'dms-incoming-call-live');
    await overlay.getByRole('button', { name: 'Accept' }).click();
    await bob.waitForURL(new RegExp(`/channels/@me/${dmId}$`));
    for (const [p, other] of [
      [alice, users.bob],
      [bob, users.alice],
    ] as const) {
      const tile = p.getByTestId('call-panel').locator(`[data-user="${other.user.id}"]`);
      await tile.waitFor({ timeout: 20_000 });
      await expect.poll(() => tile.getAttribute('data-speaking'), { timeout: 25_000, interval: 100 }).toBe('true');
    }
    await shot(alice, 'dms-call-desktop-1280x800');
    await alice.getByRole('button', { name: 'Hang up' }).click();
    await bob.getByRole('button', { name: 'Hang up' }).click();
    await bob.getByText(/started a call that lasted/).waitFor({ timeout: 15_000 });
  });

  it('screenshots: Friends, DM list, group DM and the incoming call, phone and desktop, light and dark', async () => {
    for (const viewport of ['desktop', 'phone'] as const) {
      for (const dark of [false, true]) {
        const tag = `${viewport === 'phone' ? '390x844' : '1280x800'}-${dark ? 'dark' : 'light'}`;
        const p = await openAs('alice', '/channels/@me', { viewport, dark });
        await p.getByRole('button', { name: 'All', exact: true }).click();
        await p.locator(`[data-friend="${users.bob.user.username}"]`).waitFor();
        await shot(p, `dms-friends-${tag}`);
        if (viewport === 'phone') {
          await p.getByRole('button', { name: 'Open channels' }).click();
          await p.locator(`[data-dm="${groupId}"]`).waitFor();
          await p.waitForTimeout(400);
        }
        await shot(p, `dms-list-${tag}`);
        await p.goto(`/channels/@me/${groupId}`);
        await p.getByText('carol cannot read this').waitFor();
        await shot(p, `dms-group-${tag}`);

        if (hasLivekit) {
          // A fresh caller for each shot: their REST join rings bob's freshly opened page.
          const caller = uniqueName('dave');
          users[caller] = await registerApi(server.url, caller);
          await befriend(caller, 'bob');
          const b = await openAs('bob', '/channels/@me', { viewport, dark });
          await b.getByRole('button', { name: 'All', exact: true }).waitFor();
          const dm = await call(server.url, 'POST', '/users/@me/channels', users[caller].access_token, { recipient_id: users.bob.user.id });
          await call(server.url, 'POST', `/channels/${dm.id}/voice/join`, users[caller].access_token, {});
          await b.getByTestId('incoming-call').waitFor({ timeout: 15_000 });
          await shot(b, `dms-incoming-call-${tag}`);
          await b.getByRole('button', { name: 'Decline' }).click();
          await expect.poll(() => b.getByTestId('incoming-call').count()).toBe(0);
          await b.context().close();
        }
        await p.context().close();
      }
    }
  });
});
