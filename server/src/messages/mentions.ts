import { type AllowedMentions, computeChannelPermissions, type PermissionOverwrite, Permissions, type User } from '@retrocast/protocol';
import { and, eq, inArray } from 'drizzle-orm';
import type { PresenceReader } from '../context.js';
import type { Queryable } from '../db/client.js';
import { channelRecipients, memberRoles, members, roles, users } from '../db/schema.js';
import { guildStateCacheOf } from '../guild-state/cache.js';
import { type ChannelAccess, loadOverwrites } from '../permissions/access.js';
import { toWireUser, userColumns } from '../users/wire.js';
import { idInRange } from './store.js';

/** What the text itself names; nothing is resolved or permitted yet. */
export interface ParsedMentions {
  users: string[];
  roles: string[];
  everyone: boolean;
  /** Only `@here` (no `@everyone`): the everyone-ping reaches online members only. */
  here: boolean;
}

/** `<@id>`, `<@!id>`, `<@&role>`, `@everyone`, `@here`, as Discord's client writes them. */
export function parseMentions(content: string): ParsedMentions {
  const userIds = new Set<string>();
  const roleIds = new Set<string>();
  for (const m of content.matchAll(/<@(!|&)?(\d{1,19})>/g)) if (idInRange(m[2])) (m[1] === '&' ? roleIds : userIds).add(m[2]);
  const everyone = /@everyone\b/.test(content);
  const here = /@here\b/.test(content);
  return { users: [...userIds], roles: [...roleIds], everyone: everyone || here, here: here && !everyone };
}

/** Who the message actually pings, stored on the message (`mentions`, `mention_roles`, `mention_everyone`). */
export interface ResolvedMentions {
  users: string[];
  roles: string[];
  /** Stored as mention_everyone; true for `@here` too, as on Discord. */
  everyone: boolean;
  /** The everyone-ping was `@here`: it raises mention counts of online members only. */
  here?: boolean;
  /** The pinged users' user objects (loaded to check they exist), for the wire message. */
  found?: Map<string, User>;
}

/**
 * Applies allowed_mentions and the author's permissions to parsed mentions: @everyone/@here only
 * with MENTION_EVERYONE, a role only if mentionable (or the author may mention everyone), users only
 * if they exist. A reply pings the replied-to author unless allowed_mentions says otherwise
 * (when allowed_mentions is given, replied_user defaults to false, as on Discord).
 */
export async function resolveMentions(
  q: Queryable,
  access: ChannelAccess,
  parsed: ParsedMentions,
  allowed: AllowedMentions | null | undefined,
  repliedUserId?: string,
): Promise<ResolvedMentions> {
  const parse = new Set(allowed ? (allowed.parse ?? []) : ['users', 'roles', 'everyone']);
  const canEveryone = (access.permissions & Permissions.MENTION_EVERYONE) !== 0n;

  let userIds = parse.has('users') ? parsed.users : parsed.users.filter((id) => allowed?.users?.includes(id));
  if (repliedUserId && (allowed ? allowed.replied_user === true : true)) userIds = [...new Set([...userIds, repliedUserId])];
  const existing = userIds.length
    ? await q
        .select(userColumns(users))
        .from(users)
        .where(inArray(users.id, userIds.slice(0, 100)))
    : [];
  const found = new Map(existing.map((u) => [u.id, toWireUser(u)]));
  const known = new Set(found.keys());

  let roleIds = parse.has('roles') ? parsed.roles : parsed.roles.filter((id) => allowed?.roles?.includes(id));
  const guildId = access.channel.guildId;
  if (!guildId || !roleIds.length) roleIds = [];
  else {
    const rows = await q
      .select({ id: roles.id, mentionable: roles.mentionable })
      .from(roles)
      .where(and(eq(roles.guildId, guildId), inArray(roles.id, roleIds.slice(0, 100))));
    const ok = new Set(rows.filter((r) => r.mentionable || canEveryone).map((r) => r.id));
    roleIds = roleIds.filter((id) => ok.has(id) && id !== guildId);
  }
  return {
    users: userIds.filter((id) => known.has(id)),
    roles: roleIds,
    everyone: parsed.everyone && parse.has('everyone') && canEveryone,
    here: parsed.here,
    found,
  };
}

/**
 * Users whose unread mention count the message raises: pinged users, members of pinged roles, or
 * everyone (`@here`: everyone online, idle or dnd per `presence`), restricted to those who can see
 * the channel, never the author.
 */
export async function mentionTargets(
  q: Queryable,
  access: ChannelAccess,
  mentions: ResolvedMentions,
  authorId: string,
  presence?: PresenceReader,
): Promise<string[]> {
  const { channel, guild } = access;
  // In DMs and group DMs every message counts for the others, as on Discord (the unread badge).
  if (!guild) {
    const rows = await q
      .select({ id: channelRecipients.userId })
      .from(channelRecipients)
      .where(eq(channelRecipients.channelId, channel.id));
    return rows.map((r) => r.id).filter((id) => id !== authorId);
  }
  if (!mentions.users.length && !mentions.roles.length && !mentions.everyone) return [];
  const { ids: memberIds, rolesOf, overwrites } = await audience(q, guild.guild.id, channel.id);
  const pingedUsers = new Set(mentions.users);
  const pingedRoles = new Set(mentions.roles);
  const here = await hereSet(presence, mentions, memberIds);
  return memberIds
    .filter((id) => id !== authorId)
    .filter(
      (id) =>
        (mentions.everyone && (!here || here.has(id))) || pingedUsers.has(id) || (rolesOf.get(id) ?? []).some((r) => pingedRoles.has(r)),
    )
    .filter((id) => {
      const perms = computeChannelPermissions({ ...guild.ctx, userId: id, memberRoleIds: rolesOf.get(id) ?? [] }, overwrites);
      return (perms & Permissions.VIEW_CHANNEL) !== 0n;
    });
}

/** The guild's members with their roles and the channel's overwrites: from the guild state cache, else three queries. */
async function audience(q: Queryable, guildId: string, channelId: string) {
  const state = await guildStateCacheOf(q)?.guild(guildId);
  const cached = state?.channels.get(channelId);
  if (state && cached)
    return { ids: [...state.members.keys()], rolesOf: state.members, overwrites: cached.overwrites as PermissionOverwrite[] };
  const [memberRows, roleLinks, overwrites] = await Promise.all([
    q.select({ id: members.userId }).from(members).where(eq(members.guildId, guildId)),
    q.select({ userId: memberRoles.userId, roleId: memberRoles.roleId }).from(memberRoles).where(eq(memberRoles.guildId, guildId)),
    loadOverwrites(q, channelId),
  ]);
  const rolesOf = new Map<string, string[]>();
  for (const l of roleLinks) rolesOf.set(l.userId, [...(rolesOf.get(l.userId) ?? []), l.roleId]);
  return { ids: memberRows.map((m) => m.id), rolesOf, overwrites };
}

/** For an `@here` ping: those of `userIds` who show as present (undefined: not an @here). */
async function hereSet(presence: PresenceReader | undefined, mentions: ResolvedMentions, userIds: string[]) {
  if (!mentions.everyone || !mentions.here) return undefined;
  const statuses = presence && userIds.length ? await presence.get(userIds) : new Map<string, string>();
  return new Set([...statuses].filter(([, s]) => s !== 'offline').map(([id]) => id));
}
