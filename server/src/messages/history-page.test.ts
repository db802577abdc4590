import { and, asc, desc, eq, gt, gte, lt, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Queryable } from '../db/client.js';
import { attachments, emojis, messages, reactions } from '../db/schema.js';
import { withReactions } from '../reactions/store.js';
import { api, registerUser, startServer, type TestServer, type TestUser } from '../test/helper.js';
import { addMember, createGuild, createTextChannel, type TestGuild } from '../test/messages-fixtures.js';
import { type HistoryPage, loadHistoryPage } from './history-page.js';
import { toWireMessages } from './service.js';

/**
 * The one-statement history page (history-page.ts) against the way pages were built before it:
 * the rows by Drizzle, then `toWireMessages` (authors, mentions, attachments, replied-to messages)
 * and `withReactions`, one query each. Same wire messages, key for key, on pages with everything a
 * message can carry.
 */
let server: TestServer;
let g: TestGuild;
let member: TestUser;
const ids: string[] = [];

/** The pre-statement page query, kept here as the reference. */
async function referenceRows(q: Queryable, channelId: string, page: HistoryPage) {
  const inChannel = eq(messages.channelId, channelId);
  if (page.around) {
    const newer = await q
      .select()
      .from(messages)
      .where(and(inChannel, gte(messages.id, page.around)))
      .orderBy(asc(messages.id))
      .limit(Math.ceil(page.limit / 2));
    const older = await q
      .select()
      .from(messages)
      .where(and(inChannel, lt(messages.id, page.around)))
      .orderBy(desc(messages.id))
      .limit(page.limit - newer.length);
    return [...newer.reverse(), ...older];
  }
  if (page.after) {
    const rows = await q
      .select()
      .from(messages)
      .where(and(inChannel, gt(messages.id, page.after)))
      .orderBy(asc(messages.id))
      .limit(page.limit);
    return rows.reverse();
  }
  const where = page.before ? and(inChannel, lt(messages.id, page.before)) : inChannel;
  return q.select().from(messages).where(where).orderBy(desc(messages.id)).limit(page.limit);
}

beforeAll(async () => {
  server = await startServer();
  g = await createGuild(server);
  member = await addMember(server, g.guildId, await registerUser(server));
  const db = server.app.ctx.db;
  const next = () => server.app.ctx.ids.next();
  const owner = g.owner.id;
  const other = await createTextChannel(server, g.guildId, 'elsewhere');
  const elsewhere = next();
  await db
    .insert(messages)
    .values({ id: elsewhere, channelId: other, guildId: g.guildId, authorId: member.id, content: 'in another channel' });
  const base = { channelId: g.channelId, guildId: g.guildId };
  const rows: (typeof messages.$inferInsert)[] = [];
  const add = (m: Partial<typeof messages.$inferInsert>) => {
    const id = next();
    ids.push(id);
    rows.push({ ...base, id, authorId: owner, content: `message ${ids.length}`, ...m });
    return id;
  };
  const first = add({});
  const pinging = add({ authorId: member.id, mentions: [owner, '999999999999999'], mentionRoles: [g.guildId], mentionEveryone: true });
  const gone = next(); // never inserted: a reply to a deleted message
  add({ type: 19, reference: { message_id: first, channel_id: g.channelId, guild_id: g.guildId }, mentions: [owner] });
  add({ type: 19, reference: { message_id: gone, channel_id: g.channelId, guild_id: g.guildId } });
  add({ type: 19, authorId: member.id, reference: { message_id: elsewhere, channel_id: other, guild_id: g.guildId } });
  const edited = add({
    editedAt: sql`clock_timestamp()` as never,
    pinned: true,
    pinnedAt: sql`clock_timestamp()` as never,
    nonce: 'n-1',
    flags: 4,
  });
  add({
    webhookId: next(),
    webhookAuthor: { username: 'Hook', avatar_url: null },
    embeds: [{ title: 't', description: 'd', fields: [{ name: 'a', value: 'b' }] }],
  });
  add({ type: 3, guildId: null, call: { participants: [owner, member.id], ended_timestamp: null } });
  add({ content: 'she said "hi" \\ back\n\ttab ünïcödé 🎉 \u2028 </script>' });
  add({ type: 19, reference: { message_id: pinging, channel_id: g.channelId, guild_id: g.guildId } });
  for (let i = 0; i < 25; i++) add({ authorId: i % 2 ? member.id : owner, content: `filler ${i}` });
  await db.insert(messages).values(rows);

  // Attachments out of id order, one on the message in the other channel (shown in its reply).
  const file = (messageId: string, channelId: string, name: string, extra: Partial<typeof attachments.$inferInsert> = {}) => ({
    id: next(),
    messageId,
    channelId,
    uploaderId: owner,
    filename: name,
    size: 123,
    contentType: 'image/png',
    width: 10,
    height: 20,
    blobKey: `k/${name}`,
    ...extra,
  });
  const a1 = file(first, g.channelId, 'one.png');
  const a2 = file(first, g.channelId, 'two words & more.png');
  await db.insert(attachments).values([a2, a1]);
  await db.insert(attachments).values(file(ids[2], g.channelId, 'notes', { contentType: null, width: null, height: null }));
  await db.insert(attachments).values(file(elsewhere, other, 'far.png'));

  const [party] = await db
    .insert(emojis)
    .values({ id: next(), guildId: g.guildId, name: 'party', animated: true, creatorId: owner, blobKey: 'e/party' })
    .returning();
  const [plain] = await db
    .insert(emojis)
    .values({ id: next(), guildId: g.guildId, name: 'plain', animated: false, creatorId: owner, blobKey: 'e/plain' })
    .returning();
  const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
  const unicode = (messageId: string, userId: string, emoji: string, s: number) => ({
    messageId,
    userId,
    emojiKey: emoji,
    emojiName: emoji,
    createdAt: at(s),
  });
  const custom = (messageId: string, userId: string, e: typeof party, s: number) => ({
    messageId,
    userId,
    emojiKey: e.id,
    emojiId: e.id,
    emojiName: e.name,
    createdAt: at(s),
  });
  await db
    .insert(reactions)
    .values([
      unicode(first, owner, '👍', 2),
      unicode(first, member.id, '👍', 3),
      unicode(first, member.id, '🎉', 1),
      custom(first, member.id, party, 4),
      custom(edited, owner, plain, 5),
      unicode(ids[ids.length - 1], member.id, '🔥', 6),
      unicode(elsewhere, owner, '👀', 7),
    ]);
}, 60_000);
afterAll(() => server?.close());

describe('history page in one statement', () => {
  it('builds the same wire messages as the per-part queries, for every cursor and viewer', async () => {
    const db = server.app.ctx.db;
    const last = ids[ids.length - 1];
    const pages: HistoryPage[] = [
      { limit: 50 },
      { limit: 1 },
      { limit: 100 },
      { limit: 5, before: ids[10] },
      { limit: 7, after: ids[3] },
      { limit: 10, around: ids[9] },
      { limit: 1, around: ids[0] },
      { limit: 2, around: ids[0] },
      { limit: 3, around: (BigInt(ids[4]) + 1n).toString() },
      { limit: 50, before: '1' },
      { limit: 50, after: last },
      { limit: 100, after: '0' },
    ];
    let messagesSeen = 0;
    for (const viewer of [g.owner.id, member.id]) {
      for (const page of pages) {
        const expected = await withReactions(db, await toWireMessages(db, await referenceRows(db, g.channelId, page)), viewer);
        const actual = await loadHistoryPage(db, g.channelId, page, viewer);
        expect(JSON.stringify(actual), JSON.stringify(page)).toBe(JSON.stringify(expected));
        messagesSeen += actual.length;
      }
    }
    expect(messagesSeen).toBeGreaterThan(100);
    // The page had everything: reactions by me and by others, attachments, replies (one to a deleted message), pings of unknown users.
    const all = await loadHistoryPage(db, g.channelId, { limit: 100 }, member.id);
    const first = all.find((m) => m.id === ids[0]);
    expect(first?.reactions?.map((r) => [r.emoji.name, r.count, r.me, r.emoji.animated ?? false])).toEqual([
      ['🎉', 1, true, false],
      ['👍', 2, true, false],
      ['party', 1, true, true],
    ]);
    expect(first?.attachments.map((a) => a.filename)).toEqual(['one.png', 'two words & more.png']);
    expect(all.find((m) => m.id === ids[3])?.referenced_message).toBeNull();
    expect(all.find((m) => m.id === ids[4])?.referenced_message?.attachments.map((a) => a.filename)).toEqual(['far.png']);
    expect(all.find((m) => m.id === ids[9])?.referenced_message?.mentions.map((u) => u.username)).toEqual([
      g.owner.username,
      'deleted_user',
    ]);
  });

  it('is what GET /channels/:id/messages answers', async () => {
    const res = await api(server, 'GET', `/channels/${g.channelId}/messages?limit=10&around=${ids[5]}`, { token: member.token });
    expect(res.status).toBe(200);
    const page = await loadHistoryPage(server.app.ctx.db, g.channelId, { limit: 10, around: ids[5] }, member.id);
    expect(res.body.map((m: { id: string }) => m.id)).toEqual(page.map((m) => m.id));
    expect(res.body.find((m: { id: string }) => m.id === ids[5]).reactions[0].me).toBe(false);
    expect(res.body.find((m: { id: string }) => m.id === ids[5]).edited_timestamp).toBe(
      page.find((m) => m.id === ids[5])?.edited_timestamp,
    );
  });
});
