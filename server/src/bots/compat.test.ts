import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectUser, GatewayClient } from '../test/gateway.js';
import { createGuild, join, type TestGuild } from '../test/guild-fixtures.js';
import { api, registerUser, startServer, type TestServer, type TestUser, uniqueName } from '../test/helper.js';

/**
 * What discord.py and discord.js rely on (issue 17's list), one test each, against a real server.
 * The libraries themselves run in libraries.slow.test.ts.
 */
let server: TestServer;
let owner: TestUser;
let other: TestUser;
let guild: TestGuild;
let bot: { id: string; token: string };

const raw = (method: string, path: string, body: string | undefined, headers: Record<string, string>) =>
  fetch(`${server.url}/api/v10${path}`, { method, body, headers });

beforeAll(async () => {
  // Rate limits and the presence grace period have their own suites; here they would only make the
  // tests wait (5 sends per 5 s; a closed bot session showing online for 5 s).
  server = await startServer({ env: { RATE_LIMIT_DISABLED: '1', PRESENCE_GRACE_MS: '100' } });
  owner = await registerUser(server);
  other = await registerUser(server);
  guild = await createGuild(server, owner);
  await join(server, guild, other);
  const created = await api(server, 'POST', '/users/@me/bots', { token: owner.token, body: { username: uniqueName('bot') } });
  bot = { id: created.body.user.id, token: created.body.token };
  const added = await api(server, 'POST', `/oauth2/authorize?client_id=${bot.id}&scope=bot`, {
    token: owner.token,
    body: { guild_id: guild.id, permissions: String((1n << 10n) | (1n << 11n) | (1n << 16n) | (1n << 6n) | (1n << 13n)) },
  });
  expect(added.status, JSON.stringify(added.body)).toBe(200);
});
afterAll(() => server?.close());

const asBot = () => ({ auth: `Bot ${bot.token}` });

/** POST a message (as the bot unless told). */
const botSend = (body: unknown, who: { auth?: string; token?: string } = asBot()) =>
  api(server, 'POST', `/channels/${guild.generalId}/messages`, { ...who, body });

describe('HTTP details', () => {
  it('JSON responses say exactly application/json (discord.py parses nothing else)', async () => {
    const res = await api(server, 'GET', '/users/@me', { token: owner.token });
    expect(res.headers.get('content-type')).toBe('application/json');
    const err = await api(server, 'GET', '/channels/1', { token: owner.token });
    expect(err.headers.get('content-type')).toBe('application/json');
  });

  it('a bodyless PUT/POST with any content type is no body (aiohttp sends application/octet-stream)', async () => {
    const msg = await api(server, 'POST', `/channels/${guild.generalId}/messages`, { token: owner.token, body: { content: 'react' } });
    const headers = { authorization: `Bot ${bot.token}`, 'content-type': 'application/octet-stream' };
    const put = await raw(
      'PUT',
      `/channels/${guild.generalId}/messages/${msg.body.id}/reactions/${encodeURIComponent('👍')}/@me`,
      '',
      headers,
    );
    expect(put.status).toBe(204);
    const typing = await raw('POST', `/channels/${guild.generalId}/typing`, undefined, headers);
    expect(typing.status).toBe(204);
    // A non-empty body of an unknown type is still refused.
    const bad = await raw('POST', `/channels/${guild.generalId}/messages`, 'content=hi', headers);
    expect(bad.status).toBe(415);
  });

  it('accepts snowflakes sent as JSON numbers, exactly (replies, bulk delete, DMs)', async () => {
    const first = await api(server, 'POST', `/channels/${guild.generalId}/messages`, { token: owner.token, body: { content: 'first' } });
    const body = `{"content":"reply","message_reference":{"message_id":${first.body.id},"channel_id":${guild.generalId}}}`;
    const reply = await raw('POST', `/channels/${guild.generalId}/messages`, body, {
      authorization: `Bot ${bot.token}`,
      'content-type': 'application/json',
    });
    const replyBody = await reply.json();
    expect(reply.status, JSON.stringify(replyBody)).toBe(200);
    expect(replyBody.message_reference.message_id).toBe(first.body.id);
    const dm = await raw('POST', '/users/@me/channels', `{"recipient_id": ${owner.id}}`, {
      authorization: `Bot ${bot.token}`,
      'content-type': 'application/json',
    });
    expect(dm.status).toBe(200);
    expect((await dm.json()).recipients[0].id).toBe(owner.id);
    const a = await api(server, 'POST', `/channels/${guild.generalId}/messages`, { ...asBot(), body: { content: 'a' } });
    const b = await api(server, 'POST', `/channels/${guild.generalId}/messages`, { ...asBot(), body: { content: 'b' } });
    const bulk = await raw('POST', `/channels/${guild.generalId}/messages/bulk-delete`, `{"messages":[${a.body.id},${b.body.id}]}`, {
      authorization: `Bearer ${owner.token}`,
      'content-type': 'application/json',
    });
    expect(bulk.status).toBe(204);
    expect((await api(server, 'GET', `/channels/${guild.generalId}/messages/${a.body.id}`, { token: owner.token })).status).toBe(404);
  });

  it('takes query booleans as 1/0 as well as true/false', async () => {
    for (const v of ['1', 'true']) {
      const res = await api(server, 'GET', `/guilds/${guild.id}?with_counts=${v}`, { token: owner.token });
      expect(res.status, v).toBe(200);
      expect(res.body.approximate_member_count, v).toBe(3);
    }
    for (const v of ['0', 'false']) {
      const res = await api(server, 'GET', `/guilds/${guild.id}?with_counts=${v}`, { token: owner.token });
      expect(res.status, v).toBe(200);
      expect(res.body.approximate_member_count, v).toBeUndefined();
    }
    expect((await api(server, 'GET', `/guilds/${guild.id}?with_counts=maybe`, { token: owner.token })).status).toBe(400);
  });

  it('serves the default avatars at /embed/avatars/{0-5}.png', async () => {
    const res = await fetch(`${server.url}/embed/avatars/3.png`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect((await fetch(`${server.url}/embed/avatars/6.png`)).status).toBe(404);
  });
});

describe('applications', () => {
  it('GET /oauth2/applications/@me and /applications/@me describe the calling bot', async () => {
    for (const path of ['/oauth2/applications/@me', '/applications/@me']) {
      const res = await api(server, 'GET', path, asBot());
      expect(res.status, path).toBe(200);
      expect(res.body).toMatchObject({ id: bot.id, bot: { id: bot.id, bot: true }, owner: { id: owner.id }, team: null, flags: 0 });
      expect(res.body.approximate_guild_count).toBe(1);
    }
    expect((await api(server, 'GET', '/oauth2/applications/@me', { token: owner.token })).body.code).toBe(20002);
  });

  it("a bot's READY carries application {id, flags}", async () => {
    const gw = await GatewayClient.connect(server);
    const ready = await gw.identify(`Bot ${bot.token}`, { intents: 1 });
    expect(ready.application).toEqual({ id: bot.id, flags: 0 });
    gw.close();
  });
});

describe('objects carry the fields Discord libraries read', () => {
  it('messages: components [], no nonce key when none was sent; users, members, roles, guilds', async () => {
    const msg = await api(server, 'POST', `/channels/${guild.generalId}/messages`, { token: owner.token, body: { content: 'hello' } });
    expect(msg.body.components).toEqual([]);
    expect('nonce' in msg.body).toBe(false);
    expect(msg.body.author).toMatchObject({ flags: 0, public_flags: 0, primary_guild: null });
    const member = await api(server, 'GET', `/guilds/${guild.id}/members/${other.id}`, { token: owner.token });
    expect(member.body.communication_disabled_until).toBeNull();
    const roles = await api(server, 'GET', `/guilds/${guild.id}/roles`, { token: owner.token });
    expect(roles.body[0].colors).toEqual({ primary_color: roles.body[0].color, secondary_color: null, tertiary_color: null });
    const managed = roles.body.find((r: { managed: boolean }) => r.managed);
    expect(managed.tags).toEqual({ bot_id: bot.id });
    const g = await api(server, 'GET', `/guilds/${guild.id}`, { token: owner.token });
    expect(g.body).toMatchObject({
      region: 'deprecated',
      nsfw: false,
      banner: null,
      system_channel_flags: 0,
      premium_progress_bar_enabled: false,
    });
  });

  it('reaction events carry type and burst', async () => {
    const gw = await connectUser(server, other);
    const msg = await api(server, 'POST', `/channels/${guild.generalId}/messages`, { token: owner.token, body: { content: 'r' } });
    await api(server, 'PUT', `/channels/${guild.generalId}/messages/${msg.body.id}/reactions/${encodeURIComponent('🎲')}/@me`, {
      token: owner.token,
    });
    const add = await gw.dispatch('MESSAGE_REACTION_ADD', (d) => d.message_id === msg.body.id);
    expect(add.d).toMatchObject({ type: 0, burst: false, message_author_id: owner.id });
    await api(server, 'DELETE', `/channels/${guild.generalId}/messages/${msg.body.id}/reactions/${encodeURIComponent('🎲')}/@me`, {
      token: owner.token,
    });
    const remove = await gw.dispatch('MESSAGE_REACTION_REMOVE', (d) => d.message_id === msg.body.id);
    expect(remove.d).toMatchObject({ type: 0, burst: false });
    expect(gw.schemaErrors).toEqual([]);
    gw.close();
  });

  it('attachment url and proxy_url are absolute', async () => {
    const form = new FormData();
    form.append('payload_json', JSON.stringify({ content: 'file' }));
    form.append('files[0]', new Blob([Buffer.from('hello world\n')], { type: 'text/plain' }), 'a.txt');
    const res = await fetch(`${server.url}/api/v10/channels/${guild.generalId}/messages`, {
      method: 'POST',
      body: form,
      headers: { authorization: `Bearer ${owner.token}` },
    });
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.attachments[0].url.startsWith(`${server.url}/attachments/`)).toBe(true);
    expect(body.attachments[0].proxy_url).toBe(body.attachments[0].url);
    expectRequired('MessageAttachmentResponse', body.attachments[0]);
    expect((await fetch(body.attachments[0].url)).status).toBe(200);
  });
});

describe('rich embeds', () => {
  const embed = {
    title: 'Build passed',
    description: 'All green',
    url: 'https://ci.example/1',
    color: 0x3ba55c,
    timestamp: '2026-01-02T03:04:05Z',
    fields: [{ name: 'branch', value: 'main', inline: true }],
    author: { name: 'CI', icon_url: 'https://ci.example/icon.png' },
    footer: { text: 'retrocast' },
    image: { url: 'https://ci.example/graph.png' },
    thumbnail: { url: 'https://ci.example/thumb.png' },
  };

  it('an embeds-only message is stored and returned with the embed', async () => {
    const res = await api(server, 'POST', `/channels/${guild.generalId}/messages`, { ...asBot(), body: { embeds: [embed] } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.content).toBe('');
    expect(res.body.embeds).toEqual([
      {
        ...embed,
        type: 'rich',
        timestamp: '2026-01-02T03:04:05.000+00:00',
        image: { url: embed.image.url, proxy_url: embed.image.url },
        thumbnail: { url: embed.thumbnail.url, proxy_url: embed.thumbnail.url },
      },
    ]);
    const again = await api(server, 'GET', `/channels/${guild.generalId}/messages/${res.body.id}`, { token: owner.token });
    expect(again.body.embeds).toEqual(res.body.embeds);
    const edited = await api(server, 'PATCH', `/channels/${guild.generalId}/messages/${res.body.id}`, {
      ...asBot(),
      body: { embeds: [{ title: 'Edited' }] },
    });
    expect(edited.body.embeds).toEqual([{ title: 'Edited', type: 'rich' }]);
  });

  it('refuses what Discord refuses, and stores nothing', async () => {
    const last = await botSend({ content: 'last good one' }, { token: owner.token });
    const cases: Array<[unknown, string]> = [
      [[{ title: 'x'.repeat(257) }], 'embeds.0.title'],
      [[{ description: 'x'.repeat(4097) }], 'embeds.0.description'],
      [[{ fields: Array.from({ length: 26 }, () => ({ name: 'a', value: 'b' })) }], 'embeds.0.fields'],
      [[{ fields: [{ name: '', value: 'b' }] }], 'embeds'],
      [[{ url: 'javascript:alert(1)' }], 'embeds'],
      [[{ timestamp: 'yesterday' }], 'embeds'],
      [[{ color: 0x1000000 }], 'embeds.0.color'],
      [Array.from({ length: 11 }, () => ({ title: 't' })), 'embeds'],
      [Array.from({ length: 2 }, () => ({ description: 'x'.repeat(3500) })), 'embeds'],
    ];
    for (const [embeds, path] of cases) {
      const res = await botSend({ embeds });
      expect(res.status, JSON.stringify(embeds).slice(0, 80)).toBe(400);
      expect(res.body.code).toBe(50035);
      let node = res.body.errors;
      for (const key of path.split('.')) node = node?.[key];
      expect(node, `${path}: ${JSON.stringify(res.body.errors)}`).toBeDefined();
    }
    const empty = await botSend({ embeds: [] });
    expect(empty.body.code).toBe(50006);
    const after = await api(server, 'GET', `/channels/${guild.generalId}/messages?limit=1`, { token: owner.token });
    expect(after.body[0].id).toBe(last.body.id);
  });
});

describe('routes Discord has that were missing', () => {
  it('pins under /channels/{id}/messages/pins, and the older routes still work', async () => {
    const m1 = await api(server, 'POST', `/channels/${guild.generalId}/messages`, { token: owner.token, body: { content: 'pin 1' } });
    const m2 = await api(server, 'POST', `/channels/${guild.generalId}/messages`, { token: owner.token, body: { content: 'pin 2' } });
    expect((await api(server, 'PUT', `/channels/${guild.generalId}/messages/pins/${m1.body.id}`, { token: owner.token })).status).toBe(204);
    expect((await api(server, 'PUT', `/channels/${guild.generalId}/pins/${m2.body.id}`, { token: owner.token })).status).toBe(204);
    const page = await api(server, 'GET', `/channels/${guild.generalId}/messages/pins?limit=1`, { token: owner.token });
    expect(page.status).toBe(200);
    expect(page.body.has_more).toBe(true);
    expect(page.body.items).toHaveLength(1);
    expect(page.body.items[0].message.id).toBe(m2.body.id);
    const next = await api(
      server,
      'GET',
      `/channels/${guild.generalId}/messages/pins?before=${encodeURIComponent(page.body.items[0].pinned_at)}`,
      {
        token: owner.token,
      },
    );
    expect(next.body.items.map((i: { message: { id: string } }) => i.message.id)).toEqual([m1.body.id]);
    expect(next.body.has_more).toBe(false);
    expect((await api(server, 'DELETE', `/channels/${guild.generalId}/messages/pins/${m1.body.id}`, { token: owner.token })).status).toBe(
      204,
    );
    const old = await api(server, 'GET', `/channels/${guild.generalId}/pins`, { token: owner.token });
    expect(old.body.map((m: { id: string }) => m.id)).toEqual([m2.body.id]);
    expect((await api(server, 'GET', `/channels/${guild.generalId}/messages/pins?before=soon`, { token: owner.token })).status).toBe(400);
  });

  it('PUT /channels/{id}/permissions/{overwrite_id}: the URL id wins over an id in the body', async () => {
    const body = `{"id": 1, "type": 1, "allow": "0", "deny": "2048"}`;
    const res = await raw('PUT', `/channels/${guild.generalId}/permissions/${other.id}`, body, {
      authorization: `Bearer ${owner.token}`,
      'content-type': 'application/json',
    });
    expect(res.status).toBe(204);
    const ch = await api(server, 'GET', `/channels/${guild.generalId}`, { token: owner.token });
    expect(ch.body.permission_overwrites).toContainEqual({ id: other.id, type: 1, allow: '0', deny: '2048' });
    expect(ch.body.permission_overwrites.some((o: { id: string }) => o.id === '1')).toBe(false);
    await api(server, 'DELETE', `/channels/${guild.generalId}/permissions/${other.id}`, { token: owner.token });
  });
});

describe('routes the libraries call', () => {
  it('GET /guilds/{id}/members/search (discord.js members.search): name prefix, case-insensitive, limit; members only', async () => {
    const name = (await api(server, 'GET', '/users/@me', { token: other.token })).body.username as string;
    const q = name.slice(0, 4).toUpperCase();
    const res = await api(server, 'GET', `/guilds/${guild.id}/members/search?query=${encodeURIComponent(q)}&limit=10`, asBot());
    expect(res.status).toBe(200);
    expect(res.body.map((m: { user: { id: string } }) => m.user.id)).toContain(other.id);
    const none = await api(server, 'GET', `/guilds/${guild.id}/members/search?query=${encodeURIComponent('%_zz')}&limit=10`, asBot());
    expect(none.body).toEqual([]);
    expect((await api(server, 'GET', `/guilds/${guild.id}/members/search`, asBot())).status).toBe(400);
    expect((await api(server, 'GET', `/guilds/${guild.id}/members/search?query=a&limit=0`, asBot())).status).toBe(400);
    const outsider = await registerUser(server);
    expect((await api(server, 'GET', `/guilds/${guild.id}/members/search?query=a`, { token: outsider.token })).status).toBe(404);
  });

  it('GET /guilds/{id}/roles/{role_id} (discord.js roles.fetch): one role; unknown 10011; members only', async () => {
    const res = await api(server, 'GET', `/guilds/${guild.id}/roles/${guild.id}`, asBot());
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: guild.id, name: '@everyone', managed: false });
    const unknown = await api(server, 'GET', `/guilds/${guild.id}/roles/1234567890123`, asBot());
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe(10011);
    const outsider = await registerUser(server);
    expect((await api(server, 'GET', `/guilds/${guild.id}/roles/${guild.id}`, { token: outsider.token })).status).toBe(404);
  });
});

describe('gateway', () => {
  it('relays presence activities from IDENTIFY and op 3 (a bot\'s "Playing …")', async () => {
    const watcher = await connectUser(server, other);
    const gw = await GatewayClient.connect(server);
    await gw.identify(`Bot ${bot.token}`, { intents: 1, presence: { status: 'online', activities: [{ name: 'dice', type: 0 }] } });
    const first = await watcher.dispatch('PRESENCE_UPDATE', (d) => d.user.id === bot.id && d.activities.length > 0);
    expect(first.d.activities).toEqual([expect.objectContaining({ name: 'dice', type: 0 })]);
    gw.send(3, {
      since: null,
      status: 'idle',
      afk: false,
      activities: [{ name: 'chess', type: 0, state: 'move 12', bogus: 1 }, { type: 0 }],
    });
    const second = await watcher.dispatch('PRESENCE_UPDATE', (d) => d.user.id === bot.id && d.activities[0]?.name === 'chess');
    expect(second.d.status).toBe('idle');
    expect(second.d.activities).toHaveLength(1);
    expect(second.d.activities[0]).toMatchObject({ name: 'chess', type: 0, state: 'move 12' });
    expect(second.d.activities[0].bogus).toBeUndefined();
    expect(watcher.schemaErrors).toEqual([]);
    gw.close();
    watcher.close();
  });

  it('op 8 takes numeric guild ids', async () => {
    const gw = await connectUser(server, owner);
    gw.sendRaw(`{"op":8,"d":{"guild_id":${guild.id},"query":"","limit":0,"nonce":"n1"}}`);
    const chunk = await gw.dispatch('GUILD_MEMBERS_CHUNK', (d) => d.nonce === 'n1');
    expect(chunk.d.guild_id).toBe(guild.id);
    expect(chunk.d.members.length).toBe(3);
    gw.close();
  });
});

/**
 * The REQUIRED lists of Discord's published OpenAPI document (discord/discord-api-spec, specs/openapi.json,
 * components/schemas), checked on what our real routes return. docs/discord-compat.md has the table.
 */
const REQUIRED = {
  UserResponse: ['id', 'username', 'discriminator', 'public_flags', 'flags'],
  UserPIIResponse: ['id', 'username', 'discriminator', 'public_flags', 'flags', 'mfa_enabled', 'locale'],
  GuildResponse: [
    'id',
    'name',
    'features',
    'owner_id',
    'region',
    'afk_timeout',
    'system_channel_flags',
    'widget_enabled',
    'verification_level',
    'roles',
    'default_message_notifications',
    'mfa_level',
    'explicit_content_filter',
    'premium_tier',
    'premium_subscription_count',
    'preferred_locale',
    'premium_progress_bar_enabled',
    'nsfw',
    'nsfw_level',
    'emojis',
    'stickers',
  ],
  GuildChannelResponse: ['id', 'type', 'flags', 'guild_id', 'name', 'position'],
  PrivateChannelResponse: ['id', 'type', 'flags', 'recipients'],
  MessageResponse: [
    'type',
    'content',
    'mentions',
    'mention_roles',
    'attachments',
    'embeds',
    'timestamp',
    'flags',
    'components',
    'id',
    'channel_id',
    'author',
    'pinned',
    'mention_everyone',
    'tts',
  ],
  GuildMemberResponse: ['flags', 'joined_at', 'pending', 'roles', 'user', 'mute', 'deaf'],
  GuildRoleResponse: ['id', 'name', 'permissions', 'position', 'color', 'hoist', 'managed', 'mentionable'],
  EmojiResponse: ['id', 'name', 'roles', 'require_colons', 'managed', 'animated', 'available'],
  MessageAttachmentResponse: ['id', 'filename', 'size', 'url', 'proxy_url'],
  MessageReactionResponse: ['emoji', 'count', 'count_details', 'burst_colors', 'me_burst', 'me'],
  GuildIncomingWebhookResponse: ['id', 'name', 'type'],
  GuildInviteResponse: ['code'],
  PrivateApplicationResponse: ['id', 'name', 'description', 'verify_key', 'flags', 'redirect_uris', 'owner', 'explicit_content_filter'],
} as const;

function expectRequired(name: keyof typeof REQUIRED, obj: Record<string, unknown>) {
  const missing = REQUIRED[name].filter((k) => !(k in obj) || obj[k] === undefined);
  expect(missing, `${name} lacks ${missing.join(', ')}`).toEqual([]);
}

describe("Discord's required fields, object by object (OpenAPI components)", () => {
  it('users, the current user, guilds, members, roles', async () => {
    const me = await api(server, 'GET', '/users/@me', { auth: asBot().auth });
    expectRequired('UserPIIResponse', me.body);
    const user = await api(server, 'GET', `/users/${other.id}`, { token: owner.token });
    expectRequired('UserResponse', user.body);
    expect(user.body).toMatchObject({ public_flags: 0, flags: 0, banner: null, accent_color: null, avatar_decoration_data: null });
    const g = await api(server, 'GET', `/guilds/${guild.id}?with_counts=true`, { token: owner.token });
    expectRequired('GuildResponse', g.body);
    expect(typeof g.body.approximate_member_count).toBe('number');
    const member = await api(server, 'GET', `/guilds/${guild.id}/members/${other.id}`, { auth: asBot().auth });
    expectRequired('GuildMemberResponse', member.body);
    expectRequired('UserResponse', member.body.user);
    // Added from GuildMemberResponse's properties: discord.js reads banner and avatar_decoration_data on members.
    expect(member.body).toMatchObject({ flags: 0, pending: false, banner: null, avatar_decoration_data: null });
    const list = await api(server, 'GET', `/guilds/${guild.id}/members?limit=10`, { auth: asBot().auth });
    for (const m of list.body) expect(m).toMatchObject({ banner: null, avatar_decoration_data: null });
    const roles = await api(server, 'GET', `/guilds/${guild.id}/roles`, { auth: asBot().auth });
    for (const r of roles.body) {
      expectRequired('GuildRoleResponse', r);
      expect(r.description).toBeNull();
      expect(typeof r.position).toBe('number');
    }
  });

  it('guild channels (text, voice, category) and DM channels', async () => {
    const channels = await api(server, 'GET', `/guilds/${guild.id}/channels`, { auth: asBot().auth });
    expect(channels.status).toBe(200);
    for (const c of channels.body) {
      expectRequired('GuildChannelResponse', c);
      expect(typeof c.position).toBe('number');
      // nsfw on every guild channel type, as Discord sends it
      expect(c.nsfw).toBe(false);
    }
    const text = channels.body.find((c: { id: string }) => c.id === guild.generalId);
    expect(text).toMatchObject({ rate_limit_per_user: 0, flags: 0 });
    expect(channels.body.find((c: { id: string }) => c.id === guild.voiceId)).toMatchObject({ type: 2, nsfw: false });
    expect(channels.body.find((c: { id: string }) => c.id === guild.textCategoryId)).toMatchObject({ type: 4, nsfw: false });
    const one = await api(server, 'GET', `/channels/${guild.voiceId}`, { auth: asBot().auth });
    expectRequired('GuildChannelResponse', one.body);
    expect(one.body.nsfw).toBe(false);
    const dm = await api(server, 'POST', '/users/@me/channels', { auth: asBot().auth, body: { recipient_id: owner.id } });
    expect(dm.status, JSON.stringify(dm.body)).toBe(200);
    expectRequired('PrivateChannelResponse', dm.body);
    for (const u of dm.body.recipients) expectRequired('UserResponse', u);
  });

  it('messages (sent, fetched, listed) and their authors', async () => {
    const sent = await botSend({ content: 'fields' });
    expect(sent.status).toBe(200);
    expectRequired('MessageResponse', sent.body);
    expectRequired('UserResponse', sent.body.author);
    expect(sent.body).toMatchObject({ tts: false, mention_roles: [], components: [], flags: 0, pinned: false });
    const fetched = await api(server, 'GET', `/channels/${guild.generalId}/messages/${sent.body.id}`, { auth: asBot().auth });
    expectRequired('MessageResponse', fetched.body);
    const react = await api(
      server,
      'PUT',
      `/channels/${guild.generalId}/messages/${sent.body.id}/reactions/${encodeURIComponent('👍')}/@me`,
      {
        auth: asBot().auth,
      },
    );
    expect(react.status).toBe(204);
    const reacted = await api(server, 'GET', `/channels/${guild.generalId}/messages/${sent.body.id}`, { auth: asBot().auth });
    expectRequired('MessageReactionResponse', reacted.body.reactions[0]);
    expect(reacted.body.reactions[0]).toMatchObject({ count: 1, me: true, me_burst: false, burst_colors: [] });
    const listed = await api(server, 'GET', `/channels/${guild.generalId}/messages?limit=5`, { auth: asBot().auth });
    for (const m of listed.body) expectRequired('MessageResponse', m);
  });

  it('emojis, webhooks, invites, the application', async () => {
    const image = await sharp({ create: { width: 32, height: 32, channels: 4, background: '#3366ff' } })
      .png()
      .toBuffer();
    const emoji = await api(server, 'POST', `/guilds/${guild.id}/emojis`, {
      token: owner.token,
      body: { name: 'compat_fields', image: `data:image/png;base64,${image.toString('base64')}` },
    });
    expect(emoji.status, JSON.stringify(emoji.body)).toBe(201);
    expectRequired('EmojiResponse', emoji.body);
    const hook = await api(server, 'POST', `/channels/${guild.generalId}/webhooks`, { token: owner.token, body: { name: 'fields' } });
    expect(hook.status, JSON.stringify(hook.body)).toBe(200);
    expectRequired('GuildIncomingWebhookResponse', hook.body);
    const invite = await api(server, 'GET', `/invites/${guild.invite}?with_counts=true`, { auth: asBot().auth });
    expectRequired('GuildInviteResponse', invite.body);
    const app = await api(server, 'GET', '/applications/@me', { auth: asBot().auth });
    expectRequired('PrivateApplicationResponse', app.body);
    expectRequired('UserResponse', app.body.owner);
    expect(app.body.explicit_content_filter).toBe(0);
  });

  it('GUILD_CREATE and MESSAGE_CREATE dispatches carry the same fields, schema-valid', async () => {
    const gw = await connectUser(server, other);
    const created = await gw.dispatch('GUILD_CREATE', (d) => d.id === guild.id);
    for (const m of created.d.members) expectRequired('GuildMemberResponse', m);
    for (const c of created.d.channels) expectRequired('GuildChannelResponse', { ...c, guild_id: c.guild_id ?? guild.id });
    for (const r of created.d.roles) expectRequired('GuildRoleResponse', r);
    const sent = await botSend({ content: 'dispatched' });
    const msg = await gw.dispatch('MESSAGE_CREATE', (d) => d.id === sent.body.id);
    expectRequired('MessageResponse', msg.d);
    expect(gw.schemaErrors).toEqual([]);
    gw.close();
  });
});
