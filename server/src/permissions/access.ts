import {
  computeBasePermissions,
  computeChannelPermissions,
  Errors,
  hasPermission,
  type PermissionContext,
  Permissions,
} from '@retrocast/protocol';
import { and, eq } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { channelRecipients, channels, guilds, memberRoles, members, permissionOverwrites, roles } from '../db/schema.js';
import { type GuildStateCache, guildStateCacheOf } from '../guild-state/cache.js';
import { ApiError } from '../http/errors.js';

type GuildRow = typeof guilds.$inferSelect;
type ChannelRow = typeof channels.$inferSelect;

/** What a DM participant may do. */
const DM_PERMISSIONS =
  Permissions.VIEW_CHANNEL |
  Permissions.SEND_MESSAGES |
  Permissions.READ_MESSAGE_HISTORY |
  Permissions.ATTACH_FILES |
  Permissions.EMBED_LINKS |
  Permissions.ADD_REACTIONS |
  Permissions.MENTION_EVERYONE |
  // DM calls
  Permissions.CONNECT |
  Permissions.SPEAK;

export interface GuildAccess {
  guild: GuildRow;
  ctx: PermissionContext;
  /** Guild-level permissions. */
  permissions: bigint;
}

/**
 * Loads the member's permission context in a guild; null when the guild or membership is missing.
 * Given the database itself (not a transaction), it reads the guild state cache (guild-state/).
 */
export async function loadGuildAccess(q: Queryable, guildId: string, userId: string): Promise<GuildAccess | null> {
  const cache = guildStateCacheOf(q);
  if (!cache) return loadGuildAccessFromDb(q, guildId, userId);
  const access = await cachedGuildAccess(cache, guildId, userId);
  if (cache.mode === 'verify') agree(access, await loadGuildAccessFromDb(q, guildId, userId), `guild ${guildId} user ${userId}`);
  return access;
}

async function cachedGuildAccess(cache: GuildStateCache, guildId: string, userId: string): Promise<GuildAccess | null> {
  const state = await cache.guild(guildId);
  if (!state?.members.has(userId)) return null;
  return { guild: state.guild, ctx: state.permissionContext(userId), permissions: state.basePermissions(userId) };
}

/** GUILD_CACHE=verify (tests): every cached answer is checked against the database. */
function agree(cached: { permissions: bigint } | null, fresh: { permissions: bigint } | null, what: string) {
  if (cached?.permissions === fresh?.permissions) return;
  throw new Error(`guild state cache disagrees with the database for ${what}: ${cached?.permissions} vs ${fresh?.permissions}`);
}

/** The same, always from the database (inside transactions, and to check the cache). */
export async function loadGuildAccessFromDb(q: Queryable, guildId: string, userId: string): Promise<GuildAccess | null> {
  const [guild] = await q.select().from(guilds).where(eq(guilds.id, guildId)).limit(1);
  if (!guild) return null;
  const [member] = await q
    .select({ userId: members.userId })
    .from(members)
    .where(and(eq(members.guildId, guildId), eq(members.userId, userId)))
    .limit(1);
  if (!member) return null;
  const [roleRows, memberRoleRows] = await Promise.all([
    q.select({ id: roles.id, permissions: roles.permissions, position: roles.position }).from(roles).where(eq(roles.guildId, guildId)),
    q
      .select({ roleId: memberRoles.roleId })
      .from(memberRoles)
      .where(and(eq(memberRoles.guildId, guildId), eq(memberRoles.userId, userId))),
  ]);
  const ctx: PermissionContext = {
    guildId,
    ownerId: guild.ownerId,
    userId,
    roles: roleRows.map((r) => ({ id: r.id, permissions: BigInt(r.permissions) })),
    memberRoleIds: memberRoleRows.map((r) => r.roleId),
  };
  return { guild, ctx, permissions: computeBasePermissions(ctx) };
}

/**
 * The guild, if the user is a member and has `needed` (guild-level). A non-member gets Unknown
 * Guild (404), never a hint that it exists; a member without the permission gets 50013.
 */
export async function accessGuild(q: Queryable, guildId: string, userId: string, needed = 0n): Promise<GuildAccess> {
  const access = await loadGuildAccess(q, guildId, userId);
  if (!access) throw new ApiError(Errors.UNKNOWN_GUILD);
  if (needed && !hasPermission(access.permissions, needed)) throw new ApiError(Errors.MISSING_PERMISSIONS);
  return access;
}

export interface ChannelAccess {
  channel: ChannelRow;
  /** Null for DM channels. */
  guild: GuildAccess | null;
  permissions: bigint;
}

export async function loadOverwrites(q: Queryable, channelId: string) {
  const rows = await q.select().from(permissionOverwrites).where(eq(permissionOverwrites.channelId, channelId));
  return rows.map((o) => ({ id: o.targetId, type: o.type as 0 | 1, allow: BigInt(o.allow), deny: BigInt(o.deny) }));
}

/** The user's permissions in a channel; null when they cannot see it at all. Cached like loadGuildAccess. */
export async function loadChannelAccess(q: Queryable, channelId: string, userId: string): Promise<ChannelAccess | null> {
  const cache = guildStateCacheOf(q);
  if (!cache) return loadChannelAccessFromDb(q, channelId, userId);
  const access = await cachedChannelAccess(cache, q, channelId, userId);
  if (cache.mode === 'verify') agree(access, await loadChannelAccessFromDb(q, channelId, userId), `channel ${channelId} user ${userId}`);
  return access;
}

async function cachedChannelAccess(cache: GuildStateCache, q: Queryable, channelId: string, userId: string): Promise<ChannelAccess | null> {
  const guildId = await cache.guildOf(channelId);
  if (guildId === undefined) return null;
  // DMs: two small queries, uncached.
  if (guildId === null) return loadChannelAccessFromDb(q, channelId, userId);
  const state = await cache.guild(guildId);
  if (!state?.members.has(userId)) return null;
  const c = state.channels.get(channelId);
  // Created after this state was loaded and its event not seen yet: ask the database.
  if (!c) return loadChannelAccessFromDb(q, channelId, userId);
  const permissions = state.permissionsIn(userId, channelId);
  if (!(permissions & Permissions.VIEW_CHANNEL)) return null;
  const guild = { guild: state.guild, ctx: state.permissionContext(userId), permissions: state.basePermissions(userId) };
  return { channel: c.row, guild, permissions };
}

/** The same, always from the database. */
export async function loadChannelAccessFromDb(q: Queryable, channelId: string, userId: string): Promise<ChannelAccess | null> {
  const [channel] = await q.select().from(channels).where(eq(channels.id, channelId)).limit(1);
  if (!channel) return null;
  if (!channel.guildId) {
    const [r] = await q
      .select()
      .from(channelRecipients)
      .where(and(eq(channelRecipients.channelId, channelId), eq(channelRecipients.userId, userId)))
      .limit(1);
    return r ? { channel, guild: null, permissions: DM_PERMISSIONS } : null;
  }
  const guild = await loadGuildAccessFromDb(q, channel.guildId, userId);
  if (!guild) return null;
  const permissions = computeChannelPermissions(guild.ctx, await loadOverwrites(q, channelId));
  if (!(permissions & Permissions.VIEW_CHANNEL)) return null;
  return { channel, guild, permissions };
}

/**
 * The channel, if the user can VIEW_CHANNEL there and has `needed`. A channel the user cannot see
 * is Unknown Channel (404), exactly like one that does not exist.
 */
export async function accessChannel(q: Queryable, channelId: string, userId: string, needed = 0n): Promise<ChannelAccess> {
  const access = await loadChannelAccess(q, channelId, userId);
  if (!access) throw new ApiError(Errors.UNKNOWN_CHANNEL);
  if (needed && !hasPermission(access.permissions, needed)) throw new ApiError(Errors.MISSING_PERMISSIONS);
  return access;
}

/** Highest role position of a member (owner: +∞). Used for the role hierarchy. */
export function highestRolePosition(access: GuildAccess, positions: Map<string, number>): number {
  if (access.ctx.userId === access.guild.ownerId) return Number.POSITIVE_INFINITY;
  let top = 0;
  for (const id of access.ctx.memberRoleIds) top = Math.max(top, positions.get(id) ?? 0);
  return top;
}
