import type { Reaction } from '@retrocast/protocol';
import { and, asc, eq, gt, inArray, sql } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { type RawStatement, rawQuery } from '../db/raw.js';
import { emojis, reactions, users } from '../db/schema.js';
import type { Db } from '../db/types.js';
import { toWireUser, userColumns } from '../users/wire.js';

/**
 * Adds one reaction in one autocommitted statement: it locks the message row (first reactions race
 * for the per-message limit, as before in a transaction), reads the emoji keys already there and
 * inserts unless the emoji is new and the caller may not add one (`mayAddNew`) or the message has
 * `maxKeys`. `found` is false when the message is gone.
 */
export async function addReaction(
  db: Db,
  r: { messageId: string; userId: string; key: string; emojiId: string | null; emojiName: string },
  mayAddNew: boolean,
  maxKeys: number,
): Promise<{ found: boolean; keys: string[]; added: boolean }> {
  const [row] = await rawQuery(db, ADD_REACTION, [r.messageId, r.userId, r.key, r.emojiId, r.emojiName, mayAddNew, maxKeys]);
  return { found: Number(row.found) > 0, keys: textArray(row.keys), added: Number(row.added) > 0 };
}

const ADD_REACTION: RawStatement = {
  name: 'add_reaction',
  text: `with m as (select id from messages where id = $1::bigint for update),
  k as (select coalesce(array_agg(distinct r.emoji_key), '{}'::text[]) as keys from reactions r where r.message_id = $1::bigint),
  ins as (
    insert into reactions (message_id, user_id, emoji_key, emoji_id, emoji_name)
    select m.id, $2::bigint, $3::text, $4::bigint, $5::text from m, k
    where $3::text = any(k.keys) or ($6::boolean and cardinality(k.keys) < $7::int)
    on conflict do nothing
    returning message_id
  )
  select (select count(*) from m)::int as found, k.keys, (select count(*) from ins)::int as added from k`,
};

/** A text[] as the driver gave it: an array, or PostgreSQL's `{a,b}` text where it does not parse arrays. */
function textArray(v: unknown): string[] {
  return Array.isArray(v)
    ? v.map(String)
    : String(v ?? '')
        .replace(/^{|}$/g, '')
        .split(',')
        .filter(Boolean);
}

/** Users who reacted with this emoji, by id, after `after`. */
export async function loadReactors(q: Queryable, messageId: string, key: string, after: string | undefined, limit: number) {
  const where = and(eq(reactions.messageId, messageId), eq(reactions.emojiKey, key), after ? gt(reactions.userId, after) : undefined);
  const rows = await q
    .select(userColumns(users))
    .from(reactions)
    .innerJoin(users, eq(users.id, reactions.userId))
    .where(where)
    .orderBy(asc(reactions.userId))
    .limit(limit);
  return rows.map(toWireUser);
}

/**
 * `reactions` for a batch of messages as `viewerId` sees them: per message, per emoji in the order
 * first used, the count and whether the viewer is among them. One query.
 */
export async function loadReactions(q: Queryable, messageIds: string[], viewerId: string): Promise<Map<string, Reaction[]>> {
  const out = new Map<string, Reaction[]>();
  if (!messageIds.length) return out;
  const rows = await q
    .select({
      messageId: reactions.messageId,
      emojiId: reactions.emojiId,
      name: reactions.emojiName,
      animated: sql<boolean | null>`bool_or(${emojis.animated})`,
      count: sql<number>`count(*)::int`,
      me: sql<boolean>`bool_or(${reactions.userId} = ${viewerId})`,
    })
    .from(reactions)
    .leftJoin(emojis, eq(emojis.id, reactions.emojiId))
    .where(inArray(reactions.messageId, messageIds))
    .groupBy(reactions.messageId, reactions.emojiKey, reactions.emojiId, reactions.emojiName)
    .orderBy(sql`min(${reactions.createdAt})`, reactions.emojiKey);
  for (const r of rows) {
    const list = out.get(r.messageId) ?? [];
    list.push(toWireReaction(r));
    out.set(r.messageId, list);
  }
  return out;
}

/** One emoji's reactions on a message as the viewer sees them (`me`); no burst (super) reactions. */
export function toWireReaction(r: {
  emojiId: string | null;
  name: string;
  animated: boolean | null;
  count: number;
  me: boolean;
}): Reaction {
  const count = Number(r.count);
  const emoji = { id: r.emojiId ?? null, name: r.name, ...(r.animated ? { animated: true } : {}) };
  return { count, count_details: { burst: 0, normal: count }, me: Boolean(r.me), me_burst: false, burst_colors: [], emoji };
}

/** Adds `reactions` to wire messages (only where there are some, as Discord does). */
export async function withReactions<M extends { id: string; reactions?: unknown[] }>(
  q: Queryable,
  messages: M[],
  viewerId: string,
): Promise<M[]> {
  const byMessage = await loadReactions(
    q,
    messages.map((m) => m.id),
    viewerId,
  );
  for (const m of messages) {
    const r = byMessage.get(m.id);
    if (r) m.reactions = r;
  }
  return messages;
}
