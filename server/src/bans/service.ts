import { AuditLogEvent, type BanBody, Errors, type ListBansQuery, Permissions } from '@retrocast/protocol';
import { and, asc, desc, eq, gt, gte, inArray, lt, type SQL } from 'drizzle-orm';
import { doRecordAudit } from '../audit-log/store.js';
import type { AppContext, Caller } from '../context.js';
import type { Tx } from '../db/client.js';
import { bans, channels, members, messages, users } from '../db/schema.js';
import { type Emit, transact } from '../db/tx.js';
import { ApiError } from '../http/errors.js';
import { doRemoveMember } from '../members/service.js';
import { accessGuild } from '../permissions/access.js';
import { checkMemberBelow } from '../roles/hierarchy.js';
import { toWireUser, userColumns } from '../users/wire.js';

const banEventMeta = { required_permission: Permissions.BAN_MEMBERS.toString() };

/** GET /guilds/{id}/bans: BAN_MEMBERS; ordered by user id, `before`/`after` paginate. */
export async function accessListBans(ctx: AppContext, who: Caller, guildId: string, query: ListBansQuery) {
  await accessGuild(ctx.db, guildId, who.id, Permissions.BAN_MEMBERS);
  const where: SQL[] = [eq(bans.guildId, guildId)];
  if (query.after) where.push(gt(bans.userId, query.after));
  if (query.before) where.push(lt(bans.userId, query.before));
  const rows = await ctx.db
    .select({ reason: bans.reason, user: userColumns(users) })
    .from(bans)
    .innerJoin(users, eq(users.id, bans.userId))
    .where(and(...where))
    .orderBy(query.before && !query.after ? desc(bans.userId) : asc(bans.userId))
    .limit(query.limit ?? 1000);
  return rows.map((r) => ({ reason: r.reason, user: toWireUser(r.user) })).sort((a, b) => (BigInt(a.user.id) < BigInt(b.user.id) ? -1 : 1));
}

/** GET /guilds/{id}/bans/{user_id}: BAN_MEMBERS. */
export async function accessGetBan(ctx: AppContext, who: Caller, guildId: string, userId: string) {
  await accessGuild(ctx.db, guildId, who.id, Permissions.BAN_MEMBERS);
  const [row] = await ctx.db
    .select({ reason: bans.reason, user: userColumns(users) })
    .from(bans)
    .innerJoin(users, eq(users.id, bans.userId))
    .where(and(eq(bans.guildId, guildId), eq(bans.userId, userId)));
  if (!row) throw new ApiError(Errors.UNKNOWN_BAN);
  return { reason: row.reason, user: toWireUser(row.user) };
}

/** Deletes the user's messages in the guild newer than `seconds`; one MESSAGE_DELETE_BULK per channel. */
async function doDeleteRecentMessages(tx: Tx, emit: Emit, guildId: string, userId: string, seconds: number) {
  if (!seconds) return;
  const since = new Date(Date.now() - seconds * 1000);
  const guildChannels = tx.select({ id: channels.id }).from(channels).where(eq(channels.guildId, guildId));
  const gone = await tx
    .delete(messages)
    .where(and(eq(messages.authorId, userId), inArray(messages.channelId, guildChannels), gte(messages.createdAt, since)))
    .returning({ id: messages.id, channelId: messages.channelId });
  const byChannel = new Map<string, string[]>();
  for (const m of gone) byChannel.set(m.channelId, [...(byChannel.get(m.channelId) ?? []), m.id]);
  for (const [channelId, ids] of byChannel) {
    emit({ t: 'MESSAGE_DELETE_BULK', d: { ids, channel_id: channelId, guild_id: guildId }, channel_id: channelId, guild_id: guildId });
  }
}

/**
 * PUT /guilds/{id}/bans/{user_id}: BAN_MEMBERS; a member target must be below the caller. Removes
 * the member, records the ban (idempotent) and optionally deletes their recent messages.
 */
export async function doBan(ctx: AppContext, who: Caller, guildId: string, userId: string, body: BanBody, reason: string | null) {
  await transact(ctx, async (tx, emit) => {
    const access = await accessGuild(tx, guildId, who.id, Permissions.BAN_MEMBERS);
    const [user] = await tx.select(userColumns(users)).from(users).where(eq(users.id, userId));
    if (!user) throw new ApiError(Errors.UNKNOWN_USER);
    const [member] = await tx
      .select({ u: members.userId })
      .from(members)
      .where(and(eq(members.guildId, guildId), eq(members.userId, userId)));
    if (member || userId === access.guild.ownerId) await checkMemberBelow(tx, access, userId);
    const inserted = await tx.insert(bans).values({ guildId, userId, reason }).onConflictDoNothing().returning();
    if (member) await doRemoveMember(tx, emit, guildId, userId);
    await doDeleteRecentMessages(tx, emit, guildId, userId, body.delete_message_seconds ?? (body.delete_message_days ?? 0) * 86400);
    if (!inserted.length) return;
    await doRecordAudit(ctx, tx, emit, { guildId, userId: who.id, targetId: userId, actionType: AuditLogEvent.MEMBER_BAN_ADD, reason });
    emit({ t: 'GUILD_BAN_ADD', d: { guild_id: guildId, user: toWireUser(user) }, guild_id: guildId, meta: banEventMeta });
  });
}

/** DELETE /guilds/{id}/bans/{user_id}: BAN_MEMBERS. */
export async function doUnban(ctx: AppContext, who: Caller, guildId: string, userId: string, reason: string | null) {
  await transact(ctx, async (tx, emit) => {
    await accessGuild(tx, guildId, who.id, Permissions.BAN_MEMBERS);
    const [gone] = await tx
      .delete(bans)
      .where(and(eq(bans.guildId, guildId), eq(bans.userId, userId)))
      .returning();
    if (!gone) throw new ApiError(Errors.UNKNOWN_BAN);
    const [user] = await tx.select(userColumns(users)).from(users).where(eq(users.id, userId));
    await doRecordAudit(ctx, tx, emit, { guildId, userId: who.id, targetId: userId, actionType: AuditLogEvent.MEMBER_BAN_REMOVE, reason });
    emit({ t: 'GUILD_BAN_REMOVE', d: { guild_id: guildId, user: toWireUser(user) }, guild_id: guildId, meta: banEventMeta });
  });
}
