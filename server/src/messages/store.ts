import { and, asc, desc, eq, inArray, max, type Placeholder, sql } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { fromDriverRow } from '../db/driver-rows.js';
import { type CompiledStatement, compileStatement, idArrayLiteral, runCompiled } from '../db/raw.js';
import { attachments, channels, memberRoles, members, messages, users } from '../db/schema.js';
import type { Db } from '../db/types.js';
import { markSentCtes } from '../read-states/store.js';
import { toWireUser, userColumns } from '../users/wire.js';
import type { MessageRefs, MessageRow } from './wire.js';

type NewMessage = typeof messages.$inferInsert;

const MAX_BIGINT = '9223372036854775807';

/** Snowflakes are BIGINT: a longer or larger decimal would make PostgreSQL raise, so it is simply unknown. */
export function idInRange(id: string): boolean {
  return id.length < MAX_BIGINT.length || (id.length === MAX_BIGINT.length && id <= MAX_BIGINT);
}

/**
 * Inserts one message; returns undefined when (channel, author, nonce) already exists. ON CONFLICT
 * waits for a concurrent insert of the same nonce to commit, so the caller can then read the winner.
 */
export async function insertMessage(q: Queryable, row: NewMessage): Promise<MessageRow | undefined> {
  const [inserted] = await insertUnlessNonceTaken(q, row);
  return inserted;
}

/** The insert of one message that writes nothing when (channel, author, nonce) exists, returning the row. */
function insertUnlessNonceTaken(q: Queryable, row: NewMessage) {
  return q
    .insert(messages)
    .values(row)
    .onConflictDoNothing({ target: [messages.channelId, messages.authorId, messages.nonce], where: sql`${messages.nonce} is not null` })
    .returning();
}

/**
 * Inserts one message and writes the send's read states (`markSentCtes`) in one statement, so a send
 * needs no transaction of its own; undefined when the nonce is taken (then nothing was written).
 */
export async function insertMessageMarkingSent(q: Queryable, row: NewMessage, pinged: string[]): Promise<MessageRow | undefined> {
  const res = (await q.execute(markingSent(q, row, row.authorId, row.channelId, idArrayLiteral(pinged)))) as unknown as {
    rows: Record<string, unknown>[];
  };
  return res.rows[0] && fromDriverRow(messages, res.rows[0]);
}

function markingSent(
  q: Queryable,
  row: NewMessage,
  authorId: string | Placeholder,
  channelId: string | Placeholder,
  pinged: string | Placeholder,
) {
  const insert = insertUnlessNonceTaken(q, row).getSQL();
  return sql`with sent as (${insert}), ${markSentCtes(authorId, channelId, pinged)} select * from sent`;
}

/** The send statement compiled per set of columns a send writes (plain, webhook): two in practice. */
const sendStatements = new Map<string, CompiledStatement>();

/**
 * `insertMessageMarkingSent` outside a transaction, as a prepared statement: the same SQL, built by
 * Drizzle once per set of columns instead of on every send (that building was a fifth of the
 * server's CPU per message), and parsed by the database once per connection.
 */
export async function sendMessage(db: Db, row: NewMessage, pinged: string[]): Promise<MessageRow | undefined> {
  const keys = Object.keys(row).filter((k) => row[k as keyof NewMessage] !== undefined);
  const signature = keys.join(',');
  let compiled = sendStatements.get(signature);
  if (!compiled) {
    const holders = Object.fromEntries(keys.map((k) => [k, sql.placeholder(k)])) as unknown as NewMessage;
    const query = markingSent(db, holders, sql.placeholder('authorId'), sql.placeholder('channelId'), sql.placeholder('pinged'));
    compiled = compileStatement(`send_message_${sendStatements.size}`, query);
    sendStatements.set(signature, compiled);
  }
  const [inserted] = await runCompiled(db, compiled, { ...row, pinged: idArrayLiteral(pinged) });
  return inserted && fromDriverRow(messages, inserted);
}

/** Batched inserts without events or checks: seeding large histories (tests, imports, benchmarks). */
export async function insertMessagesBatch(q: Queryable, rows: NewMessage[], batchSize = 1000): Promise<void> {
  for (let i = 0; i < rows.length; i += batchSize) await q.insert(messages).values(rows.slice(i, i + batchSize));
}

export async function findByNonce(q: Queryable, channelId: string, authorId: string, nonce: string) {
  const [row] = await q
    .select()
    .from(messages)
    .where(and(eq(messages.channelId, channelId), eq(messages.authorId, authorId), eq(messages.nonce, nonce)))
    .limit(1);
  return row;
}

/** When the author last posted in the channel (slowmode). */
export async function lastPostAt(q: Queryable, channelId: string, authorId: string): Promise<Date | undefined> {
  const [row] = await q
    .select({ at: messages.createdAt })
    .from(messages)
    .where(and(eq(messages.channelId, channelId), eq(messages.authorId, authorId)))
    .orderBy(desc(messages.id))
    .limit(1);
  return row?.at;
}

/** Frees a nonce whose idempotency window has passed, so the author may reuse it. */
export async function releaseNonce(q: Queryable, messageId: string) {
  await q.update(messages).set({ nonce: null }).where(eq(messages.id, messageId));
}

export async function loadMessage(q: Queryable, channelId: string, messageId: string): Promise<MessageRow | undefined> {
  if (!idInRange(messageId)) return undefined;
  const [row] = await q
    .select()
    .from(messages)
    .where(and(eq(messages.channelId, channelId), eq(messages.id, messageId)))
    .limit(1);
  return row;
}

export async function listPinned(q: Queryable, channelId: string): Promise<MessageRow[]> {
  return q
    .select()
    .from(messages)
    .where(and(eq(messages.channelId, channelId), eq(messages.pinned, true)))
    .orderBy(desc(messages.pinnedAt));
}

export async function countPinned(q: Queryable, channelId: string): Promise<number> {
  const [{ n }] = await q
    .select({ n: sql<number>`count(*)::int` })
    .from(messages)
    .where(and(eq(messages.channelId, channelId), eq(messages.pinned, true)));
  return Number(n);
}

/** Sets channel.last_pin_timestamp to the newest remaining pin (or null) and returns it. */
export async function refreshLastPin(q: Queryable, channelId: string): Promise<Date | null> {
  const [{ last }] = await q
    .select({ last: max(messages.pinnedAt) })
    .from(messages)
    .where(and(eq(messages.channelId, channelId), eq(messages.pinned, true)));
  const lastPin = last ? new Date(last) : null;
  await q.update(channels).set({ lastPinTimestamp: lastPin }).where(eq(channels.id, channelId));
  return lastPin;
}

/** Never moves backwards: sends commit in any order, the newest id wins. */
export async function setChannelLastMessage(q: Queryable, channelId: string, messageId: string) {
  await q
    .update(channels)
    .set({ lastMessageId: sql`greatest(coalesce(${channels.lastMessageId}, 0), ${messageId}::bigint)` })
    .where(eq(channels.id, channelId));
}

/** After deletes: last_message_id points at the newest message still there (or null), so it can be acked. */
export async function refreshChannelLastMessage(q: Queryable, channelId: string) {
  const [{ last }] = await q
    .select({ last: max(messages.id) })
    .from(messages)
    .where(eq(messages.channelId, channelId));
  await q
    .update(channels)
    .set({ lastMessageId: last ?? null })
    .where(eq(channels.id, channelId));
}

/** Users, attachments and replied-to messages for a batch of rows: three queries at most. */
export async function hydrate(q: Queryable, rows: MessageRow[]): Promise<MessageRefs> {
  const refIds = [...new Set(rows.flatMap((m) => (m.reference ? [m.reference.message_id] : [])))];
  const referenced = new Map<string, MessageRow>();
  if (refIds.length) for (const r of await q.select().from(messages).where(inArray(messages.id, refIds))) referenced.set(r.id, r);
  const all = [...rows, ...referenced.values()];
  const userIds = [...new Set(all.flatMap((m) => [m.authorId, ...m.mentions]))];
  const userMap = new Map<string, ReturnType<typeof toWireUser>>();
  if (userIds.length)
    for (const u of await q.select(userColumns(users)).from(users).where(inArray(users.id, userIds))) userMap.set(u.id, toWireUser(u));
  const files = new Map<string, (typeof attachments.$inferSelect)[]>();
  const ids = all.map((m) => m.id);
  if (ids.length) {
    for (const a of await q.select().from(attachments).where(inArray(attachments.messageId, ids)).orderBy(asc(attachments.id))) {
      const list = files.get(a.messageId as string) ?? [];
      list.push(a);
      files.set(a.messageId as string, list);
    }
  }
  return { users: userMap, attachments: files, referenced };
}

/** A message's attachments in wire order. */
export async function loadAttachments(q: Queryable, messageId: string) {
  return q.select().from(attachments).where(eq(attachments.messageId, messageId)).orderBy(asc(attachments.id));
}

/**
 * Deletes one message and points the channel's last_message_id at the newest one left, in one
 * autocommitted statement; false when it was already gone (a concurrent delete announced it).
 */
export async function deleteMessageKeepingLast(q: Queryable, channelId: string, messageId: string): Promise<boolean> {
  const rows = await q.execute(sql`
    with gone as (delete from messages where id = ${messageId} and channel_id = ${channelId} returning id)
    update channels set last_message_id = (select max(m.id) from messages m where m.channel_id = ${channelId} and m.id <> ${messageId})
    where id = ${channelId} and exists (select 1 from gone)
    returning id`);
  return (rows as unknown as { rows: unknown[] }).rows.length > 0;
}

/** Attachments the author uploaded to this channel and has not used yet. */
export async function loadUnusedAttachments(q: Queryable, channelId: string, uploaderId: string, ids: string[]) {
  if (!ids.length) return [];
  return q
    .select()
    .from(attachments)
    .where(
      and(
        inArray(attachments.id, ids),
        eq(attachments.channelId, channelId),
        eq(attachments.uploaderId, uploaderId),
        sql`${attachments.messageId} is null`,
      ),
    );
}

/** Links the uploads to the message; returns them in id order (the wire order). */
export async function attachFiles(q: Queryable, messageId: string, ids: string[]) {
  if (!ids.length) return [];
  const rows = await q.update(attachments).set({ messageId }).where(inArray(attachments.id, ids)).returning();
  return rows.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : BigInt(a.id) > BigInt(b.id) ? 1 : 0));
}

/** The author's member row and role ids, for MESSAGE_CREATE's `member` in guilds. */
export async function loadAuthorMember(q: Queryable, guildId: string, userId: string) {
  const [row] = await q
    .select()
    .from(members)
    .where(and(eq(members.guildId, guildId), eq(members.userId, userId)))
    .limit(1);
  if (!row) return undefined;
  const roleRows = await q
    .select({ id: memberRoles.roleId })
    .from(memberRoles)
    .where(and(eq(memberRoles.guildId, guildId), eq(memberRoles.userId, userId)));
  return { row, roleIds: roleRows.map((r) => r.id) };
}
