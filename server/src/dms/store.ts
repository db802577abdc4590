import { and, desc, eq, inArray, ne, sql } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { channelRecipients, channels, users } from '../db/schema.js';
import { toWireUser, userColumns } from '../users/wire.js';

/** The one-to-one DM between two users, if it exists. */
export async function findDm(q: Queryable, a: string, b: string) {
  const rows = await q
    .select({ channel: channels })
    .from(channels)
    .innerJoin(channelRecipients, eq(channelRecipients.channelId, channels.id))
    .where(and(eq(channels.type, 1), inArray(channelRecipients.userId, [a, b])))
    .groupBy(channels.id)
    .having(sql`count(*) = 2`)
    .limit(1);
  return rows[0]?.channel;
}

/** Serialises DM creation per pair of users (both backends), so a race cannot open two DMs. */
export async function lockPair(q: Queryable, a: string, b: string) {
  const key = [a, b].sort().join(':');
  await q.execute(sql`select pg_advisory_xact_lock(hashtext(${key}))`);
}

/** The user's DM channels, newest activity first, each with its other recipients as user objects. */
export async function loadDms(q: Queryable, userId: string) {
  const mine = await q
    .select({ channel: channels })
    .from(channelRecipients)
    .innerJoin(channels, eq(channels.id, channelRecipients.channelId))
    .where(eq(channelRecipients.userId, userId))
    .orderBy(desc(sql`coalesce(${channels.lastMessageId}, ${channels.id})`));
  if (!mine.length) return [];
  const others = await q
    .select({ channelId: channelRecipients.channelId, user: userColumns(users) })
    .from(channelRecipients)
    .innerJoin(users, eq(users.id, channelRecipients.userId))
    .where(
      and(
        inArray(
          channelRecipients.channelId,
          mine.map((m) => m.channel.id),
        ),
        ne(channelRecipients.userId, userId),
      ),
    );
  return mine.map(({ channel }) => ({
    channel,
    recipients: others.filter((o) => o.channelId === channel.id).map((o) => toWireUser(o.user)),
  }));
}
