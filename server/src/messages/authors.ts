import type { User } from '@retrocast/protocol';
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { memberRoles, members, users } from '../db/schema.js';
import { guildStateCacheOf } from '../guild-state/cache.js';
import type { GuildState } from '../guild-state/state.js';
import { toWireUser, userColumns } from '../users/wire.js';
import { toWireMessageMember } from './wire.js';

/** A message author as MESSAGE_CREATE shows them: the user, and in guilds their member object. */
export interface Author {
  user: User;
  member?: ReturnType<typeof toWireMessageMember>;
}

/**
 * Authors are kept with their guild's cached state, so they go when it goes: on any member, role
 * or guild event, and on USER_UPDATE (guild-state/cache.ts drops the user's guilds).
 */
const byState = new WeakMap<GuildState, Map<string, Author>>();

/** The sender's author objects: from the guild state cache when it has them, else one query. */
export async function loadAuthor(db: Db, guildId: string | null, userId: string): Promise<Author | undefined> {
  const state = guildId ? await guildStateCacheOf(db)?.guild(guildId) : undefined;
  const kept = state ? byState.get(state)?.get(userId) : undefined;
  if (kept) return kept;
  const author = await queryAuthor(db, guildId, userId);
  if (state && author) {
    let map = byState.get(state);
    if (!map) {
      map = new Map();
      byState.set(state, map);
    }
    map.set(userId, author);
  }
  return author;
}

async function queryAuthor(db: Db, guildId: string | null, userId: string): Promise<Author | undefined> {
  if (!guildId) {
    const [u] = await db.select(userColumns(users)).from(users).where(eq(users.id, userId)).limit(1);
    return u && { user: toWireUser(u) };
  }
  const roleIds = sql<
    string[]
  >`coalesce((select array_agg(${memberRoles.roleId}::text) from ${memberRoles} where ${memberRoles.guildId} = ${guildId} and ${memberRoles.userId} = ${userId}), '{}')`;
  const [row] = await db
    .select({ user: userColumns(users), member: members, roleIds })
    .from(users)
    .leftJoin(members, and(eq(members.guildId, guildId), eq(members.userId, users.id)))
    .where(eq(users.id, userId))
    .limit(1);
  if (!row) return undefined;
  const user = toWireUser(row.user);
  return { user, ...(row.member ? { member: toWireMessageMember(row.member, user, row.roleIds) } : {}) };
}
