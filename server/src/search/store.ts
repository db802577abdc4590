import { and, desc, eq, gt, inArray, lt, type SQL, sql } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { attachments, messages } from '../db/schema.js';
import type { MessageRow } from '../messages/wire.js';

export interface SearchFilter {
  /** Channels the caller may read; never empty (the service answers an empty set itself). */
  channelIds: string[];
  content?: string;
  authorId?: string;
  mentions?: string;
  has?: 'link' | 'file';
  before?: string;
  after?: string;
  offset: number;
  limit: number;
}

/**
 * Full-text search over `to_tsvector('simple', content)` (matched by the GIN index of the same
 * expression), newest first, with the total count for paging.
 */
export async function searchMessages(q: Queryable, f: SearchFilter): Promise<{ total: number; rows: MessageRow[] }> {
  const where: SQL[] = [inArray(messages.channelId, f.channelIds)];
  if (f.content?.trim()) where.push(sql`to_tsvector('simple', ${messages.content}) @@ plainto_tsquery('simple', ${f.content})`);
  if (f.authorId) where.push(eq(messages.authorId, f.authorId));
  if (f.mentions) where.push(sql`${messages.mentions} @> ${JSON.stringify([f.mentions])}::jsonb`);
  if (f.has === 'link') where.push(sql`${messages.content} ~* 'https?://'`);
  if (f.has === 'file') where.push(sql`exists (select 1 from ${attachments} where ${attachments.messageId} = ${messages.id})`);
  if (f.before) where.push(lt(messages.id, f.before));
  if (f.after) where.push(gt(messages.id, f.after));
  const cond = and(...where);
  const [[{ n }], rows] = await Promise.all([
    q.select({ n: sql<number>`count(*)::int` }).from(messages).where(cond),
    q.select().from(messages).where(cond).orderBy(desc(messages.id)).limit(f.limit).offset(f.offset),
  ]);
  return { total: Number(n), rows };
}
