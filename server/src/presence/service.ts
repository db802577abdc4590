import { eq } from 'drizzle-orm';
import type { AppContext } from '../context.js';
import { members } from '../db/schema.js';
import { friendIds } from '../relationships/store.js';
import type { PresenceStore, SessionStatus, VisibleStatus } from './store.js';

/** Session entries live this long unless refreshed; owners refresh every third of it. */
export const PRESENCE_TTL_MS = 45_000;

/** A presence activity as relayed: "Playing dice" is `{name: 'dice', type: 0}`. */
export interface Activity {
  name: string;
  type: number;
  state?: string;
  details?: string;
  url?: string;
  created_at?: number;
}

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
    const name = str(e.name, 128);
    const type = Number.isInteger(e.type) && (e.type as number) >= 0 && (e.type as number) <= 5 ? (e.type as number) : 0;
    if (!name) continue;
    const state = str(e.state, 128);
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
  activities: Activity[] = [],
  activitiesChanged = false,
) {
  const changed = await store.set(userId, sessionId, status, PRESENCE_TTL_MS);
  if (changed) await doAnnouncePresence(ctx, userId, changed, activities);
  else if (activitiesChanged) {
    // Same status, new activities (a bot's "Playing …"): announce them with the current status.
    const now = (await store.get([userId])).get(userId);
    if (now && now !== 'offline') await doAnnouncePresence(ctx, userId, now, activities);
  }
}

export async function doAnnouncePresence(ctx: AppContext, userId: string, status: VisibleStatus, activities: Activity[] = []) {
  const rows = await ctx.db.select({ guildId: members.guildId }).from(members).where(eq(members.userId, userId));
  for (const { guildId } of rows) {
    await ctx.bus.publish({ t: 'PRESENCE_UPDATE', d: toWirePresence(userId, status, guildId, activities), guild_id: guildId });
  }
  // Friends see it too, shared guild or not (Discord: a PRESENCE_UPDATE without guild_id).
  const friends = await friendIds(ctx.db, userId);
  if (friends.length)
    await ctx.bus.publish({ t: 'PRESENCE_UPDATE', d: toWirePresence(userId, status, undefined, activities), user_ids: friends });
}

/** Expires the sessions of instances that died; call periodically from every instance. */
export async function doSweepPresence(ctx: AppContext, store: PresenceStore) {
  for (const { userId, status } of await store.sweep()) await doAnnouncePresence(ctx, userId, status);
}
