import { eq } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { readStates } from '../db/schema.js';

/** READY's `read_state` entries: last read message and unread mention count per channel. */
export async function loadReadStates(q: Queryable, userId: string) {
  const rows = await q.select().from(readStates).where(eq(readStates.userId, userId));
  return rows.map((r) => ({ id: r.channelId, last_message_id: r.lastMessageId, mention_count: r.mentionCount }));
}
