import { and, eq, gt, ne, or, type Placeholder, type SQL, sql } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { messages, readStates } from '../db/schema.js';

type IdValue = string | Placeholder;

/** READY's `read_state` entries: last read message and unread mention count per channel. */
export async function loadReadStates(q: Queryable, userId: string) {
  const rows = await q.select().from(readStates).where(eq(readStates.userId, userId));
  return rows.map((r) => ({ id: r.channelId, last_message_id: r.lastMessageId, mention_count: r.mentionCount }));
}

/** One more unread mention for each user (a row is created for channels they never acked). */
export async function incrementMentionCounts(q: Queryable, channelId: string, userIds: string[]) {
  if (!userIds.length) return;
  await q
    .insert(readStates)
    .values(userIds.map((userId) => ({ userId, channelId, mentionCount: 1 })))
    .onConflictDoUpdate({
      target: [readStates.userId, readStates.channelId],
      set: { mentionCount: sql`${readStates.mentionCount} + 1`, updatedAt: new Date() },
    });
}

/**
 * The read-state writes of a send, as CTEs over `sent` (the statement's CTE that inserted the
 * message, so nothing is written when the insert was not): the author has read their own message,
 * and each pinged user has one more unread mention. Rows are per (user, channel): no row all
 * senders share. `pinged` is an `idArrayLiteral`; each value may be a placeholder of a compiled statement.
 */
export function markSentCtes(authorId: IdValue, channelId: IdValue, pinged: IdValue): SQL {
  return sql`
    author_read as (
      insert into read_states (user_id, channel_id, last_message_id, mention_count, updated_at)
      select ${authorId}::bigint, ${channelId}::bigint, sent.id, 0, now() from sent
      on conflict (user_id, channel_id) do update
        set last_message_id = excluded.last_message_id, mention_count = 0, updated_at = excluded.updated_at
    ),
    pinged_read as (
      insert into read_states (user_id, channel_id, mention_count, updated_at)
      select t, ${channelId}::bigint, 1, now() from sent, unnest(${pinged}::bigint[]) as t
      on conflict (user_id, channel_id) do update
        set mention_count = read_states.mention_count + 1, updated_at = excluded.updated_at
    )`;
}

/** Stores the last read message and the mentions still unread after it. */
export async function upsertReadState(q: Queryable, userId: string, channelId: string, lastMessageId: string, mentionCount: number) {
  await q
    .insert(readStates)
    .values({ userId, channelId, lastMessageId, mentionCount })
    .onConflictDoUpdate({ target: [readStates.userId, readStates.channelId], set: { lastMessageId, mentionCount, updatedAt: new Date() } });
}

/** Messages after `afterId` by others that ping the user directly, through one of `roleIds`, or via @everyone. */
export async function countMentionsAfter(
  q: Queryable,
  channelId: string,
  userId: string,
  roleIds: string[],
  afterId: string,
): Promise<number> {
  const pings = [sql`${messages.mentions} @> ${JSON.stringify([userId])}::jsonb`, eq(messages.mentionEveryone, true)];
  for (const roleId of roleIds) pings.push(sql`${messages.mentionRoles} @> ${JSON.stringify([roleId])}::jsonb`);
  const [{ n }] = await q
    .select({ n: sql<number>`count(*)::int` })
    .from(messages)
    .where(and(eq(messages.channelId, channelId), gt(messages.id, afterId), ne(messages.authorId, userId), or(...pings)));
  return Number(n);
}
