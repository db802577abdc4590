import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { channelRecipients, messages } from '../db/schema.js';

export type CallRecord = { participants: string[]; ended_timestamp: string | null; ringing?: string[] };

/**
 * The running call of a DM or group DM: its type 3 system message that has not ended. The call's
 * state lives on that message (`call`: participants, end, and who is still being rung), so every
 * instance sees the same call without another table.
 */
export async function findActiveCall(q: Queryable, channelId: string) {
  const [row] = await q
    .select()
    .from(messages)
    .where(and(eq(messages.channelId, channelId), eq(messages.type, 3), sql`${messages.call}->>'ended_timestamp' is null`))
    .orderBy(desc(messages.id))
    .limit(1);
  return row?.call ? { ...row, call: row.call as CallRecord } : undefined;
}

export async function saveCall(q: Queryable, messageId: string, call: CallRecord) {
  const [row] = await q.update(messages).set({ call }).where(eq(messages.id, messageId)).returning();
  return row;
}

/** Running calls in the user's DMs and group DMs (one per channel, the newest). */
export async function findActiveCallsOf(q: Queryable, userId: string) {
  const mine = q.select({ id: channelRecipients.channelId }).from(channelRecipients).where(eq(channelRecipients.userId, userId));
  const rows = await q
    .select()
    .from(messages)
    .where(and(inArray(messages.channelId, mine), eq(messages.type, 3), sql`${messages.call}->>'ended_timestamp' is null`))
    .orderBy(desc(messages.id));
  const seen = new Set<string>();
  return rows.filter((r) => r.call && !seen.has(r.channelId) && seen.add(r.channelId)).map((r) => ({ ...r, call: r.call as CallRecord }));
}
