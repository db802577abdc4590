import { DEFAULT_EVERYONE_PERMISSIONS, Permissions } from '@retrocast/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadReadStates } from '../read-states/store.js';
import { connectUser, quiet as settle } from '../test/gateway.js';
import { expectValidDispatches } from '../test/guild-fixtures.js';
import { api, registerUser, startServer, type TestServer, type TestUser } from '../test/helper.js';
import {
  addMember,
  createGuild,
  createRole,
  createTextChannel,
  giveRole,
  recordEvents,
  send,
  setOverwrite,
  type TestGuild,
} from '../test/messages-fixtures.js';
import { parseMentions } from './mentions.js';

let server: TestServer;
let g: TestGuild;
let alice: TestUser;
let bob: TestUser;
beforeAll(async () => {
  server = await startServer({ env: { RATE_LIMIT_DISABLED: '1' } });
  g = await createGuild(server);
  alice = await addMember(server, g.guildId);
  bob = await addMember(server, g.guildId);
});
afterAll(() => server?.close());

const ids = (users: { id: string }[]) => users.map((u) => u.id).sort();
const mentionCount = async (user: TestUser, channelId: string) =>
  (await loadReadStates(server.app.ctx.db, user.id)).find((r) => r.id === channelId)?.mention_count ?? 0;

describe('parseMentions', () => {
  it('finds every form once', () => {
    expect(parseMentions('<@1> <@!2> <@1> <@&3> @here')).toEqual({ users: ['1', '2'], roles: ['3'], everyone: true, here: true });
    expect(parseMentions('@here and @everyone')).toEqual({ users: [], roles: [], everyone: true, here: false });
    expect(parseMentions('mail@everyone.com is not @ everyone <@abc> <@!>')).toEqual({ users: [], roles: [], everyone: true, here: false });
    expect(parseMentions('plain text')).toEqual({ users: [], roles: [], everyone: false, here: false });
    // Out of BIGINT range: not an id at all.
    expect(parseMentions('<@9999999999999999999> <@&9223372036854775808>')).toEqual({
      users: [],
      roles: [],
      everyone: false,
      here: false,
    });
  });
});

describe('mentions on send', () => {
  it('resolves <@id>, <@!id> and drops unknown users', async () => {
    const res = await send(server, alice, g.channelId, {
      content: `hi <@${bob.id}> and <@!${g.owner.id}> and <@123456> <@9999999999999999999> <@&9999999999999999999>`,
    });
    expect(res.status).toBe(200);
    expect(ids(res.body.mentions)).toEqual([bob.id, g.owner.id].sort());
    expect(res.body.mentions.find((u: { id: string }) => u.id === bob.id)).toMatchObject({ username: bob.username });
    expect(res.body.mention_everyone).toBe(false);
  });

  it('role mentions ping only when mentionable or the author may mention everyone', async () => {
    const quiet = await createRole(server, g.guildId, { mentionable: false });
    const loud = await createRole(server, g.guildId, { mentionable: true });
    const noEveryone = await addMember(server, g.guildId);
    await setOverwrite(server, g.channelId, noEveryone.id, 1, 0n, Permissions.MENTION_EVERYONE);
    const byMember = await send(server, noEveryone, g.channelId, { content: `<@&${quiet}> <@&${loud}> <@&999>` });
    expect(byMember.body.mention_roles).toEqual([loud]);
    const byOwner = await send(server, g.owner, g.channelId, { content: `<@&${quiet}> <@&${loud}>` });
    expect(byOwner.body.mention_roles.sort()).toEqual([quiet, loud].sort());
  });

  it('@everyone / @here ping only with MENTION_EVERYONE', async () => {
    const member = await addMember(server, g.guildId);
    expect((await send(server, member, g.channelId, { content: '@everyone hello' })).body.mention_everyone).toBe(true);
    expect((await send(server, member, g.channelId, { content: '@here hello' })).body.mention_everyone).toBe(true);
    await setOverwrite(server, g.channelId, member.id, 1, 0n, Permissions.MENTION_EVERYONE);
    const denied = await send(server, member, g.channelId, { content: '@everyone hello' });
    expect(denied.status).toBe(200);
    expect(denied.body.mention_everyone).toBe(false);
    expect(denied.body.content).toBe('@everyone hello');
  });

  it('@here raises mention counts of online, idle and dnd members only', async () => {
    const [online, idle, dnd, invisible, offline] = await Promise.all([1, 2, 3, 4, 5].map(() => addMember(server, g.guildId)));
    const as = (status: string) => ({ presence: { status, since: null, activities: [], afk: false } });
    const conns = await Promise.all([
      connectUser(server, online),
      connectUser(server, idle, as('idle')),
      connectUser(server, dnd, as('dnd')),
      connectUser(server, invisible, as('invisible')),
    ]);
    await settle(200);
    const everyone = [online, idle, dnd, invisible, offline];
    const before = await Promise.all(everyone.map((u) => mentionCount(u, g.channelId)));
    const res = await send(server, g.owner, g.channelId, { content: `@here <@${offline.id}> look` });
    expect(res.body.mention_everyone).toBe(true);
    const after = await Promise.all(everyone.map((u) => mentionCount(u, g.channelId)));
    // The offline member is still pinged by name; the invisible one is not pinged at all.
    expect(after.map((n, i) => n - before[i])).toEqual([1, 1, 1, 0, 1]);
    await send(server, g.owner, g.channelId, { content: '@everyone look' });
    const all = await Promise.all(everyone.map((u) => mentionCount(u, g.channelId)));
    expect(all.map((n, i) => n - after[i])).toEqual([1, 1, 1, 1, 1]);
    for (const c of conns) c.close(1000);
  });

  it('honours allowed_mentions', async () => {
    const role = await createRole(server, g.guildId, { mentionable: true });
    const content = `<@${alice.id}> <@${bob.id}> <@&${role}> @everyone`;
    const none = await send(server, g.owner, g.channelId, { content, allowed_mentions: { parse: [] } });
    expect(none.body).toMatchObject({ mentions: [], mention_roles: [], mention_everyone: false });
    const onlyAlice = await send(server, g.owner, g.channelId, { content, allowed_mentions: { users: [alice.id] } });
    expect(ids(onlyAlice.body.mentions)).toEqual([alice.id]);
    expect(onlyAlice.body.mention_roles).toEqual([]);
    const usersAndRoles = await send(server, g.owner, g.channelId, { content, allowed_mentions: { parse: ['users', 'roles'] } });
    expect(ids(usersAndRoles.body.mentions)).toEqual([alice.id, bob.id].sort());
    expect(usersAndRoles.body).toMatchObject({ mention_roles: [role], mention_everyone: false });
    const everyoneOnly = await send(server, g.owner, g.channelId, { content, allowed_mentions: { parse: ['everyone'], roles: [role] } });
    expect(everyoneOnly.body).toMatchObject({ mentions: [], mention_roles: [role], mention_everyone: true });
  });

  it('a reply pings the replied-to author unless replied_user is false', async () => {
    const q = await send(server, alice, g.channelId, { content: 'question' });
    const pinging = await send(server, bob, g.channelId, { content: 'answer', message_reference: { message_id: q.body.id } });
    expect(ids(pinging.body.mentions)).toEqual([alice.id]);
    const quiet = await send(server, bob, g.channelId, {
      content: 'answer',
      message_reference: { message_id: q.body.id },
      allowed_mentions: { replied_user: false },
    });
    expect(quiet.body.mentions).toEqual([]);
    const explicit = await send(server, bob, g.channelId, {
      content: 'answer',
      message_reference: { message_id: q.body.id },
      allowed_mentions: { parse: [], replied_user: true },
    });
    expect(ids(explicit.body.mentions)).toEqual([alice.id]);
  });
});

describe('unread mention counts and acks', () => {
  it('counts direct, role and @everyone pings per viewer; ack resets to what is still unread', async () => {
    const channelId = await createTextChannel(server, g.guildId, 'counts');
    const carol = await addMember(server, g.guildId);
    const hidden = await addMember(server, g.guildId);
    await setOverwrite(server, channelId, hidden.id, 1, 0n, Permissions.VIEW_CHANNEL);
    const role = await createRole(server, g.guildId, { mentionable: true });
    await giveRole(server, g.guildId, carol.id, role);
    await giveRole(server, g.guildId, hidden.id, role);

    const m1 = await send(server, g.owner, channelId, { content: `<@${carol.id}> <@${hidden.id}>` });
    const m2 = await send(server, g.owner, channelId, { content: `<@&${role}> and again <@${carol.id}>` });
    const m3 = await send(server, alice, channelId, { content: '@everyone' });
    await send(server, g.owner, channelId, { content: `<@${carol.id}>`, allowed_mentions: { parse: [] } });
    expect(await mentionCount(carol, channelId)).toBe(3);
    expect(await mentionCount(hidden, channelId)).toBe(0); // cannot see the channel
    expect(await mentionCount(bob, channelId)).toBe(1);
    expect(await mentionCount(alice, channelId)).toBe(0); // own @everyone

    const rec = recordEvents(server);
    const ack = await api(server, 'POST', `/channels/${channelId}/messages/${m1.body.id}/ack`, {
      token: carol.token,
      body: { token: null },
    });
    expect(ack.status).toBe(200);
    expect(ack.body).toEqual({ token: null });
    expect(await mentionCount(carol, channelId)).toBe(2);
    await api(server, 'POST', `/channels/${channelId}/messages/${m3.body.id}/ack`, { token: carol.token, body: {} });
    const state = (await loadReadStates(server.app.ctx.db, carol.id)).find((r) => r.id === channelId);
    expect(state).toEqual({ id: channelId, last_message_id: m3.body.id, mention_count: 0 });
    await rec.waitFor(() => rec.of('MESSAGE_ACK').length >= 2);
    expect(rec.of('MESSAGE_ACK').map((e) => [e.user_ids, e.d])).toEqual([
      [[carol.id], { channel_id: channelId, message_id: m1.body.id, mention_count: 2 }],
      [[carol.id], { channel_id: channelId, message_id: m3.body.id, mention_count: 0 }],
    ]);
    expectValidDispatches(rec.events);
    rec.stop();
    expect(m2.body.mention_roles).toEqual([role]);

    // Sending acks the sender's own channel.
    const own = await send(server, bob, channelId, { content: 'read it all' });
    expect((await loadReadStates(server.app.ctx.db, bob.id)).find((r) => r.id === channelId)).toEqual({
      id: channelId,
      last_message_id: own.body.id,
      mention_count: 0,
    });
  });

  it('@everyone without permission raises no counts', async () => {
    const channelId = await createTextChannel(server, g.guildId, 'quiet');
    const muted = await addMember(server, g.guildId);
    await setOverwrite(server, channelId, g.guildId, 0, 0n, Permissions.MENTION_EVERYONE);
    await send(server, muted, channelId, { content: '@everyone wake up' });
    expect(await mentionCount(alice, channelId)).toBe(0);
    expect(await mentionCount(g.owner, channelId)).toBe(0);
    expect(DEFAULT_EVERYONE_PERMISSIONS & Permissions.MENTION_EVERYONE).toBeTruthy();
  });

  it('ack rejects unknown messages, foreign channels and bad ids', async () => {
    const stranger = await registerUser(server);
    const msg = await send(server, alice, g.channelId, { content: 'ack me' });
    const base = `/channels/${g.channelId}/messages`;
    expect((await api(server, 'POST', `${base}/123/ack`, { token: alice.token, body: {} })).body.code).toBe(10008);
    expect((await api(server, 'POST', `${base}/abc/ack`, { token: alice.token, body: {} })).status).toBe(400);
    expect((await api(server, 'POST', `${base}/${msg.body.id}/ack`, { token: stranger.token, body: {} })).body.code).toBe(10003);
    expect((await api(server, 'POST', `${base}/${msg.body.id}/ack`, { token: alice.token, body: { mention_count: 'x' } })).status).toBe(
      400,
    );
    expect((await api(server, 'POST', `${base}/${msg.body.id}/ack`, { token: alice.token })).status).toBe(200);
    expect((await loadReadStates(server.app.ctx.db, stranger.id)).length).toBe(0);
  });
});
