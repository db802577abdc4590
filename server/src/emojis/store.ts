import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { emojis, users } from '../db/schema.js';
import { toWireUser, userColumns } from '../users/wire.js';
import { type EmojiRow, toWireEmoji } from './wire.js';

export async function listGuildEmojiRows(q: Queryable, guildId: string): Promise<EmojiRow[]> {
  return q.select().from(emojis).where(eq(emojis.guildId, guildId)).orderBy(asc(emojis.id));
}

/** A guild's emoji as Discord objects, with their creators when asked (MANAGE_GUILD_EXPRESSIONS). For GUILD_CREATE too. */
export async function loadGuildEmojis(q: Queryable, guildId: string, withCreators = false) {
  const rows = await listGuildEmojiRows(q, guildId);
  const creators = new Map<string, ReturnType<typeof toWireUser>>();
  const ids = [...new Set(rows.flatMap((r) => (r.creatorId ? [r.creatorId] : [])))];
  if (withCreators && ids.length) for (const u of await q.select(userColumns(users)).from(users).where(inArray(users.id, ids))) creators.set(u.id, toWireUser(u));
  return rows.map((r) => toWireEmoji(r, withCreators && r.creatorId ? creators.get(r.creatorId) : undefined));
}

export async function loadEmoji(q: Queryable, guildId: string, emojiId: string): Promise<EmojiRow | undefined> {
  const [row] = await q
    .select()
    .from(emojis)
    .where(and(eq(emojis.guildId, guildId), eq(emojis.id, emojiId)))
    .limit(1);
  return row;
}

/** Any guild's emoji by id (reactions with custom emoji). */
export async function loadEmojiById(q: Queryable, emojiId: string): Promise<EmojiRow | undefined> {
  const [row] = await q.select().from(emojis).where(eq(emojis.id, emojiId)).limit(1);
  return row;
}
