import {
  AuditLogEvent,
  DEFAULT_EVERYONE_PERMISSIONS,
  Errors,
  type MyGuildsQuery,
  type PatchGuildBody,
  Permissions,
} from '@retrocast/protocol';
import { and, asc, count, desc, eq, gt, lt, sql } from 'drizzle-orm';
import { diffChanges, doRecordAudit } from '../audit-log/store.js';
import { doStoreImage } from '../avatars/service.js';
import type { AppContext, Caller } from '../context.js';
import type { Queryable, Tx } from '../db/client.js';
import { channels, guilds, members, roles } from '../db/schema.js';
import { transact } from '../db/tx.js';
import { ApiError, invalidField } from '../http/errors.js';
import { doRemoveMember } from '../members/service.js';
import { accessGuild, loadGuildAccess } from '../permissions/access.js';
import { loadGuildCreate, loadGuildRoles, memberCount } from './guild-create.js';
import type { OnlineCounter } from './online-count.js';
import { type GuildRow, toWireGuild } from './wire.js';

export { loadGuildCreate, loadGuildRoles, memberCount };

const MAX_GUILDS_PER_USER = 100;

/** Discord's limit of 100 guilds per user (30001), checked before creating or joining one. */
export async function checkGuildQuota(q: Queryable, userId: string): Promise<void> {
  const [{ n }] = await q.select({ n: count() }).from(members).where(eq(members.userId, userId));
  if (Number(n) >= MAX_GUILDS_PER_USER) throw new ApiError(Errors.MAX_GUILDS);
}

/**
 * A new guild as Discord makes one: the caller owns it; @everyone (id = guild id) with the default
 * permissions; categories "Text Channels" and "Voice Channels" holding #general and General.
 * Emits GUILD_CREATE to the owner. Returns the guild object with its channels.
 */
export async function doCreateGuild(ctx: AppContext, who: Caller, body: { name: string }) {
  const name = body.name.trim();
  if (name.length < 2 || name.length > 100) throw invalidField('name', 'BASE_TYPE_BAD_LENGTH', 'Must be between 2 and 100 in length.');
  await checkGuildQuota(ctx.db, who.id);
  return transact(ctx, async (tx, emit) => {
    const guildId = ctx.ids.next();
    const textCat = ctx.ids.next();
    const voiceCat = ctx.ids.next();
    const general = ctx.ids.next();
    await tx.insert(guilds).values({ id: guildId, name, ownerId: who.id, systemChannelId: general });
    await tx
      .insert(roles)
      .values({ id: guildId, guildId, name: '@everyone', position: 0, permissions: DEFAULT_EVERYONE_PERMISSIONS.toString() });
    await tx.insert(channels).values([
      { id: textCat, guildId, type: 4, name: 'Text Channels', position: 0 },
      { id: voiceCat, guildId, type: 4, name: 'Voice Channels', position: 1 },
      { id: general, guildId, type: 0, name: 'general', position: 0, parentId: textCat },
      { id: ctx.ids.next(), guildId, type: 2, name: 'General', position: 0, parentId: voiceCat, bitrate: 64000, userLimit: 0 },
    ]);
    await tx.insert(members).values({ guildId, userId: who.id });
    const wire = await loadGuildCreate(tx, await accessGuild(tx, guildId, who.id));
    emit({ t: 'GUILD_CREATE', d: wire, user_ids: [who.id], meta: { guild_id: guildId, join: who.id } });
    return wire;
  });
}

/** GET /guilds/{id}: any member. */
export async function accessGetGuild(ctx: AppContext, who: Caller, guildId: string, countOnline: OnlineCounter | null) {
  const access = await accessGuild(ctx.db, guildId, who.id);
  const wire = toWireGuild(access.guild, await loadGuildRoles(ctx.db, guildId));
  if (!countOnline) return wire;
  return { ...wire, approximate_member_count: await memberCount(ctx.db, guildId), approximate_presence_count: await countOnline(guildId) };
}

async function checkGuildChannel(q: Queryable, guildId: string, channelId: string | null | undefined, type: number, field: string) {
  if (!channelId) return;
  const [c] = await q
    .select({ type: channels.type })
    .from(channels)
    .where(and(eq(channels.id, channelId), eq(channels.guildId, guildId)));
  if (!c || c.type !== type) throw invalidField(field, 'CHANNEL_INVALID', 'Not a valid channel of this guild.');
}

/** PATCH /guilds/{id}: MANAGE_GUILD; `owner_id` only by the owner, to a member. */
export async function doUpdateGuild(ctx: AppContext, who: Caller, guildId: string, body: PatchGuildBody, reason: string | null) {
  return transact(ctx, async (tx, emit) => {
    const access = await accessGuild(tx, guildId, who.id, Permissions.MANAGE_GUILD);
    const g = access.guild;
    if (body.owner_id !== undefined && body.owner_id !== g.ownerId) {
      if (g.ownerId !== who.id) throw new ApiError(Errors.MISSING_PERMISSIONS);
      const [m] = await tx
        .select()
        .from(members)
        .where(and(eq(members.guildId, guildId), eq(members.userId, body.owner_id)));
      if (!m) throw invalidField('owner_id', 'GUILD_OWNER_INVALID', 'The new owner must be a member of the guild.');
    }
    await checkGuildChannel(tx, guildId, body.afk_channel_id, 2, 'afk_channel_id');
    await checkGuildChannel(tx, guildId, body.system_channel_id, 0, 'system_channel_id');
    const patch: Partial<GuildRow> = {};
    if (body.name !== undefined) {
      const name = body.name.trim();
      if (name.length < 2) throw invalidField('name', 'BASE_TYPE_BAD_LENGTH', 'Must be between 2 and 100 in length.');
      patch.name = name;
    }
    if (body.icon !== undefined) patch.icon = await doStoreImage(ctx, 'icons', guildId, body.icon, 'icon');
    if (body.description !== undefined) patch.description = body.description;
    if (body.owner_id !== undefined) patch.ownerId = body.owner_id;
    if (body.afk_channel_id !== undefined) patch.afkChannelId = body.afk_channel_id;
    if (body.afk_timeout !== undefined) patch.afkTimeout = body.afk_timeout;
    if (body.system_channel_id !== undefined) patch.systemChannelId = body.system_channel_id;
    if (body.verification_level !== undefined) patch.verificationLevel = body.verification_level;
    if (body.default_message_notifications !== undefined) patch.defaultMessageNotifications = body.default_message_notifications;
    const [row] = Object.keys(patch).length ? await tx.update(guilds).set(patch).where(eq(guilds.id, guildId)).returning() : [g];
    const roleRows = await loadGuildRoles(tx, guildId);
    const before = toWireGuild(g, roleRows);
    const after = toWireGuild(row, roleRows);
    const changes = diffChanges(before, after, [
      'name',
      'icon',
      'description',
      'owner_id',
      'afk_channel_id',
      'afk_timeout',
      'system_channel_id',
      'verification_level',
      'default_message_notifications',
    ]);
    if (changes.length) {
      await doRecordAudit(ctx, tx, emit, {
        guildId,
        userId: who.id,
        targetId: guildId,
        actionType: AuditLogEvent.GUILD_UPDATE,
        changes,
        reason,
      });
      emit({
        t: 'GUILD_UPDATE',
        d: { ...after, guild_id: guildId },
        guild_id: guildId,
        meta: row.ownerId !== g.ownerId ? { permissions_changed: true } : undefined,
      });
    }
    return after;
  });
}

/** DELETE /guilds/{id}: owner only. Every member receives GUILD_DELETE. */
export async function doDeleteGuild(ctx: AppContext, who: Caller, guildId: string) {
  await transact(ctx, async (tx, emit) => {
    const access = await accessGuild(tx, guildId, who.id);
    if (access.guild.ownerId !== who.id) throw new ApiError(Errors.MISSING_PERMISSIONS);
    const memberIds = (await tx.select({ id: members.userId }).from(members).where(eq(members.guildId, guildId))).map((m) => m.id);
    await tx.delete(guilds).where(eq(guilds.id, guildId));
    emit({ t: 'GUILD_DELETE', d: { id: guildId }, guild_id: guildId, user_ids: memberIds, meta: { deleted: true, member_ids: memberIds } });
  });
}

/** GET /users/@me/guilds: partial guilds with the caller's permissions, by id. */
export async function listMyGuilds(ctx: AppContext, who: Caller, query: MyGuildsQuery, countOnline: OnlineCounter) {
  const where = [eq(members.userId, who.id)];
  if (query.after) where.push(gt(guilds.id, query.after));
  if (query.before) where.push(lt(guilds.id, query.before));
  const rows = await ctx.db
    .select({ guild: guilds })
    .from(members)
    .innerJoin(guilds, eq(guilds.id, members.guildId))
    .where(and(...where))
    .orderBy(query.before && !query.after ? desc(guilds.id) : asc(guilds.id))
    .limit(query.limit ?? 200);
  rows.sort((a, b) => (BigInt(a.guild.id) < BigInt(b.guild.id) ? -1 : 1));
  const out = [];
  for (const { guild: g } of rows) {
    const access = await loadGuildAccess(ctx.db, g.id, who.id);
    if (!access) continue;
    out.push({
      id: g.id,
      name: g.name,
      icon: g.icon,
      owner: g.ownerId === who.id,
      permissions: access.permissions.toString(),
      features: [] as string[],
      ...(query.with_counts
        ? { approximate_member_count: await memberCount(ctx.db, g.id), approximate_presence_count: await countOnline(g.id) }
        : {}),
    });
  }
  return out;
}

/** DELETE /users/@me/guilds/{id}: leave. The owner must transfer or delete first. */
export async function doLeaveGuild(ctx: AppContext, who: Caller, guildId: string) {
  await transact(ctx, async (tx, emit) => {
    const access = await accessGuild(tx, guildId, who.id);
    if (access.guild.ownerId === who.id) throw new ApiError(Errors.OWNER_CANNOT_LEAVE);
    await doRemoveMember(tx, emit, guildId, who.id);
  });
}

/** Serialises writes that renumber positions in one guild (roles, channels) under concurrency. */
export async function lockGuild(tx: Tx, guildId: string): Promise<void> {
  await tx.execute(sql`select id from guilds where id = ${guildId} for update`);
}
