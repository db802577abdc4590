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
    .where(and(eq(channelRecipients.userId, userId), eq(channelRecipients.closed, false)))
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

/** Every recipient of a DM or group DM (the caller included) as user objects, oldest id first. */
export async function loadMembers(q: Queryable, channelId: string) {
  const rows = await q
    .select(userColumns(users))
    .from(channelRecipients)
    .innerJoin(users, eq(users.id, channelRecipients.userId))
    .where(eq(channelRecipients.channelId, channelId))
    .orderBy(channelRecipients.userId);
  return rows.map(toWireUser);
}

/** Locks a private channel's row for a membership change; undefined when it is not a DM or group DM. */
export async function lockPrivateChannel(q: Queryable, channelId: string) {
  const [c] = await q.select().from(channels).where(eq(channels.id, channelId)).for('update').limit(1);
  return c && !c.guildId && (c.type === 1 || c.type === 3) ? c : undefined;
}

/** Marks the user's side of a DM closed or open; true when that changed something. */
export async function setClosed(q: Queryable, channelId: string, userId: string, closed: boolean) {
  const rows = await q
    .update(channelRecipients)
    .set({ closed })
    .where(and(eq(channelRecipients.channelId, channelId), eq(channelRecipients.userId, userId), eq(channelRecipients.closed, !closed)))
    .returning({ userId: channelRecipients.userId });
  return rows.length > 0;
}
