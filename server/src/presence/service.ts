import { eq } from 'drizzle-orm';
import type { AppContext, PresenceReader } from '../context.js';
import { members, users } from '../db/schema.js';
import { friendIds } from '../relationships/store.js';
import { toWireUser, userColumns } from '../users/wire.js';
import type { Activity, PresenceStore, SessionStatus, VisibleStatus } from './store.js';

export type { Activity } from './store.js';

/** Session entries live this long unless refreshed; owners refresh every third of it. */
export const PRESENCE_TTL_MS = 45_000;

/**
 * Activities from op 3 / IDENTIFY, kept to what Discord lets bots set: at most 5, types 0–5,
 * bounded strings. Anything else in an entry is dropped; a malformed entry is skipped.
 */
export function sanitizeActivities(raw: unknown): Activity[] {
  if (!Array.isArray(raw)) return [];
  const str = (v: unknown, max: number) => (typeof v === 'string' && v.trim() ? v.slice(0, max) : undefined);
  const out: Activity[] = [];
  for (const a of raw.slice(0, 5)) {
    if (typeof a !== 'object' || a === null) continue;
    const e = a as Record<string, unknown>;
    const type = Number.isInteger(e.type) && (e.type as number) >= 0 && (e.type as number) <= 5 ? (e.type as number) : 0;
    const state = str(e.state, 128);
    // A custom status (type 4) is its `state`; Discord names it "Custom Status".
    const name = str(e.name, 128) ?? (type === 4 && state ? 'Custom Status' : undefined);
    if (!name) continue;
    const details = str(e.details, 128);
    const url = typeof e.url === 'string' && /^https?:\/\//.test(e.url) ? e.url.slice(0, 512) : undefined;
    out.push({ name, type, ...(state ? { state } : {}), ...(details ? { details } : {}), ...(url ? { url } : {}), created_at: Date.now() });
  }
  return out;
}

/** Discord's presence object as others see it. */
export function toWirePresence(userId: string, status: VisibleStatus, guildId?: string, activities: Activity[] = []) {
  return {
    user: { id: userId },
    ...(guildId ? { guild_id: guildId } : {}),
    status,
    activities: status === 'offline' ? [] : activities,
    client_status: status === 'offline' ? {} : { web: status },
  };
}

/** Wire presences (with activities) of those of `userIds` who are not offline. */
export async function loadWirePresences(store: PresenceReader, userIds: string[], guildId?: string) {
  if (userIds.length === 0) return [];
  const [statuses, acts] = await Promise.all([store.get(userIds), store.activities(userIds)]);
  return [...statuses].filter(([, s]) => s !== 'offline').map(([id, status]) => toWirePresence(id, status, guildId, acts.get(id) ?? []));
}

/**
 * Records one session's status (null: the session is gone) and, with `activities`, what it is
 * doing; when that changes what others see, sends PRESENCE_UPDATE to every guild the user is in
 * (one per guild, as Discord does) and to friends. No database write, so this publishes directly
 * rather than through `transact`.
 */
export async function doSetSessionPresence(
  ctx: AppContext,
  store: PresenceStore,
  userId: string,
  sessionId: string,
  status: SessionStatus | null,
  activities?: Activity[],
) {
  let activitiesChanged = false;
  // Invisible shows nothing, not even a game; a session that ends takes its activities along.
  if (status === null || status === 'invisible') activitiesChanged = await store.setActivities(userId, sessionId, []);
  else if (activities) activitiesChanged = await store.setActivities(userId, sessionId, activities);
  const changed = await store.set(userId, sessionId, status, PRESENCE_TTL_MS);
  if (changed) await doAnnouncePresence(ctx, store, userId, changed);
  else if (activitiesChanged) {
    // Same status, new activities (a bot's "Playing …"): announce them with the current status.
    const now = (await store.get([userId])).get(userId);
    if (now && now !== 'offline') await doAnnouncePresence(ctx, store, userId, now);
  }
}

export async function doAnnouncePresence(ctx: AppContext, store: PresenceStore, userId: string, status: VisibleStatus) {
  const activities = status === 'offline' ? [] : ((await store.activities([userId])).get(userId) ?? []);
  const rows = await ctx.db.select({ guildId: members.guildId }).from(members).where(eq(members.userId, userId));
  // The public user rides along: the gateway puts it into the presence for guilds above the lowest
  // large_threshold, whose members may never have been sent this member (gateway/README.md).
  const [row] = rows.length ? await ctx.db.select(userColumns(users)).from(users).where(eq(users.id, userId)).limit(1) : [];
  const meta = row ? { public_user: toWireUser(row) } : undefined;
  for (const { guildId } of rows) {
    await ctx.bus.publish({ t: 'PRESENCE_UPDATE', d: toWirePresence(userId, status, guildId, activities), guild_id: guildId, meta });
  }
  // Friends see it too, shared guild or not (Discord: a PRESENCE_UPDATE without guild_id).
  const friends = await friendIds(ctx.db, userId);
  if (friends.length)
    await ctx.bus.publish({ t: 'PRESENCE_UPDATE', d: toWirePresence(userId, status, undefined, activities), user_ids: friends });
}

/** Expires the sessions of instances that died; call periodically from every instance. */
export async function doSweepPresence(ctx: AppContext, store: PresenceStore) {
  for (const { userId, status } of await store.sweep()) await doAnnouncePresence(ctx, store, userId, status);
}
