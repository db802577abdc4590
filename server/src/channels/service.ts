import {
  AuditLogEvent,
  type ChannelPositionsBody,
  type CreateChannelBody,
  Errors,
  type PatchChannelBody,
  Permissions,
  type PutOverwriteBody,
  parsePermissions,
} from '@retrocast/protocol';
import { and, eq, sql } from 'drizzle-orm';
import { diffChanges, doRecordAudit } from '../audit-log/store.js';
import type { AppContext, Caller } from '../context.js';
import type { Tx } from '../db/client.js';
import { channelRecipients, channels, guilds, members, permissionOverwrites, roles, users } from '../db/schema.js';
import { type Emit, transact } from '../db/tx.js';
import { doCloseOrLeave, doUpdateGroupDm, isPrivateChannel } from '../dms/service.js';
import { toWireDmChannel } from '../dms/wire.js';
import { lockGuild } from '../guilds/service.js';
import { type ChannelRow, toWireChannel } from '../guilds/wire.js';
import { ApiError, invalidField } from '../http/errors.js';
import { flushLastMessages } from '../messages/last-message.js';
import { accessChannel, accessGuild, type GuildAccess } from '../permissions/access.js';
import { toWireUser, userColumns } from '../users/wire.js';
import { loadOverwriteRows, loadVisibleChannels, loadWireChannel } from './store.js';

const MAX_CHANNELS = 500;
const CHANNEL_AUDIT_KEYS = ['name', 'type', 'topic', 'position', 'parent_id', 'nsfw', 'rate_limit_per_user', 'bitrate', 'user_limit'];

/** Text channel names are lowercase with dashes (Discord turns spaces into dashes); others keep their case. */
export function checkChannelName(type: number, raw: string, field = 'name'): string {
  const trimmed = raw.trim();
  const name = type === 0 ? trimmed.toLowerCase().replace(/\s+/g, '-') : trimmed;
  if (name.length < 1 || name.length > 100) throw invalidField(field, 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.');
  if (type === 0 && !/^[\p{L}\p{N}_-]+$/u.test(name)) {
    throw invalidField(field, 'CHANNEL_NAME_INVALID', 'Text channel names may only contain letters, digits, dashes and underscores.');
  }
  return name;
}

async function checkParent(tx: Tx, guildId: string, type: number, parentId: string | null | undefined, field = 'parent_id') {
  if (!parentId) return;
  if (type === 4) throw invalidField(field, 'CHANNEL_PARENT_INVALID', 'Categories cannot have a parent.');
  const [p] = await tx
    .select({ type: channels.type })
    .from(channels)
    .where(and(eq(channels.id, parentId), eq(channels.guildId, guildId)));
  if (p?.type !== 4) throw invalidField(field, 'CHANNEL_PARENT_INVALID', 'Not a category of this guild.');
}

/**
 * Overwrite targets must be roles or members of the guild, and a caller may only allow or deny
 * bits they hold themselves in that channel (owner and administrators hold all).
 */
async function checkOverwrite(
  tx: Tx,
  access: GuildAccess,
  held: bigint,
  o: { id: string; type: 0 | 1; allow?: string | null; deny?: string | null },
  field: string,
) {
  const allow = parsePermissions(o.allow ?? '0');
  const deny = parsePermissions(o.deny ?? '0');
  if ((allow | deny) & ~held) throw new ApiError(Errors.MISSING_PERMISSIONS);
  const guildId = access.guild.id;
  if (o.type === 0) {
    const [r] = await tx
      .select({ id: roles.id })
      .from(roles)
      .where(and(eq(roles.id, o.id), eq(roles.guildId, guildId)));
    if (!r) throw invalidField(field, 'UNKNOWN_ROLE', 'Unknown role.');
  } else {
    const [m] = await tx
      .select({ id: members.userId })
      .from(members)
      .where(and(eq(members.guildId, guildId), eq(members.userId, o.id)));
    if (!m) throw invalidField(field, 'UNKNOWN_MEMBER', 'Unknown member.');
  }
  return { targetId: o.id, type: o.type, allow: allow.toString(), deny: deny.toString() };
}

function emitChannel(emit: Emit, t: string, wire: { id: string; guild_id?: string }, permissionsChanged = false) {
  emit({ t, d: wire, channel_id: wire.id, guild_id: wire.guild_id, meta: permissionsChanged ? { permissions_changed: true } : undefined });
}

/** GET /guilds/{id}/channels: the channels the member can see. */
export async function accessListChannels(ctx: AppContext, who: Caller, guildId: string) {
  return loadVisibleChannels(ctx.db, await accessGuild(ctx.db, guildId, who.id));
}

/** POST /guilds/{id}/channels: MANAGE_CHANNELS (and MANAGE_ROLES to set overwrites). */
export async function doCreateChannel(ctx: AppContext, who: Caller, guildId: string, body: CreateChannelBody, reason: string | null) {
  return transact(ctx, async (tx, emit) => {
    const access = await accessGuild(tx, guildId, who.id, Permissions.MANAGE_CHANNELS);
    const type = body.type ?? 0;
    const name = checkChannelName(type, body.name);
    await checkParent(tx, guildId, type, body.parent_id);
    const overwrites = [];
    if (body.permission_overwrites?.length) {
      if (!(access.permissions & Permissions.MANAGE_ROLES)) throw new ApiError(Errors.MISSING_PERMISSIONS);
      for (const [i, o] of body.permission_overwrites.entries())
        overwrites.push(await checkOverwrite(tx, access, access.permissions, o, `permission_overwrites.${i}.id`));
    }
    await lockGuild(tx, guildId);
    const [{ n, top }] = await tx
      .select({ n: sql<number>`count(*)::int`, top: sql<number>`coalesce(max(${channels.position}), -1)::int` })
      .from(channels)
      .where(eq(channels.guildId, guildId));
    if (Number(n) >= MAX_CHANNELS) throw new ApiError(Errors.MAX_CHANNELS);
    const id = ctx.ids.next();
    const [row] = await tx
      .insert(channels)
      .values({
        id,
        guildId,
        type,
        name,
        topic: type === 0 ? (body.topic ?? null) : null,
        position: body.position ?? Number(top) + 1,
        parentId: body.parent_id ?? null,
        nsfw: body.nsfw ?? false,
        rateLimitPerUser: type === 0 ? (body.rate_limit_per_user ?? 0) : 0,
        bitrate: type === 2 ? (body.bitrate ?? 64000) : null,
        userLimit: type === 2 ? (body.user_limit ?? 0) : null,
      })
      .returning();
    const owRows = overwrites.length
      ? await tx
          .insert(permissionOverwrites)
          .values(overwrites.map((o) => ({ ...o, channelId: id })))
          .returning()
      : [];
    const wire = toWireChannel(row, owRows);
    await doRecordAudit(ctx, tx, emit, {
      guildId,
      userId: who.id,
      targetId: id,
      actionType: AuditLogEvent.CHANNEL_CREATE,
      changes: diffChanges(null, wire, CHANNEL_AUDIT_KEYS),
      reason,
    });
    emitChannel(emit, 'CHANNEL_CREATE', wire);
    return wire;
  });
}

/** GET /channels/{id}: anyone who can see it (guild channels and DMs alike). */
export async function accessGetChannel(ctx: AppContext, who: Caller, channelId: string) {
  await flushLastMessages(ctx.db);
  const { channel } = await accessChannel(ctx.db, channelId, who.id);
  if (channel.guildId) return loadWireChannel(ctx.db, channel);
  const recipients = await ctx.db
    .select(userColumns(users))
    .from(channelRecipients)
    .innerJoin(users, eq(users.id, channelRecipients.userId))
    .where(eq(channelRecipients.channelId, channelId));
  return toWireDmChannel(channel, recipients.filter((u) => u.id !== who.id).map(toWireUser));
}

async function accessGuildChannel(tx: Tx, channelId: string, userId: string, needed: bigint) {
  const access = await accessChannel(tx, channelId, userId);
  if (!access.guild) throw new ApiError(Errors.INVALID_CHANNEL_TYPE);
  if ((access.permissions & needed) !== needed) throw new ApiError(Errors.MISSING_PERMISSIONS);
  return { channel: access.channel, guild: access.guild, permissions: access.permissions };
}

/** PATCH /channels/{id}: MANAGE_CHANNELS in the channel (MANAGE_ROLES too for overwrites). */
export async function doUpdateChannel(ctx: AppContext, who: Caller, channelId: string, body: PatchChannelBody, reason: string | null) {
  if (await isPrivateChannel(ctx.db, channelId)) return doUpdateGroupDm(ctx, who, channelId, body);
  return transact(ctx, async (tx, emit) => {
    const { channel: c, guild, permissions } = await accessGuildChannel(tx, channelId, who.id, Permissions.MANAGE_CHANNELS);
    const before = await loadWireChannel(tx, c);
    const patch: Partial<ChannelRow> = {};
    if (body.name !== undefined) patch.name = checkChannelName(c.type, body.name);
    if (body.topic !== undefined && c.type === 0) patch.topic = body.topic;
    if (body.position !== undefined) patch.position = body.position;
    if (body.parent_id !== undefined) {
      await checkParent(tx, guild.guild.id, c.type, body.parent_id);
      patch.parentId = body.parent_id;
    }
    if (body.nsfw !== undefined) patch.nsfw = body.nsfw;
    if (body.rate_limit_per_user !== undefined && c.type === 0) patch.rateLimitPerUser = body.rate_limit_per_user;
    if (body.bitrate !== undefined && c.type === 2) patch.bitrate = body.bitrate;
    if (body.user_limit !== undefined && c.type === 2) patch.userLimit = body.user_limit;
    let overwritesChanged = false;
    if (body.permission_overwrites) {
      if (!(permissions & Permissions.MANAGE_ROLES)) throw new ApiError(Errors.MISSING_PERMISSIONS);
      const rows = [];
      for (const [i, o] of body.permission_overwrites.entries())
        rows.push(await checkOverwrite(tx, guild, permissions, o, `permission_overwrites.${i}.id`));
      await tx.delete(permissionOverwrites).where(eq(permissionOverwrites.channelId, channelId));
      if (rows.length) await tx.insert(permissionOverwrites).values(rows.map((o) => ({ ...o, channelId })));
      overwritesChanged = true;
    }
    const [row] = Object.keys(patch).length ? await tx.update(channels).set(patch).where(eq(channels.id, channelId)).returning() : [c];
    const after = await loadWireChannel(tx, row);
    const changes = diffChanges(before, after, CHANNEL_AUDIT_KEYS);
    if (changes.length)
      await doRecordAudit(ctx, tx, emit, {
        guildId: guild.guild.id,
        userId: who.id,
        targetId: channelId,
        actionType: AuditLogEvent.CHANNEL_UPDATE,
        changes,
        reason,
      });
    if (changes.length || overwritesChanged) emitChannel(emit, 'CHANNEL_UPDATE', after, overwritesChanged || patch.parentId !== undefined);
    return after;
  });
}

/** DELETE /channels/{id}: MANAGE_CHANNELS. A category's children move to the top level. */
export async function doDeleteChannel(ctx: AppContext, who: Caller, channelId: string, reason: string | null) {
  if (await isPrivateChannel(ctx.db, channelId)) return doCloseOrLeave(ctx, who, channelId);
  return transact(ctx, async (tx, emit) => {
    const { channel: c, guild } = await accessGuildChannel(tx, channelId, who.id, Permissions.MANAGE_CHANNELS);
    const guildId = guild.guild.id;
    const wire = await loadWireChannel(tx, c);
    const children = await tx.update(channels).set({ parentId: null }).where(eq(channels.parentId, channelId)).returning();
    await tx
      .update(guilds)
      .set({ systemChannelId: null })
      .where(and(eq(guilds.id, guildId), eq(guilds.systemChannelId, channelId)));
    await tx
      .update(guilds)
      .set({ afkChannelId: null })
      .where(and(eq(guilds.id, guildId), eq(guilds.afkChannelId, channelId)));
    await tx.delete(channels).where(eq(channels.id, channelId));
    await doRecordAudit(ctx, tx, emit, {
      guildId,
      userId: who.id,
      targetId: channelId,
      actionType: AuditLogEvent.CHANNEL_DELETE,
      changes: diffChanges(wire, null, CHANNEL_AUDIT_KEYS),
      reason,
    });
    for (const child of children) emitChannel(emit, 'CHANNEL_UPDATE', await loadWireChannel(tx, child), true);
    emitChannel(emit, 'CHANNEL_DELETE', wire);
    return wire;
  });
}

/** PATCH /guilds/{id}/channels: bulk positions and parents (MANAGE_CHANNELS). */
export async function doUpdateChannelPositions(
  ctx: AppContext,
  who: Caller,
  guildId: string,
  body: ChannelPositionsBody,
  reason: string | null,
) {
  await transact(ctx, async (tx, emit) => {
    await accessGuild(tx, guildId, who.id, Permissions.MANAGE_CHANNELS);
    await lockGuild(tx, guildId);
    const rows = await tx.select().from(channels).where(eq(channels.guildId, guildId));
    const byId = new Map(rows.map((r) => [r.id, r]));
    const plan: { row: ChannelRow; patch: Partial<ChannelRow>; lock: boolean }[] = [];
    for (const [i, e] of body.entries()) {
      const row = byId.get(e.id);
      if (!row) throw invalidField(`${i}.id`, 'CHANNEL_INVALID', 'Unknown channel.');
      const patch: Partial<ChannelRow> = {};
      if (e.position != null) patch.position = e.position;
      if (e.parent_id !== undefined) {
        if (e.parent_id && (row.type === 4 || byId.get(e.parent_id)?.type !== 4))
          throw invalidField(`${i}.parent_id`, 'CHANNEL_PARENT_INVALID', 'Not a category of this guild.');
        patch.parentId = e.parent_id;
      }
      plan.push({ row, patch, lock: !!e.lock_permissions && !!(patch.parentId ?? row.parentId) });
    }
    for (const { row, patch, lock } of plan) {
      const before = await loadWireChannel(tx, row);
      const [updated] = Object.keys(patch).length ? await tx.update(channels).set(patch).where(eq(channels.id, row.id)).returning() : [row];
      if (lock) await doSyncOverwrites(tx, row.id, updated.parentId as string);
      const after = await loadWireChannel(tx, updated);
      const changes = diffChanges(before, after, CHANNEL_AUDIT_KEYS);
      if (changes.length)
        await doRecordAudit(ctx, tx, emit, {
          guildId,
          userId: who.id,
          targetId: row.id,
          actionType: AuditLogEvent.CHANNEL_UPDATE,
          changes,
          reason,
        });
      if (changes.length || lock) emitChannel(emit, 'CHANNEL_UPDATE', after, lock || patch.parentId !== undefined);
    }
  });
}

/** Copies a category's overwrites onto a child (lock_permissions). */
async function doSyncOverwrites(tx: Tx, channelId: string, parentId: string) {
  const parent = (await loadOverwriteRows(tx, [parentId])).get(parentId) ?? [];
  await tx.delete(permissionOverwrites).where(eq(permissionOverwrites.channelId, channelId));
  if (parent.length) await tx.insert(permissionOverwrites).values(parent.map((o) => ({ ...o, channelId })));
}

/** PUT /channels/{id}/permissions/{overwrite_id}: MANAGE_ROLES in the channel. */
export async function doPutOverwrite(
  ctx: AppContext,
  who: Caller,
  channelId: string,
  targetId: string,
  body: PutOverwriteBody,
  reason: string | null,
) {
  await transact(ctx, async (tx, emit) => {
    const { channel, guild, permissions } = await accessGuildChannel(tx, channelId, who.id, Permissions.MANAGE_ROLES);
    // The URL names the overwrite; an `id` in the body (some libraries send one) never overrides it.
    const row = await checkOverwrite(tx, guild, permissions, { ...body, id: targetId }, 'id');
    const [old] = await tx
      .select()
      .from(permissionOverwrites)
      .where(and(eq(permissionOverwrites.channelId, channelId), eq(permissionOverwrites.targetId, targetId)));
    await tx
      .insert(permissionOverwrites)
      .values({ ...row, channelId })
      .onConflictDoUpdate({
        target: [permissionOverwrites.channelId, permissionOverwrites.targetId],
        set: { type: row.type, allow: row.allow, deny: row.deny },
      });
    const wireOld = old ? { id: old.targetId, type: old.type, allow: old.allow, deny: old.deny } : null;
    const wireNew = { id: targetId, type: row.type, allow: row.allow, deny: row.deny };
    await doRecordAudit(ctx, tx, emit, {
      guildId: guild.guild.id,
      userId: who.id,
      targetId: channelId,
      actionType: old ? AuditLogEvent.CHANNEL_OVERWRITE_UPDATE : AuditLogEvent.CHANNEL_OVERWRITE_CREATE,
      changes: diffChanges(wireOld, wireNew, old ? ['allow', 'deny'] : ['id', 'type', 'allow', 'deny']),
      options: { id: targetId, type: String(row.type) },
      reason,
    });
    emitChannel(emit, 'CHANNEL_UPDATE', await loadWireChannel(tx, channel), true);
  });
}

/** DELETE /channels/{id}/permissions/{overwrite_id}: MANAGE_ROLES; idempotent like Discord's. */
export async function doDeleteOverwrite(ctx: AppContext, who: Caller, channelId: string, targetId: string, reason: string | null) {
  await transact(ctx, async (tx, emit) => {
    const { channel, guild } = await accessGuildChannel(tx, channelId, who.id, Permissions.MANAGE_ROLES);
    const [old] = await tx
      .delete(permissionOverwrites)
      .where(and(eq(permissionOverwrites.channelId, channelId), eq(permissionOverwrites.targetId, targetId)))
      .returning();
    if (!old) return;
    await doRecordAudit(ctx, tx, emit, {
      guildId: guild.guild.id,
      userId: who.id,
      targetId: channelId,
      actionType: AuditLogEvent.CHANNEL_OVERWRITE_DELETE,
      changes: diffChanges({ id: old.targetId, type: old.type, allow: old.allow, deny: old.deny }, null),
      options: { id: targetId, type: String(old.type) },
      reason,
    });
    emitChannel(emit, 'CHANNEL_UPDATE', await loadWireChannel(tx, channel), true);
  });
}
