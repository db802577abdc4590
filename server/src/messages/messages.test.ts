import { Permissions, snowflakeFromTimestamp } from '@retrocast/protocol';
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channels, messages } from '../db/schema.js';
import { expectValidDispatches } from '../test/guild-fixtures.js';
import { api, registerUser, startServer, type TestServer } from '../test/helper.js';
import { addMember, createGuild, createTextChannel, recordEvents, send, setOverwrite, type TestGuild } from '../test/messages-fixtures.js';
import { flushLastMessages } from './last-message.js';

const { SEND_MESSAGES, READ_MESSAGE_HISTORY, MANAGE_MESSAGES, VIEW_CHANNEL } = Permissions;

let server: TestServer;
let g: TestGuild;
beforeAll(async () => {
  server = await startServer({ env: { RATE_LIMIT_DISABLED: '1' } });
  g = await createGuild(server);
});
afterAll(() => server?.close());

const countIn = async (channelId: string) => {
  const [{ n }] = await server.app.ctx.db.select({ n: count() }).from(messages).where(eq(messages.channelId, channelId));
  return Number(n);
};

describe('POST /channels/:id/messages', () => {
  it('stores trimmed content, returns the message object, updates last_message_id, emits MESSAGE_CREATE after commit', async () => {
    const rec = recordEvents(server);
    const res = await send(server, g.owner, g.channelId, { content: '  hello world  ' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      channel_id: g.channelId,
      guild_id: g.guildId,
      author: { id: g.owner.id, username: g.owner.username },
      content: 'hello world',
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      attachments: [],
      embeds: [],
      pinned: false,
      type: 0,
      flags: 0,
    });
    expect(Date.parse(res.body.timestamp)).toBeGreaterThan(Date.now() - 60_000);
    // Written behind the send (10 ms batches): readers of the column flush first, as the server's do.
    await flushLastMessages(server.app.ctx.db);
    const [ch] = await server.app.ctx.db.select().from(channels).where(eq(channels.id, g.channelId));
    expect(ch.lastMessageId).toBe(res.body.id);
    await rec.waitFor(() => rec.of('MESSAGE_CREATE').length > 0);
    const [ev] = rec.of('MESSAGE_CREATE');
    expect(ev).toMatchObject({
      channel_id: g.channelId,
      guild_id: g.guildId,
      d: { id: res.body.id, content: 'hello world', member: { roles: [], nick: null } },
    });
    expect(ev.d).not.toHaveProperty('member.user');
    expectValidDispatches(rec.events);
    rec.stop();
    const got = await api(server, 'GET', `/channels/${g.channelId}/messages/${res.body.id}`, { token: g.owner.token });
    expect(got.body).toEqual(res.body);
  });

  it('is idempotent by nonce: 10 concurrent posts → one message, one MESSAGE_CREATE, same response', async () => {
    const channelId = await createTextChannel(server, g.guildId, 'nonce');
    const rec = recordEvents(server);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => send(server, g.owner, channelId, { content: 'once', nonce: 'n-123' })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    expect(results[0].body.nonce).toBe('n-123');
    expect(await countIn(channelId)).toBe(1);
    await new Promise((r) => setTimeout(r, 200));
    expect(rec.of('MESSAGE_CREATE').filter((e) => e.channel_id === channelId)).toHaveLength(1);
    expectValidDispatches(rec.events);
    rec.stop();
    // An integer nonce works too; another author may reuse the same nonce.
    const other = await addMember(server, g.guildId);
    const a = await send(server, other, channelId, { content: 'mine', nonce: 'n-123' });
    expect(a.body.id).not.toBe(results[0].body.id);
    const i1 = await send(server, other, channelId, { content: 'int', nonce: 42 });
    const i2 = await send(server, other, channelId, { content: 'int', nonce: 42 });
    expect(i2.body.id).toBe(i1.body.id);
  });

  it('a nonce is remembered for ten minutes, then may be reused', async () => {
    const channelId = await createTextChannel(server, g.guildId, 'nonce-window');
    const first = await send(server, g.owner, channelId, { content: 'old', nonce: 'reuse-me' });
    await server.app.ctx.db
      .update(messages)
      .set({ createdAt: new Date(Date.now() - 11 * 60 * 1000) })
      .where(eq(messages.id, first.body.id));
    const second = await send(server, g.owner, channelId, { content: 'new', nonce: 'reuse-me' });
    expect(second.body.id).not.toBe(first.body.id);
    expect(second.body.content).toBe('new');
    expect((await send(server, g.owner, channelId, { content: 'again', nonce: 'reuse-me' })).body.id).toBe(second.body.id);
    expect(await countIn(channelId)).toBe(2);
  });

  it('enforces channel slowmode (rate_limit_per_user) except for moderators', async () => {
    const channelId = await createTextChannel(server, g.guildId, 'slow');
    const member = await addMember(server, g.guildId);
    const patched = await api(server, 'PATCH', `/channels/${channelId}`, { token: g.owner.token, body: { rate_limit_per_user: 60 } });
    expect(patched.status).toBe(200);
    expect((await send(server, member, channelId, { content: 'one' })).status).toBe(200);
    const slowed = await send(server, member, channelId, { content: 'two' });
    expect(slowed.status).toBe(429);
    expect(slowed.body.code).toBe(20016);
    expect((await send(server, g.owner, channelId, { content: 'mod 1' })).status).toBe(200);
    expect((await send(server, g.owner, channelId, { content: 'mod 2' })).status).toBe(200);
    expect(await countIn(channelId)).toBe(3);
  });

  it('rejects bad input with 4xx error bodies and writes nothing', async () => {
    const channelId = await createTextChannel(server, g.guildId, 'bad');
    const bad: [unknown, number, number][] = [
      [{ content: '' }, 400, 50006],
      [{ content: '   ' }, 400, 50006],
      [{}, 400, 50006],
      [{ content: 'x'.repeat(2001) }, 400, 50035],
      [{ content: 'x'.repeat(5000) }, 400, 50035],
      [{ content: 123 }, 400, 50035],
      [{ content: 'hi', nonce: 'n'.repeat(26) }, 400, 50035],
      [{ content: 'hi', nonce: 'n'.repeat(100_000) }, 400, 50035],
      [{ content: 'hi', nonce: { a: 1 } }, 400, 50035],
      [{ content: 'hi', nonce: 'a\u0000b' }, 400, 50035],
      [{ content: '\u0000' }, 400, 50035], // NUL is refused as invalid form body
      [{ content: 'hi', message_reference: { message_id: 'abc' } }, 400, 50035],
      [{ content: 'hi', message_reference: { message_id: '123' } }, 400, 50035],
      [{ content: 'hi', allowed_mentions: { parse: ['users'], users: ['1'] } }, 400, 50035],
      [{ content: 'hi', allowed_mentions: { parse: ['nobody'] } }, 400, 50035],
      [{ content: 'hi', attachments: [{ id: '999' }] }, 404, 10029],
    ];
    for (const [body, status, code] of bad) {
      const res = await send(server, g.owner, channelId, body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(status);
      expect(res.body.code).toBe(code);
      expect(typeof res.body.message).toBe('string');
    }
    expect((await send(server, g.owner, channelId, { content: 'x'.repeat(2000) })).status).toBe(200);
    expect(await countIn(channelId)).toBe(1);
    expect((await send(server, g.owner, channelId, { content: 'nul\u0000byte' })).body.code).toBe(50035); // NUL refused, not stripped
    const malformed = await api(server, 'POST', `/channels/${channelId}/messages`, { token: g.owner.token, raw: '{"content":' });
    expect(malformed.status).toBe(400);
  });

  it('rejects invalid or foreign channel ids', async () => {
    const other = await createGuild(server);
    const stranger = await registerUser(server);
    const cases: [string, number, number][] = [
      ['abc', 400, 50035],
      ['99999999999999999999', 400, 50035], // not a snowflake: beyond 19 digits
      ['9223372036854775808', 400, 50035], // above int64
      ['123', 404, 10003],
      [other.channelId, 404, 10003], // exists, but in a guild the caller is not in
      [g.voiceId, 400, 50008],
    ];
    for (const [id, status, code] of cases) {
      const res = await send(server, g.owner, id, { content: 'hi' });
      expect(res.status, id).toBe(status);
      expect(res.body.code, id).toBe(code);
    }
    const res = await send(server, stranger, g.channelId, { content: 'hi' });
    expect(res.body.code).toBe(10003);
    expect((await api(server, 'GET', `/channels/${g.channelId}/messages/abc`, { token: g.owner.token })).status).toBe(400);
    expect((await api(server, 'GET', `/channels/${g.channelId}/messages/99999999999999999999`, { token: g.owner.token })).body.code).toBe(
      50035, // beyond int64: not a snowflake
    );
    expect((await api(server, 'GET', `/channels/${g.channelId}/messages`, { token: g.owner.token })).status).toBe(200);
    expect((await api(server, 'GET', `/channels/${g.channelId}/messages`)).status).toBe(401);
    // The same message id through another guild's channel is unknown; edits and deletes validate too.
    const mine = await send(server, g.owner, g.channelId, { content: 'here' });
    const viaOther = await api(server, 'GET', `/channels/${other.channelId}/messages/${mine.body.id}`, { token: other.owner.token });
    expect(viaOther.body.code).toBe(10008);
    expect(
      (await api(server, 'DELETE', `/channels/${other.channelId}/messages/${mine.body.id}`, { token: other.owner.token })).body.code,
    ).toBe(10008);
    const crossRef = await send(server, other.owner, other.channelId, {
      content: 'x',
      message_reference: { message_id: mine.body.id, channel_id: g.channelId },
    });
    expect(crossRef.status).toBe(400);
    const patchBad = await api(server, 'PATCH', `/channels/${g.channelId}/messages/${mine.body.id}`, {
      token: g.owner.token,
      body: { content: 5 },
    });
    expect(patchBad.body.code).toBe(50035);
    expect((await api(server, 'DELETE', `/channels/${g.channelId}/messages/x1`, { token: g.owner.token })).status).toBe(400);
    expect(
      (await api(server, 'POST', `/channels/${g.channelId}/messages/bulk-delete`, { token: g.owner.token, body: { messages: 'all' } }))
        .status,
    ).toBe(400);
    expect((await api(server, 'GET', `/channels/${g.channelId}/messages/${mine.body.id}`, { token: g.owner.token })).body.content).toBe(
      'here',
    );
  });

  it('replies carry message_reference and referenced_message (null once deleted), type 19', async () => {
    const channelId = await createTextChannel(server, g.guildId, 'replies');
    const first = await send(server, g.owner, channelId, { content: 'question' });
    const reply = await send(server, g.owner, channelId, { content: 'answer', message_reference: { message_id: first.body.id } });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({
      type: 19,
      message_reference: { message_id: first.body.id, channel_id: channelId, guild_id: g.guildId },
    });
    expect(reply.body.referenced_message).toMatchObject({ id: first.body.id, content: 'question' });
    const elsewhere = await send(server, g.owner, g.channelId, { content: 'x', message_reference: { message_id: first.body.id } });
    expect(elsewhere.status).toBe(400);
    const lenient = await send(server, g.owner, g.channelId, {
      content: 'x',
      message_reference: { message_id: first.body.id, fail_if_not_exists: false },
    });
    expect(lenient.body.type).toBe(0);
    await api(server, 'DELETE', `/channels/${channelId}/messages/${first.body.id}`, { token: g.owner.token });
    const again = await api(server, 'GET', `/channels/${channelId}/messages/${reply.body.id}`, { token: g.owner.token });
    expect(again.body.referenced_message).toBeNull();
  });
});

describe('DELETE keeps last_message_id ackable', () => {
  it('moves last_message_id back to the newest remaining message, then to null', async () => {
    const ch = g.channelId;
    // The column is written behind sends (messages/last-message.ts): read it as its readers do, after a flush.
    const lastId = async () => {
      await flushLastMessages(server.app.ctx.db);
      return (await server.app.ctx.db.select().from(channels).where(eq(channels.id, ch)))[0].lastMessageId;
    };
    const a = await send(server, g.owner, ch, { content: 'older' });
    const b = await send(server, g.owner, ch, { content: 'newest' });
    expect(await lastId()).toBe(b.body.id);
    expect((await api(server, 'DELETE', `/channels/${ch}/messages/${b.body.id}`, { token: g.owner.token })).status).toBe(204);
    expect(await lastId()).toBe(a.body.id);
    const ack = await api(server, 'POST', `/channels/${ch}/messages/${a.body.id}/ack`, { token: g.owner.token, body: {} });
    expect(ack.status).toBe(200);
  });
});

describe('permissions', () => {
  it('no send without SEND_MESSAGES, no history without READ_MESSAGE_HISTORY, nothing at all without VIEW_CHANNEL', async () => {
    const channelId = await createTextChannel(server, g.guildId, 'perm');
    const member = await addMember(server, g.guildId);
    await send(server, g.owner, channelId, { content: 'before' });

    await setOverwrite(server, channelId, member.id, 1, 0n, SEND_MESSAGES);
    const denied = await send(server, member, channelId, { content: 'nope' });
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe(50013);
    expect(await countIn(channelId)).toBe(1);
    expect((await api(server, 'GET', `/channels/${channelId}/messages`, { token: member.token })).status).toBe(200);

    await setOverwrite(server, channelId, member.id, 1, 0n, READ_MESSAGE_HISTORY);
    const hist = await api(server, 'GET', `/channels/${channelId}/messages`, { token: member.token });
    expect(hist.status).toBe(403);
    expect(hist.body.code).toBe(50013);
    expect((await send(server, member, channelId, { content: 'blind post' })).status).toBe(200);

    await setOverwrite(server, channelId, member.id, 1, 0n, VIEW_CHANNEL);
    const hidden = await api(server, 'GET', `/channels/${channelId}/messages`, { token: member.token });
    expect(hidden.status).toBe(404);
    expect(hidden.body.code).toBe(10003);
  });

  it('only the author edits; edit sets edited_timestamp and emits MESSAGE_UPDATE', async () => {
    const member = await addMember(server, g.guildId);
    const msg = await send(server, g.owner, g.channelId, { content: 'original' });
    const other = await api(server, 'PATCH', `/channels/${g.channelId}/messages/${msg.body.id}`, {
      token: member.token,
      body: { content: 'hacked' },
    });
    expect(other.status).toBe(403);
    expect(other.body.code).toBe(50005);
    const empty = await api(server, 'PATCH', `/channels/${g.channelId}/messages/${msg.body.id}`, {
      token: g.owner.token,
      body: { content: '' },
    });
    expect(empty.body.code).toBe(50006);
    const long = await api(server, 'PATCH', `/channels/${g.channelId}/messages/${msg.body.id}`, {
      token: g.owner.token,
      body: { content: 'y'.repeat(2001) },
    });
    expect(long.body.code).toBe(50035);

    const rec = recordEvents(server);
    const ok = await api(server, 'PATCH', `/channels/${g.channelId}/messages/${msg.body.id}`, {
      token: g.owner.token,
      body: { content: 'edited' },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.content).toBe('edited');
    expect(ok.body.edited_timestamp).not.toBeNull();
    expect(ok.body.timestamp).toBe(msg.body.timestamp);
    await rec.waitFor(() => rec.of('MESSAGE_UPDATE').length > 0);
    expect(rec.of('MESSAGE_UPDATE')[0].d).toMatchObject({ id: msg.body.id, content: 'edited' });
    expectValidDispatches(rec.events);
    rec.stop();
    const stored = await api(server, 'GET', `/channels/${g.channelId}/messages/${msg.body.id}`, { token: member.token });
    expect(stored.body.content).toBe('edited');
  });

  it('delete: author yes, other member no, MANAGE_MESSAGES yes; MESSAGE_DELETE emitted', async () => {
    const member = await addMember(server, g.guildId);
    const mod = await addMember(server, g.guildId);
    await setOverwrite(server, g.channelId, mod.id, 1, MANAGE_MESSAGES, 0n);
    const own = await send(server, member, g.channelId, { content: 'mine' });
    const theirs = await send(server, g.owner, g.channelId, { content: 'owner' });

    const forbidden = await api(server, 'DELETE', `/channels/${g.channelId}/messages/${theirs.body.id}`, { token: member.token });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.code).toBe(50013);

    const rec = recordEvents(server);
    expect((await api(server, 'DELETE', `/channels/${g.channelId}/messages/${own.body.id}`, { token: member.token })).status).toBe(204);
    expect((await api(server, 'DELETE', `/channels/${g.channelId}/messages/${theirs.body.id}`, { token: mod.token })).status).toBe(204);
    const gone = await api(server, 'GET', `/channels/${g.channelId}/messages/${theirs.body.id}`, { token: g.owner.token });
    expect(gone.status).toBe(404);
    expect(gone.body.code).toBe(10008);
    await rec.waitFor(() => rec.of('MESSAGE_DELETE').length >= 2);
    expect(rec.of('MESSAGE_DELETE').map((e) => e.d)).toEqual([
      { id: own.body.id, channel_id: g.channelId, guild_id: g.guildId },
      { id: theirs.body.id, channel_id: g.channelId, guild_id: g.guildId },
    ]);
    expectValidDispatches(rec.events);
    rec.stop();
    expect((await api(server, 'DELETE', `/channels/${g.channelId}/messages/${theirs.body.id}`, { token: mod.token })).status).toBe(404);
  });

  it('bulk-delete needs MANAGE_MESSAGES and 2–100 recent ids; emits MESSAGE_DELETE_BULK', async () => {
    const channelId = await createTextChannel(server, g.guildId, 'bulk');
    const member = await addMember(server, g.guildId);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await send(server, member, channelId, { content: `m${i}` })).body.id);
    const url = `/channels/${channelId}/messages/bulk-delete`;

    const noPerm = await api(server, 'POST', url, { token: member.token, body: { messages: ids.slice(0, 2) } });
    expect(noPerm.body.code).toBe(50013);
    expect((await api(server, 'POST', url, { token: g.owner.token, body: { messages: [ids[0]] } })).body.code).toBe(50016);
    expect((await api(server, 'POST', url, { token: g.owner.token, body: { messages: [ids[0], ids[0]] } })).body.code).toBe(50016);
    const many = Array.from({ length: 101 }, (_, i) => String(BigInt(ids[0]) + BigInt(i)));
    expect((await api(server, 'POST', url, { token: g.owner.token, body: { messages: many } })).body.code).toBe(50016);
    const old = snowflakeFromTimestamp(Date.now() - 15 * 24 * 3600 * 1000);
    expect((await api(server, 'POST', url, { token: g.owner.token, body: { messages: [ids[0], old] } })).body.code).toBe(50034);
    expect((await api(server, 'POST', url, { token: g.owner.token, body: { messages: [ids[0], 'x'] } })).status).toBe(400);
    expect((await api(server, 'POST', url, { token: g.owner.token, body: { messages: [ids[0], '99999999999999999999'] } })).status).toBe(
      400,
    );
    expect(await countIn(channelId)).toBe(5);

    const rec = recordEvents(server);
    const ok = await api(server, 'POST', url, { token: g.owner.token, body: { messages: [ids[0], ids[1], ids[2]] } });
    expect(ok.status).toBe(204);
    expect(await countIn(channelId)).toBe(2);
    await rec.waitFor(() => rec.of('MESSAGE_DELETE_BULK').length > 0);
    const [ev] = rec.of('MESSAGE_DELETE_BULK');
    expect(ev.channel_id).toBe(channelId);
    expect([...(ev.d as { ids: string[] }).ids].sort()).toEqual(ids.slice(0, 3).sort());
    expectValidDispatches(rec.events);
    rec.stop();
  });
});

describe('OpenAPI', () => {
  it('documents the message routes', async () => {
    const doc = await api(server, 'GET', '/api/openapi.json');
    expect(doc.status).toBe(200);
    for (const path of [
      '/channels/{channelId}/messages',
      '/channels/{channelId}/messages/{messageId}',
      '/channels/{channelId}/pins',
      '/guilds/{guildId}/messages/search',
    ])
      expect(doc.body.paths[`/api/v10${path}`], path).toBeDefined();
  });
});

describe('rate limit', () => {
  it('allows 5 messages per 5 s per channel per user, with Discord headers', async () => {
    const limited = await startServer();
    try {
      const lg = await createGuild(limited);
      const statuses: number[] = [];
      let last: Awaited<ReturnType<typeof send>> | undefined;
      for (let i = 0; i < 6; i++) {
        last = await send(limited, lg.owner, lg.channelId, { content: `r${i}` });
        statuses.push(last.status);
        if (i === 0) {
          expect(last.headers.get('x-ratelimit-limit')).toBe('5');
          expect(last.headers.get('x-ratelimit-remaining')).toBe('4');
          expect(last.headers.get('x-ratelimit-bucket')).toBeTruthy();
        }
      }
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
      expect(last?.body).toMatchObject({ global: false });
      expect(last?.body.retry_after).toBeGreaterThan(0);
      expect(last?.headers.get('retry-after')).toBeTruthy();
      // Another channel is another bucket.
      const other = await api(limited, 'POST', '/guilds', { token: lg.owner.token, body: { name: 'second' } });
      const ch = other.body.channels.find((c: { type: number }) => c.type === 0).id;
      expect((await send(limited, lg.owner, ch, { content: 'fine' })).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});
