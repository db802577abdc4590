import { UserGuildSettings } from '@retrocast/protocol';
import { Value } from 'typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectUser, quiet } from '../test/gateway.js';
import { api, registerUser, startServer, type TestServer, type TestUser } from '../test/helper.js';
import { addMember, createGuild, createRole, giveRole, type TestGuild } from '../test/messages-fixtures.js';
import { verifyDispatch } from '../test/verify-dispatch.js';
import { decideNotify } from './decide.js';
import { decideRecipients, type MessageEvent } from './recipients.js';

let server: TestServer;
let guild: TestGuild;
let owner: TestUser;
let alice: TestUser;
let roleId: string;

beforeAll(async () => {
  server = await startServer({ env: { RATE_LIMIT_DISABLED: '1', PRESENCE_GRACE_MS: '100' } });
  guild = await createGuild(server);
  owner = guild.owner;
  alice = await addMember(server, guild.guildId);
  roleId = await createRole(server, guild.guildId, { mentionable: true, name: 'pingers' });
  await giveRole(server, guild.guildId, alice.id, roleId);
});
afterAll(async () => {
  await server?.close();
});

const settingsPath = (g: string) => `/users/@me/guilds/${g}/settings`;
const patch = (u: TestUser, g: string, body: unknown) => api(server, 'PATCH', settingsPath(g), { token: u.token, body });

async function sendAs(u: TestUser, channelId: string, content: string): Promise<MessageEvent> {
  const res = await api(server, 'POST', `/channels/${channelId}/messages`, { token: u.token, body: { content } });
  expect(res.status).toBe(200);
  return res.body;
}

async function decisionFor(userId: string, m: MessageEvent, now?: Date) {
  const all = await decideRecipients(server.app.ctx, m, now);
  const mine = all.find((r) => r.userId === userId);
  if (!mine) throw new Error('recipient missing');
  return mine;
}

describe('PATCH /users/@me/guilds/:guildId/settings', { timeout: 120_000 }, () => {
  it('defaults to the guild default, stores changes, and returns the Discord shape', async () => {
    const before = await api(server, 'GET', settingsPath(guild.guildId), { token: alice.token });
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ guild_id: guild.guildId, message_notifications: 0, muted: false, channel_overrides: [] });
    const res = await patch(alice, guild.guildId, {
      message_notifications: 1,
      suppress_everyone: true,
      channel_overrides: { [guild.channelId]: { message_notifications: 2 } },
    });
    expect(res.status).toBe(200);
    expect(Value.Check(UserGuildSettings, res.body)).toBe(true);
    expect(res.body).toMatchObject({
      message_notifications: 1,
      suppress_everyone: true,
      suppress_roles: false,
      channel_overrides: [{ channel_id: guild.channelId, message_notifications: 2, muted: false, mute_config: null }],
    });
    // Array form (some libraries) merges per channel too.
    const again = await patch(alice, guild.guildId, { channel_overrides: [{ channel_id: guild.channelId, muted: true }] });
    expect(again.body.channel_overrides).toEqual([
      {
        channel_id: guild.channelId,
        message_notifications: 2,
        muted: true,
        mute_config: { end_time: null, selected_time_window: null },
        collapsed: false,
      },
    ]);
    expect(again.body.version).toBeGreaterThan(res.body.version);
    const reset = await patch(alice, guild.guildId, {
      message_notifications: null,
      suppress_everyone: false,
      channel_overrides: { [guild.channelId]: { message_notifications: 3, muted: false } },
    });
    expect(reset.body).toMatchObject({ message_notifications: 0, suppress_everyone: false });
  });

  it('refuses bad input with 400/404 and changes nothing', async () => {
    const before = (await api(server, 'GET', settingsPath(guild.guildId), { token: alice.token })).body;
    const other = await createGuild(server);
    const cases: Array<[unknown, number, string?]> = [
      [{ message_notifications: 5 }, 400],
      [{ message_notifications: 'all' }, 400],
      [{ muted: 'yes' }, 400],
      [{ mute_config: { end_time: 'tomorrow' } }, 400],
      [{ muted: true, mute_config: { end_time: new Date(Date.now() - 60_000).toISOString() } }, 400],
      [{ channel_overrides: { [other.channelId]: { muted: true } } }, 400],
      [{ channel_overrides: { [guild.channelId]: { message_notifications: 4 } } }, 400],
      [{ suppress_roles: true, channel_overrides: [{ channel_id: '123', muted: true }] }, 400],
    ];
    for (const [body, status] of cases) {
      const res = await patch(alice, guild.guildId, body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(typeof res.body.code).toBe('number');
    }
    expect((await patch(alice, other.guildId, { muted: true })).status).toBe(404);
    expect((await patch(alice, 'nope', { muted: true })).status).toBe(400);
    expect((await api(server, 'PATCH', settingsPath(guild.guildId), { body: { muted: true } })).status).toBe(401);
    const after = (await api(server, 'GET', settingsPath(guild.guildId), { token: alice.token })).body;
    expect(after).toEqual(before);
  });

  it('reaches the other sessions (USER_GUILD_SETTINGS_UPDATE) and READY carries user_guild_settings', async () => {
    const events = await verifyDispatch(server, alice, () => patch(alice, guild.guildId, { suppress_roles: true }), [
      'USER_GUILD_SETTINGS_UPDATE',
    ]);
    expect(events.find((e) => e.t === 'USER_GUILD_SETTINGS_UPDATE')?.d).toMatchObject({ guild_id: guild.guildId, suppress_roles: true });
    const c = await connectUser(server, alice);
    const entries = c.ready.user_guild_settings.entries;
    expect(entries.find((e: { guild_id: string }) => e.guild_id === guild.guildId)).toMatchObject({ suppress_roles: true });
    for (const e of entries) expect(Value.Check(UserGuildSettings, e)).toBe(true);
    c.close(1000);
    await patch(alice, guild.guildId, { suppress_roles: false });
    // Nobody else hears about it.
    const o = await connectUser(server, owner);
    await patch(alice, guild.guildId, { suppress_roles: false });
    await quiet(200);
    expect(o.dispatches('USER_GUILD_SETTINGS_UPDATE')).toEqual([]);
    o.close(1000);
  });

  it('mutes a DM through @me (guild_id null) and refuses channels that are not the caller’s DMs', async () => {
    const dm = await api(server, 'POST', '/users/@me/channels', { token: owner.token, body: { recipient_id: alice.id } });
    expect(dm.status).toBe(200);
    const res = await patch(alice, '@me', { channel_overrides: { [dm.body.id]: { muted: true } } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ guild_id: null, channel_overrides: [{ channel_id: dm.body.id, muted: true }] });
    expect((await patch(alice, '@me', { channel_overrides: { [guild.channelId]: { muted: true } } })).status).toBe(400);
    const stranger = await registerUser(server);
    expect((await patch(stranger, '@me', { channel_overrides: { [dm.body.id]: { muted: true } } })).status).toBe(400);

    const m = await sendAs(owner, dm.body.id, 'hi there');
    expect((await decisionFor(alice.id, m)).decision).toEqual({ notify: false, why: 'channel_muted' });
    await patch(alice, '@me', { channel_overrides: { [dm.body.id]: { muted: false } } });
    expect((await decisionFor(alice.id, m)).decision).toEqual({ notify: true, mention: false });
    const c = await connectUser(server, alice);
    expect(c.ready.user_guild_settings.entries.find((e: { guild_id: null }) => e.guild_id === null)).toBeDefined();
    c.close(1000);
  });
});

describe('does a message notify (settings stored through the API, decided by the worker’s rules)', { timeout: 120_000 }, () => {
  const levels = [0, 1, 2] as const;
  /** none = inherit; a level; or a muted channel. */
  const overrides = ['none', 0, 1, 2, 'muted'] as const;

  it('every combination of level × muted × suppress_everyone × suppress_roles × channel override', async () => {
    const plain = await sendAs(owner, guild.channelId, 'just chatting');
    const everyone = await sendAs(owner, guild.channelId, 'hey @everyone');
    const direct = await sendAs(owner, guild.channelId, `hey <@${alice.id}>`);
    const role = await sendAs(owner, guild.channelId, `hey <@&${roleId}>`);
    expect(everyone.mention_everyone).toBe(true);
    expect(role.mention_roles).toEqual([roleId]);
    let checked = 0;
    for (const level of levels)
      for (const muted of [false, true])
        for (const suppressEveryone of [false, true])
          for (const suppressRoles of [false, true])
            for (const ov of overrides) {
              const res = await patch(alice, guild.guildId, {
                message_notifications: level,
                muted,
                suppress_everyone: suppressEveryone,
                suppress_roles: suppressRoles,
                channel_overrides: {
                  [guild.channelId]: { message_notifications: typeof ov === 'number' ? ov : 3, muted: ov === 'muted' },
                },
              });
              expect(res.status).toBe(200);
              const eff = typeof ov === 'number' ? ov : level;
              const silenced = muted || ov === 'muted' || eff === 2;
              const expected = {
                plain: !silenced && eff === 0,
                everyone: !silenced && (eff === 0 || !suppressEveryone),
                direct: !silenced,
                role: !silenced && (eff === 0 || !suppressRoles),
              };
              const combo = JSON.stringify({ level, muted, suppressEveryone, suppressRoles, ov });
              for (const [kind, m] of Object.entries({ plain, everyone, direct, role })) {
                const { decision } = await decisionFor(alice.id, m);
                expect(decision.notify, `${combo} ${kind}`).toBe(expected[kind as keyof typeof expected]);
                checked++;
              }
            }
    expect(checked).toBe(3 * 2 * 2 * 2 * 5 * 4);
    await patch(alice, guild.guildId, {
      message_notifications: null,
      muted: false,
      suppress_everyone: false,
      suppress_roles: false,
      channel_overrides: { [guild.channelId]: { message_notifications: 3, muted: false } },
    });
  });

  it('the guild default applies when the user chose nothing', async () => {
    const bob = await addMember(server, guild.guildId);
    const plain = await sendAs(owner, guild.channelId, 'default level');
    expect((await decisionFor(bob.id, plain)).decision.notify).toBe(true);
    const g = await api(server, 'PATCH', `/guilds/${guild.guildId}`, { token: owner.token, body: { default_message_notifications: 1 } });
    expect(g.status).toBe(200);
    expect((await decisionFor(bob.id, plain)).decision).toEqual({ notify: false, why: 'not_mentioned' });
    expect((await api(server, 'GET', settingsPath(guild.guildId), { token: bob.token })).body.message_notifications).toBe(1);
    await api(server, 'PATCH', `/guilds/${guild.guildId}`, { token: owner.token, body: { default_message_notifications: 0 } });
  });

  it('a mute with an end time expires (server clock and stored settings)', async () => {
    const direct = await sendAs(owner, guild.channelId, `ping <@${alice.id}>`);
    const end = new Date(Date.now() + 1500);
    const res = await patch(alice, guild.guildId, { muted: true, mute_config: { end_time: end.toISOString(), selected_time_window: 900 } });
    expect(res.body).toMatchObject({ muted: true, mute_config: { end_time: end.toISOString(), selected_time_window: 900 } });
    expect((await decisionFor(alice.id, direct)).decision).toEqual({ notify: false, why: 'guild_muted' });
    expect((await decisionFor(alice.id, direct, new Date(end.getTime() + 1))).decision.notify).toBe(true);
    await new Promise((r) => setTimeout(r, end.getTime() - Date.now() + 50));
    expect((await decisionFor(alice.id, direct)).decision.notify).toBe(true);
    // The wire object reads as unmuted once the end has passed.
    expect((await api(server, 'GET', settingsPath(guild.guildId), { token: alice.token })).body).toMatchObject({
      muted: false,
      mute_config: null,
    });
    // A channel mute expires the same way.
    const chEnd = new Date(Date.now() + 60_000);
    await patch(alice, guild.guildId, {
      channel_overrides: { [guild.channelId]: { muted: true, mute_config: { end_time: chEnd.toISOString() } } },
    });
    expect((await decisionFor(alice.id, direct)).decision).toEqual({ notify: false, why: 'channel_muted' });
    expect((await decisionFor(alice.id, direct, new Date(chEnd.getTime() + 1))).decision.notify).toBe(true);
    await patch(alice, guild.guildId, { channel_overrides: { [guild.channelId]: { muted: false } } });
  });

  it('Do Not Disturb silences everything; @here pings only those present', async () => {
    const direct = await sendAs(owner, guild.channelId, `ping <@${alice.id}>`);
    const here = await sendAs(owner, guild.channelId, 'hello @here');
    expect((await decisionFor(alice.id, here)).decision).toEqual({ notify: true, mention: false });
    await patch(alice, guild.guildId, { message_notifications: 1 });
    // Offline: @here is not for her.
    expect((await decisionFor(alice.id, here)).decision).toEqual({ notify: false, why: 'not_mentioned' });
    const idle = await connectUser(server, alice, { presence: { status: 'idle', since: null, activities: [], afk: true } });
    // The presence write follows READY (on Redis a moment later).
    for (let i = 0; i < 100 && (await decisionFor(alice.id, here)).status !== 'idle'; i++) await quiet(50);
    expect((await decisionFor(alice.id, here)).decision).toEqual({ notify: true, mention: true });
    idle.close(1000);
    const dnd = await connectUser(server, alice, { presence: { status: 'dnd', since: null, activities: [], afk: false } });
    for (let i = 0; i < 100 && (await decisionFor(alice.id, direct)).status !== 'dnd'; i++) await quiet(50);
    const r = await decisionFor(alice.id, direct);
    expect(r.status).toBe('dnd');
    expect(r.decision).toEqual({ notify: false, why: 'dnd' });
    dnd.close(1000);
    await quiet(300);
    expect((await decisionFor(alice.id, direct)).decision.notify).toBe(true);
    await patch(alice, guild.guildId, { message_notifications: null });
  });
});

describe('blocks', { timeout: 120_000 }, () => {
  it('a recipient who blocked the author is not notified, even when mentioned', async () => {
    const block = await api(server, 'PUT', `/users/@me/relationships/${owner.id}`, { token: alice.token, body: { type: 2 } });
    expect(block.status).toBeLessThan(300);
    const direct = await sendAs(owner, guild.channelId, `blocked? <@${alice.id}>`);
    expect((await decisionFor(alice.id, direct)).decision).toEqual({ notify: false, why: 'blocked' });
    expect((await api(server, 'DELETE', `/users/@me/relationships/${owner.id}`, { token: alice.token })).status).toBeLessThan(300);
    expect((await decisionFor(alice.id, direct)).decision.notify).toBe(true);
  });
});

describe('decideNotify (pure)', { timeout: 120_000 }, () => {
  const m = { channelId: '1', guildId: '2', guildDefault: 0, mentionsUser: true, mentionsRole: false, mentionsEveryone: false };
  const now = new Date('2026-01-01T00:00:00Z');
  it('a mute ends exactly at its end time', () => {
    const end = new Date(now.getTime() + 1000);
    expect(decideNotify({ muted: true, muteEndTime: end }, m, { now }).notify).toBe(false);
    expect(decideNotify({ muted: true, muteEndTime: end }, m, { now: new Date(end.getTime() - 1) }).notify).toBe(false);
    expect(decideNotify({ muted: true, muteEndTime: end }, m, { now: end }).notify).toBe(true);
    expect(decideNotify({ muted: true, muteEndTime: null }, m, { now: new Date('2100-01-01') }).notify).toBe(false);
  });
  it('DND and blocks win over everything', () => {
    expect(decideNotify({}, m, { now, status: 'dnd' })).toEqual({ notify: false, why: 'dnd' });
    expect(decideNotify({}, m, { now, blocked: true })).toEqual({ notify: false, why: 'blocked' });
    expect(decideNotify({}, m, { now, status: 'idle' })).toEqual({ notify: true, mention: true });
  });
  it('DMs notify on every message unless muted', () => {
    const dm = { ...m, guildId: null, mentionsUser: false };
    expect(decideNotify({ messageNotifications: 2 }, dm, { now }).notify).toBe(true);
    expect(
      decideNotify({ channelOverrides: { 1: { message_notifications: 3, muted: true, mute_end_time: null } } }, dm, { now }).notify,
    ).toBe(false);
  });
});
