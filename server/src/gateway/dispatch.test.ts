import { DispatchEvents, Permissions } from '@retrocast/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectUser, createGuildWith } from '../test/gateway.js';
import { api, registerUser, startServer, type TestServer, type TestUser } from '../test/helper.js';
import { verifiedEvents, verifyDispatch } from '../test/verify-dispatch.js';

let server: TestServer;
let owner: TestUser;
let member: TestUser;
let guildId: string;
let general: string;

beforeAll(async () => {
  server = await startServer({ env: { RATE_LIMIT_DISABLED: '1', PRESENCE_GRACE_MS: '100' } });
  [owner, member] = await Promise.all([registerUser(server), registerUser(server)]);
  const g = await createGuildWith(server, owner, [member]);
  guildId = g.guild.id;
  general = g.general.id;
});
afterAll(async () => {
  await server?.close();
});

const as = (u: TestUser, method: string, path: string, body?: unknown) => async () => {
  const res = await api(server, method, path, { token: u.token, body });
  expect(res.status).toBeLessThan(300);
  return res.body;
};

describe('dispatches keep a client in sync (verifyDispatch)', () => {
  it('GUILD_UPDATE', () => verifyDispatch(server, member, as(owner, 'PATCH', `/guilds/${guildId}`, { name: 'Renamed' }), ['GUILD_UPDATE']));

  it('CHANNEL_CREATE, CHANNEL_UPDATE, CHANNEL_DELETE', async () => {
    let id = '';
    await verifyDispatch(
      server,
      member,
      async () => (id = (await as(owner, 'POST', `/guilds/${guildId}/channels`, { name: 'new', type: 0 })()).id),
      ['CHANNEL_CREATE'],
    );
    await verifyDispatch(server, member, as(owner, 'PATCH', `/channels/${id}`, { topic: 'a topic' }), ['CHANNEL_UPDATE']);
    await verifyDispatch(server, member, as(owner, 'DELETE', `/channels/${id}`), ['CHANNEL_DELETE']);
  });

  it('losing and regaining sight of a channel (CHANNEL_DELETE / CHANNEL_CREATE from an overwrite)', async () => {
    const VIEW = Permissions.VIEW_CHANNEL.toString();
    await verifyDispatch(server, member, as(owner, 'PUT', `/channels/${general}/permissions/${member.id}`, { type: 1, deny: VIEW }), [
      'CHANNEL_DELETE',
    ]);
    await verifyDispatch(server, member, as(owner, 'DELETE', `/channels/${general}/permissions/${member.id}`), ['CHANNEL_CREATE']);
  });

  it('GUILD_ROLE_CREATE, GUILD_ROLE_UPDATE, GUILD_MEMBER_UPDATE, GUILD_ROLE_DELETE', async () => {
    let roleId = '';
    await verifyDispatch(
      server,
      member,
      async () => (roleId = (await as(owner, 'POST', `/guilds/${guildId}/roles`, { name: 'mods' })()).id),
      ['GUILD_ROLE_CREATE'],
    );
    await verifyDispatch(server, member, as(owner, 'PATCH', `/guilds/${guildId}/roles/${roleId}`, { color: 255 }), ['GUILD_ROLE_UPDATE']);
    await verifyDispatch(server, member, as(owner, 'PUT', `/guilds/${guildId}/members/${member.id}/roles/${roleId}`), [
      'GUILD_MEMBER_UPDATE',
    ]);
    await verifyDispatch(server, member, as(owner, 'DELETE', `/guilds/${guildId}/roles/${roleId}`), ['GUILD_ROLE_DELETE']);
  });

  it('GUILD_MEMBER_ADD and GUILD_MEMBER_REMOVE; GUILD_CREATE and GUILD_DELETE for the one joining and leaving', async () => {
    const newcomer = await registerUser(server);
    const inv = await as(owner, 'POST', `/channels/${general}/invites`, {})();
    await verifyDispatch(server, member, as(newcomer, 'POST', `/invites/${inv.code}`), ['GUILD_MEMBER_ADD']);
    await verifyDispatch(server, member, as(owner, 'DELETE', `/guilds/${guildId}/members/${newcomer.id}`), ['GUILD_MEMBER_REMOVE']);
    await verifyDispatch(server, newcomer, as(newcomer, 'POST', `/invites/${inv.code}`), ['GUILD_CREATE']);
    await verifyDispatch(server, newcomer, as(newcomer, 'DELETE', `/users/@me/guilds/${guildId}`), ['GUILD_DELETE']);
  });

  it('presences follow joins and leaves (the joiner shows at once; none kept for users no longer shared)', async () => {
    const newcomer = await registerUser(server);
    const inv = await as(owner, 'POST', `/channels/${general}/invites`, {})();
    const o = await connectUser(server, owner);
    const n = await connectUser(server, newcomer, { presence: { status: 'dnd', since: null, activities: [], afk: false } });
    const events = await verifyDispatch(server, member, as(newcomer, 'POST', `/invites/${inv.code}`), [
      'GUILD_MEMBER_ADD',
      'PRESENCE_UPDATE',
    ]);
    expect(events.find((f) => f.t === 'PRESENCE_UPDATE')?.d).toMatchObject({ user: { id: newcomer.id }, guild_id: guildId, status: 'dnd' });
    await verifyDispatch(server, member, as(owner, 'DELETE', `/guilds/${guildId}/members/${newcomer.id}`), ['GUILD_MEMBER_REMOVE']);
    await verifyDispatch(server, newcomer, as(newcomer, 'POST', `/invites/${inv.code}`), ['GUILD_CREATE'], n);
    await verifyDispatch(server, newcomer, as(newcomer, 'DELETE', `/users/@me/guilds/${guildId}`), ['GUILD_DELETE'], n);
    o.close(1000);
    n.close(1000);
  });

  it('PRESENCE_UPDATE', async () => {
    let other: Awaited<ReturnType<typeof connectUser>> | undefined;
    await verifyDispatch(server, member, async () => (other = await connectUser(server, owner)), ['PRESENCE_UPDATE']);
    await verifyDispatch(server, member, async () => other?.send(3, { status: 'idle', since: null, activities: [], afk: true }), [
      'PRESENCE_UPDATE',
    ]);
    await verifyDispatch(server, member, async () => other?.close(1000), ['PRESENCE_UPDATE']);
  });

  it('USER_UPDATE to the user, GUILD_MEMBER_UPDATE to everyone sharing a guild', async () => {
    await verifyDispatch(server, member, as(member, 'PATCH', '/users/@me', { display_name: 'Renamed Member' }), ['USER_UPDATE']);
    const events = await verifyDispatch(server, owner, as(member, 'PATCH', '/users/@me', { display_name: 'Again' }), [
      'GUILD_MEMBER_UPDATE',
    ]);
    expect(events.find((f) => f.t === 'GUILD_MEMBER_UPDATE')?.d).toMatchObject({
      guild_id: guildId,
      user: { id: member.id, global_name: 'Again' },
    });
    expect(events.some((f) => f.t === 'USER_UPDATE')).toBe(false);
  });

  it('MESSAGE_ACK', async () => {
    const msg = await as(owner, 'POST', `/channels/${general}/messages`, { content: 'read me' })();
    await verifyDispatch(server, member, as(member, 'POST', `/channels/${general}/messages/${msg.id}/ack`, {}), ['MESSAGE_ACK']);
  });

  it('RESUME replays what makes the state whole again', async () => {
    const c = await connectUser(server, member);
    c.drop();
    await as(owner, 'PATCH', `/guilds/${guildId}`, { name: 'While away' })();
    await as(owner, 'POST', `/guilds/${guildId}/channels`, { name: 'away', type: 0 })();
    const { GatewayClient } = await import('../test/gateway.js');
    const r = await GatewayClient.connect(server);
    await r.waitFor((f) => f.op === 10);
    await verifyDispatch(
      server,
      member,
      async () => r.send(6, { token: member.token, session_id: c.sessionId, seq: c.seq }),
      ['RESUMED'],
      Object.assign(r, { frames: [...c.frames] }) as typeof r,
    );
    r.close(1000);
  });
});

describe('coverage', () => {
  /** Events a READY snapshot cannot show (history, ephemeral or moderation-only state); other suites test them. */
  const notState = [
    'READY',
    'RESUMED',
    'MESSAGE_CREATE',
    'MESSAGE_UPDATE',
    'MESSAGE_DELETE',
    'MESSAGE_DELETE_BULK',
    'TYPING_START',
    'GUILD_MEMBERS_CHUNK',
    'INVITE_CREATE',
    'INVITE_DELETE',
    'GUILD_BAN_ADD',
    'GUILD_BAN_REMOVE',
    'GUILD_AUDIT_LOG_ENTRY_CREATE',
    'CHANNEL_PINS_UPDATE',
    // DM calls are live state, like voice: not in READY (calls/calls.test.ts covers them).
    'CALL_CREATE',
    'CALL_UPDATE',
    'CALL_DELETE',
  ];
  /** State events whose verifyDispatch test lives in their domain's suite. */
  const elsewhere: Record<string, string> = {
    GUILD_EMOJIS_UPDATE: 'emojis/emojis.test.ts',
    USER_GUILD_SETTINGS_UPDATE: 'notifications/settings.test.ts',
    RELATIONSHIP_ADD: 'relationships/relationships.test.ts',
    RELATIONSHIP_REMOVE: 'relationships/relationships.test.ts',
    CHANNEL_RECIPIENT_ADD: 'dms/group-dms.test.ts',
    CHANNEL_RECIPIENT_REMOVE: 'dms/group-dms.test.ts',
  };
  it('every state-changing dispatch in protocol/ has a verifyDispatch test above', () => {
    const owners = Object.keys(DispatchEvents).filter(
      (t) => !notState.includes(t) && !elsewhere[t] && !t.startsWith('VOICE_') && !t.startsWith('MESSAGE_REACTION'),
    );
    expect(owners.filter((t) => !verifiedEvents.has(t))).toEqual([]);
  });
});
