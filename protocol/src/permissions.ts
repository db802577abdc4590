/**
 * Discord's permission bits (API v10) and Discord's documented algorithm for computing a member's
 * permissions in a guild and in a channel. Pure: callers load the rows, this does the arithmetic.
 */
export const Permissions = {
  CREATE_INSTANT_INVITE: 1n << 0n,
  KICK_MEMBERS: 1n << 1n,
  BAN_MEMBERS: 1n << 2n,
  ADMINISTRATOR: 1n << 3n,
  MANAGE_CHANNELS: 1n << 4n,
  MANAGE_GUILD: 1n << 5n,
  ADD_REACTIONS: 1n << 6n,
  VIEW_AUDIT_LOG: 1n << 7n,
  PRIORITY_SPEAKER: 1n << 8n,
  STREAM: 1n << 9n,
  VIEW_CHANNEL: 1n << 10n,
  SEND_MESSAGES: 1n << 11n,
  SEND_TTS_MESSAGES: 1n << 12n,
  MANAGE_MESSAGES: 1n << 13n,
  EMBED_LINKS: 1n << 14n,
  ATTACH_FILES: 1n << 15n,
  READ_MESSAGE_HISTORY: 1n << 16n,
  MENTION_EVERYONE: 1n << 17n,
  USE_EXTERNAL_EMOJIS: 1n << 18n,
  VIEW_GUILD_INSIGHTS: 1n << 19n,
  CONNECT: 1n << 20n,
  SPEAK: 1n << 21n,
  MUTE_MEMBERS: 1n << 22n,
  DEAFEN_MEMBERS: 1n << 23n,
  MOVE_MEMBERS: 1n << 24n,
  USE_VAD: 1n << 25n,
  CHANGE_NICKNAME: 1n << 26n,
  MANAGE_NICKNAMES: 1n << 27n,
  MANAGE_ROLES: 1n << 28n,
  MANAGE_WEBHOOKS: 1n << 29n,
  MANAGE_GUILD_EXPRESSIONS: 1n << 30n,
} as const;

export type PermissionName = keyof typeof Permissions;

export const ALL_PERMISSIONS: bigint = Object.values(Permissions).reduce((a, b) => a | b, 0n);

/** What @everyone gets in a new guild (Discord's defaults for the 2016 feature set). */
export const DEFAULT_EVERYONE_PERMISSIONS: bigint =
  Permissions.CREATE_INSTANT_INVITE |
  Permissions.ADD_REACTIONS |
  Permissions.STREAM |
  Permissions.VIEW_CHANNEL |
  Permissions.SEND_MESSAGES |
  Permissions.EMBED_LINKS |
  Permissions.ATTACH_FILES |
  Permissions.READ_MESSAGE_HISTORY |
  Permissions.MENTION_EVERYONE |
  Permissions.USE_EXTERNAL_EMOJIS |
  Permissions.CONNECT |
  Permissions.SPEAK |
  Permissions.USE_VAD |
  Permissions.CHANGE_NICKNAME;

/** Permissions that only mean something when the member can send messages in the channel. */
const SEND_DEPENDENT =
  Permissions.SEND_TTS_MESSAGES |
  Permissions.MENTION_EVERYONE |
  Permissions.ATTACH_FILES |
  Permissions.EMBED_LINKS;

export const OverwriteType = { ROLE: 0, MEMBER: 1 } as const;

export interface PermissionRole {
  id: string;
  permissions: bigint;
}

export interface PermissionOverwrite {
  id: string;
  type: 0 | 1;
  allow: bigint;
  deny: bigint;
}

export interface PermissionContext {
  guildId: string;
  ownerId: string;
  userId: string;
  /** Every role of the guild that matters: at least @everyone (id = guild id) and the member's. */
  roles: PermissionRole[];
  /** The member's role ids (without @everyone). */
  memberRoleIds: string[];
}

/** Guild-level permissions: owner → all; @everyone | member roles; ADMINISTRATOR → all. */
export function computeBasePermissions(ctx: PermissionContext): bigint {
  if (ctx.userId === ctx.ownerId) return ALL_PERMISSIONS;
  const byId = new Map(ctx.roles.map((r) => [r.id, r]));
  let perms = byId.get(ctx.guildId)?.permissions ?? 0n;
  for (const roleId of ctx.memberRoleIds) perms |= byId.get(roleId)?.permissions ?? 0n;
  if (perms & Permissions.ADMINISTRATOR) return ALL_PERMISSIONS;
  return perms;
}

/**
 * Channel-level permissions: base, then overwrites for @everyone, then the member's roles
 * (allows and denies combined, deny applied first), then the member. Without VIEW_CHANNEL nothing
 * else applies; without SEND_MESSAGES the send-dependent permissions go too.
 */
export function computeChannelPermissions(
  ctx: PermissionContext,
  overwrites: PermissionOverwrite[],
): bigint {
  const base = computeBasePermissions(ctx);
  if (base & Permissions.ADMINISTRATOR || ctx.userId === ctx.ownerId) return ALL_PERMISSIONS;
  let perms = base;
  const everyone = overwrites.find((o) => o.type === OverwriteType.ROLE && o.id === ctx.guildId);
  if (everyone) perms = (perms & ~everyone.deny) | everyone.allow;
  const memberRoles = new Set(ctx.memberRoleIds);
  let allow = 0n;
  let deny = 0n;
  for (const o of overwrites) {
    if (o.type === OverwriteType.ROLE && o.id !== ctx.guildId && memberRoles.has(o.id)) {
      allow |= o.allow;
      deny |= o.deny;
    }
  }
  perms = (perms & ~deny) | allow;
  const member = overwrites.find((o) => o.type === OverwriteType.MEMBER && o.id === ctx.userId);
  if (member) perms = (perms & ~member.deny) | member.allow;
  if (!(perms & Permissions.VIEW_CHANNEL)) return 0n;
  if (!(perms & Permissions.SEND_MESSAGES)) perms &= ~SEND_DEPENDENT;
  return perms;
}

export function hasPermission(perms: bigint, needed: bigint): boolean {
  return (perms & needed) === needed;
}

/** Permission bits parsed from the wire (decimal string); invalid input throws RangeError. */
export function parsePermissions(value: string | number | bigint): bigint {
  const v = BigInt(value);
  if (v < 0n) throw new RangeError('negative permissions');
  return v & ALL_PERMISSIONS;
}
