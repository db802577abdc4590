import { ActivityType, Client, GatewayIntentBits } from 'discord.js';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launch, newContext, register, shot, uniqueName } from './lib/browser';
import { startServer, type TestServer } from './lib/server';

/**
 * A server owner makes a bot in User Settings → Bots, copies its token, adds it to their server
 * through the OAuth2 authorize page, and the bot's embed (sent with that token) renders.
 */
describe('bots in the web client', () => {
  let server: TestServer;
  let browser: Browser;
  let ctx: BrowserContext;
  let page: Page;
  let token = '';
  let botId = '';
  let guildUrl = '';

  beforeAll(async () => {
    server = await startServer();
    browser = await launch();
    ctx = await newContext(browser, { baseURL: server.url });
    await ctx.grantPermissions(['clipboard-read', 'clipboard-write']);
    page = await ctx.newPage();
    page.on('pageerror', (e) => console.error('pageerror:', e.message));
  });

  afterEach(async (c) => {
    if (c.task.result?.state === 'fail') await shot(page, `fail-bots-${c.task.name.replace(/\W+/g, '-')}`).catch(() => {});
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('creates a bot and copies its token', async () => {
    await register(page, uniqueName('owner'));
    await page.getByRole('button', { name: 'Create a server' }).first().click();
    await page.getByLabel('Server name').fill('Bot Lab');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.waitForURL(/\/channels\/\d+\/\d+$/);
    guildUrl = page.url();
    await page.getByRole('button', { name: 'Set status' }).click();
    await page.getByRole('menuitem', { name: 'Bots…' }).click();
    await page.getByLabel('Bot name').fill(uniqueName('dice'));
    await page.getByRole('button', { name: 'Create bot' }).click();
    token = (await page.getByTestId('bot-token').textContent())?.trim() ?? '';
    expect(token).toMatch(/^[\w-]+\.[\w-]+$/);
    await page.getByRole('button', { name: 'Copy token' }).click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(token);
    await shot(page, 'bots-settings-desktop');
    const me = await fetch(`${server.url}/api/v10/users/@me`, { headers: { authorization: `Bot ${token}` } });
    botId = (await me.json()).id;
    expect(me.status).toBe(200);
  });

  it('adds the bot to a server through the authorize page', async () => {
    await page.goto(`/oauth2/authorize?client_id=${botId}&scope=bot&permissions=${(1n << 10n) | (1n << 11n) | (1n << 14n)}`);
    await expect.poll(() => page.getByRole('button', { name: 'Authorize' }).isVisible()).toBe(true);
    await expect.poll(() => page.getByText('Send Messages').isVisible()).toBe(true);
    await shot(page, 'oauth2-authorize-desktop');
    await page.getByRole('button', { name: 'Authorize' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Added' }).isVisible()).toBe(true);
    const guilds = await (await fetch(`${server.url}/api/v10/users/@me/guilds`, { headers: { authorization: `Bot ${token}` } })).json();
    expect(guilds.map((g: { name: string }) => g.name)).toEqual(['Bot Lab']);
    const roles = await (
      await fetch(`${server.url}/api/v10/guilds/${guilds[0].id}/roles`, { headers: { authorization: `Bot ${token}` } })
    ).json();
    expect(roles.find((r: { managed: boolean }) => r.managed)).toMatchObject({
      permissions: String((1n << 10n) | (1n << 11n) | (1n << 14n)),
      tags: { bot_id: botId },
    });
  });

  it("renders the bot's embed in the message list", async () => {
    const channelId = guildUrl.split('/').pop();
    const res = await fetch(`${server.url}/api/v10/channels/${channelId}/messages`, {
      method: 'POST',
      headers: { authorization: `Bot ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        embeds: [
          {
            title: 'Dice roll',
            description: 'You rolled a 6',
            color: 0x3ba55c,
            fields: [{ name: 'd6', value: '6', inline: true }],
            footer: { text: 'dice bot' },
          },
        ],
      }),
    });
    expect(res.status).toBe(200);
    await page.goto(guildUrl);
    const embed = page.getByTestId('rich-embed');
    await expect.poll(() => embed.isVisible(), { timeout: 15_000 }).toBe(true);
    expect(await embed.textContent()).toContain('You rolled a 6');
    expect(await page.getByText('BOT', { exact: true }).first().isVisible()).toBe(true);
    await shot(page, 'bot-embed-desktop');
  });

  it("shows a discord.js bot's activity in the member list: Playing, then a custom status", async () => {
    const client = new Client({
      intents: [GatewayIntentBits.Guilds],
      presence: { activities: [{ name: 'dice', type: ActivityType.Playing }] },
      rest: { api: `${server.url}/api` },
    });
    try {
      await client.login(token);
      await page.goto(guildUrl);
      const row = page.locator(`[data-member="${botId}"]`);
      await expect.poll(() => row.locator('[data-activity]').textContent(), { timeout: 15_000 }).toBe('Playing dice');
      await expect.poll(() => page.getByTestId('rich-embed').first().isVisible(), { timeout: 15_000 }).toBe(true);
      await shot(page, 'bot-activity-desktop');
      client.user?.setPresence({ activities: [{ name: 'lofi', type: ActivityType.Listening }] });
      await expect.poll(() => row.locator('[data-activity]').textContent(), { timeout: 15_000 }).toBe('Listening to lofi');
      client.user?.setPresence({ activities: [{ name: 'Custom Status', state: 'rolling for initiative', type: ActivityType.Custom }] });
      await expect.poll(() => row.locator('[data-activity]').textContent(), { timeout: 15_000 }).toBe('rolling for initiative');
    } finally {
      await client.destroy();
    }
    // Gone offline (after the presence grace period), the line goes too.
    await expect.poll(() => page.locator(`[data-member="${botId}"] [data-activity]`).count(), { timeout: 20_000 }).toBe(0);
  });
});
