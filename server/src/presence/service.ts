import { eq } from 'drizzle-orm';
import type { AppContext } from '../context.js';
import { members } from '../db/schema.js';
import { friendIds } from '../relationships/store.js';
import type { PresenceStore, SessionStatus, VisibleStatus } from './store.js';

/** Session entries live this long unless refreshed; owners refresh every third of it. */
export const PRESENCE_TTL_MS = 45_000;

/** Discord's presence object as others see it. */
export function toWirePresence(userId: string, status: VisibleStatus, guildId?: string) {
  return {
    user: { id: userId },
    ...(guildId ? { guild_id: guildId } : {}),
    status,
    activities: [] as Array<{ name: string; type: number }>,
    client_status: status === 'offline' ? {} : { web: status },
  };
}

/**
 * Records one session's status (null: the session is gone) and, when that changes what others see,
 * sends PRESENCE_UPDATE to every guild the user is in (one per guild, as Discord does). No database
 * write, so this publishes directly rather than through `transact`.
 */
export async function doSetSessionPresence(
  ctx: AppContext,
  store: PresenceStore,
  userId: string,
  sessionId: string,
  status: SessionStatus | null,
) {
  const changed = await store.set(userId, sessionId, status, PRESENCE_TTL_MS);
  if (changed) await doAnnouncePresence(ctx, userId, changed);
}

export async function doAnnouncePresence(ctx: AppContext, userId: string, status: VisibleStatus) {
  const rows = await ctx.db.select({ guildId: members.guildId }).from(members).where(eq(members.userId, userId));
  for (const { guildId } of rows) {
    await ctx.bus.publish({ t: 'PRESENCE_UPDATE', d: toWirePresence(userId, status, guildId), guild_id: guildId });
  }
  // Friends see it too, shared guild or not (Discord: a PRESENCE_UPDATE without guild_id).
  const friends = await friendIds(ctx.db, userId);
  if (friends.length) await ctx.bus.publish({ t: 'PRESENCE_UPDATE', d: toWirePresence(userId, status), user_ids: friends });
}

/** Expires the sessions of instances that died; call periodically from every instance. */
export async function doSweepPresence(ctx: AppContext, store: PresenceStore) {
  for (const { userId, status } of await store.sweep()) await doAnnouncePresence(ctx, userId, status);
}
