import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { idArrayLiteral, type RawStatement, rawQuery } from '../db/raw.js';
import { deviceTokens, guilds, pushSubscriptions, userGuildSettings } from '../db/schema.js';
import type { Db } from '../db/types.js';

export type SettingsRow = typeof userGuildSettings.$inferSelect;
export type SettingsPatch = Partial<Omit<SettingsRow, 'userId' | 'guildId' | 'version'>>;

/** guild_id 0 stores a user's DM settings (`@me`). */
export const DM_SETTINGS_ID = '0';

export async function loadSettings(q: Queryable, userId: string, guildId: string): Promise<SettingsRow | undefined> {
  const [row] = await q
    .select()
    .from(userGuildSettings)
    .where(and(eq(userGuildSettings.userId, userId), eq(userGuildSettings.guildId, guildId)))
    .limit(1);
  return row;
}

export async function loadAllSettings(q: Queryable, userId: string): Promise<SettingsRow[]> {
  return q.select().from(userGuildSettings).where(eq(userGuildSettings.userId, userId));
}

/** Settings of several users in one guild, by user id. */
export async function loadSettingsOf(q: Queryable, guildId: string, userIds: string[]): Promise<Map<string, SettingsRow>> {
  if (!userIds.length) return new Map();
  const rows = await q
    .select()
    .from(userGuildSettings)
    .where(and(eq(userGuildSettings.guildId, guildId), inArray(userGuildSettings.userId, userIds)));
  return new Map(rows.map((r) => [r.userId, r]));
}

/** Inside tx: locks and returns the row, creating it with defaults first. */
export async function lockSettings(q: Queryable, userId: string, guildId: string): Promise<SettingsRow> {
  await q.insert(userGuildSettings).values({ userId, guildId }).onConflictDoNothing();
  const [row] = await q
    .select()
    .from(userGuildSettings)
    .where(and(eq(userGuildSettings.userId, userId), eq(userGuildSettings.guildId, guildId)))
    .for('update');
  return row;
}

export async function updateSettings(q: Queryable, row: SettingsRow, patch: SettingsPatch): Promise<SettingsRow> {
  const [updated] = await q
    .update(userGuildSettings)
    .set({ ...patch, version: row.version + 1 })
    .where(and(eq(userGuildSettings.userId, row.userId), eq(userGuildSettings.guildId, row.guildId)))
    .returning();
  return updated;
}

export async function loadGuildDefaults(q: Queryable, guildIds: string[]): Promise<Map<string, number>> {
  if (!guildIds.length) return new Map();
  const rows = await q
    .select({ id: guilds.id, level: guilds.defaultMessageNotifications })
    .from(guilds)
    .where(inArray(guilds.id, guildIds));
  return new Map(rows.map((r) => [r.id, r.level]));
}

/** Web Push: one row per browser endpoint; registering an endpoint again moves it to the caller. */
export async function upsertPushSubscription(q: Queryable, row: typeof pushSubscriptions.$inferInsert) {
  await q
    .insert(pushSubscriptions)
    .values(row)
    .onConflictDoUpdate({ target: pushSubscriptions.endpoint, set: { userId: row.userId, p256dh: row.p256dh, auth: row.auth } });
}

export async function deletePushSubscription(q: Queryable, userId: string, endpoint: string): Promise<boolean> {
  const rows = await q
    .delete(pushSubscriptions)
    .where(and(eq(pushSubscriptions.userId, userId), eq(pushSubscriptions.endpoint, endpoint)))
    .returning({ id: pushSubscriptions.id });
  return rows.length > 0;
}

export async function deletePushSubscriptionById(q: Queryable, id: string) {
  await q.delete(pushSubscriptions).where(eq(pushSubscriptions.id, id));
}

/** Which of these users have at least one Web Push subscription. */
export async function usersWithPushSubscriptions(db: Db, userIds: string[]): Promise<string[]> {
  if (!userIds.length) return [];
  // Asked for every message with offline members: prepared once instead of built and planned each time.
  const rows = await rawQuery(db, PUSH_REACHABLE, [idArrayLiteral(userIds)]);
  return rows.map((r) => String(r.user_id));
}

const PUSH_REACHABLE: RawStatement = {
  name: 'push_reachable',
  text: 'select distinct user_id from push_subscriptions where user_id = any($1::bigint[])',
};

/** Which of these users have at least one device of `platform`. */
export async function usersWithDevices(q: Queryable, userIds: string[], platform: string): Promise<string[]> {
  if (!userIds.length) return [];
  const rows = await q
    .selectDistinct({ id: deviceTokens.userId })
    .from(deviceTokens)
    .where(and(eq(deviceTokens.platform, platform), sql`${deviceTokens.userId} = any(${idArrayLiteral(userIds)}::bigint[])`));
  return rows.map((r) => r.id);
}

export async function loadPushSubscriptions(q: Queryable, userId: string) {
  return q.select().from(pushSubscriptions).where(eq(pushSubscriptions.userId, userId));
}

/** APNs device tokens (platform "ios"); a token registered again moves to the caller. */
export async function upsertDevice(q: Queryable, row: typeof deviceTokens.$inferInsert) {
  await q
    .insert(deviceTokens)
    .values(row)
    .onConflictDoUpdate({ target: [deviceTokens.platform, deviceTokens.token], set: { userId: row.userId } });
}

export async function deleteDevice(q: Queryable, userId: string, platform: string, token: string): Promise<boolean> {
  const rows = await q
    .delete(deviceTokens)
    .where(and(eq(deviceTokens.userId, userId), eq(deviceTokens.platform, platform), eq(deviceTokens.token, token)))
    .returning({ id: deviceTokens.id });
  return rows.length > 0;
}

export async function deleteDeviceToken(q: Queryable, platform: string, token: string) {
  await q.delete(deviceTokens).where(and(eq(deviceTokens.platform, platform), eq(deviceTokens.token, token)));
}

export async function loadDevices(q: Queryable, userId: string) {
  return q.select().from(deviceTokens).where(eq(deviceTokens.userId, userId));
}
