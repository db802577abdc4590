import {
  AuditLogEvent,
  Errors,
  type ListMembersQuery,
  type PatchMeMemberBody,
  type PatchMemberBody,
  Permissions,
  type SearchMembersQuery,
} from '@retrocast/protocol';
import { and, eq, inArray } from 'drizzle-orm';
import { diffChanges, doRecordAudit } from '../audit-log/store.js';
import type { AppContext, Caller } from '../context.js';
import type { Tx } from '../db/client.js';
import { memberRoles, members, roles, users } from '../db/schema.js';
import { type Emit, transact } from '../db/tx.js';
import { loadGuildCreate } from '../guilds/guild-create.js';
import { ApiError, invalidField } from '../http/errors.js';
import { accessGuild, type GuildAccess } from '../permissions/access.js';
import { checkMemberBelow, checkRolesBelow, loadGuildRoles, loadRolePositions } from '../roles/hierarchy.js';
import { toWireUser, userColumns } from '../users/wire.js';
import { loadWireMember, loadWireMembers } from './store.js';

type WireMember = NonNullable<Awaited<ReturnType<typeof loadWireMember>>>;

/**
 * Adds a member (inside tx; caller checked bans and invite). Emits GUILD_MEMBER_ADD to the guild
 * and GUILD_CREATE (the full guild) to the joiner. Returns null if they already were a member.
 */
export async function doAddMember(tx: Tx, emit: Emit, guildId: string, userId: string): Promise<WireMember | null> {
  const inserted = await tx.insert(members).values({ guildId, userId }).onConflictDoNothing().returning();
  if (!inserted.length) return null;
  const member = await loadWireMember(tx, guildId, userId);
  if (!member) return null;
  emit({ t: 'GUILD_MEMBER_ADD', d: { ...member, guild_id: guildId }, guild_id: guildId, meta: { join: userId } });
  const guild = await loadGuildCreate(tx, await accessGuild(tx, guildId, userId));
  emit({ t: 'GUILD_CREATE', d: guild, user_ids: [userId], meta: { guild_id: guildId, join: userId } });
  return member;
}

/**
 * Removes a member (leave, kick, ban; inside tx). Emits GUILD_MEMBER_REMOVE to the guild and
 * GUILD_DELETE to the user who left.
 */
export async function doRemoveMember(tx: Tx, emit: Emit, guildId: string, userId: string): Promise<boolean> {
  const gone = await tx
    .delete(members)
    .where(and(eq(members.guildId, guildId), eq(members.userId, userId)))
    .returning();
  if (!gone.length) return false;
  await tx.delete(memberRoles).where(and(eq(memberRoles.guildId, guildId), eq(memberRoles.userId, userId)));
  // A bot that leaves (or is kicked or banned) takes its managed role along, as on Discord.
  const managed = await tx
    .delete(roles)
    .where(and(eq(roles.guildId, guildId), eq(roles.botId, userId)))
    .returning({ id: roles.id });
  for (const r of managed)
    emit({ t: 'GUILD_ROLE_DELETE', d: { guild_id: guildId, role_id: r.id }, guild_id: guildId, meta: { permissions_changed: true } });
  const [u] = await tx.select(userColumns(users)).from(users).where(eq(users.id, userId));
  emit({ t: 'GUILD_MEMBER_REMOVE', d: { guild_id: guildId, user: toWireUser(u) }, guild_id: guildId, meta: { leave: userId } });
  emit({ t: 'GUILD_DELETE', d: { id: guildId }, user_ids: [userId], meta: { guild_id: guildId, leave: userId } });
  return true;
}

export async function accessListMembers(ctx: AppContext, who: Caller, guildId: string, query: ListMembersQuery) {
  await accessGuild(ctx.db, guildId, who.id);
  return loadWireMembers(ctx.db, guildId, { after: query.after, limit: query.limit ?? 1 });
}

/** GET /guilds/{id}/members/search: any member of the guild may search it (Discord). */
export async function accessSearchMembers(ctx: AppContext, who: Caller, guildId: string, query: SearchMembersQuery) {
  await accessGuild(ctx.db, guildId, who.id);
  return loadWireMembers(ctx.db, guildId, { prefix: query.query, limit: query.limit ?? 1 });
}

export async function accessGetMember(ctx: AppContext, who: Caller, guildId: string, userId: string) {
  await accessGuild(ctx.db, guildId, who.id);
  const m = await loadWireMember(ctx.db, guildId, userId);
  if (!m) throw new ApiError(Errors.UNKNOWN_MEMBER);
  return m;
}

async function requireMember(tx: Tx, guildId: string, userId: string): Promise<WireMember> {
  const m = await loadWireMember(tx, guildId, userId);
  if (!m) throw new ApiError(Errors.UNKNOWN_MEMBER);
  return m;
}

function require(access: GuildAccess, perm: bigint) {
  if ((access.permissions & perm) !== perm) throw new ApiError(Errors.MISSING_PERMISSIONS);
}

/** Validates a new role set against the guild and the hierarchy; returns the role rows added and removed. */
async function checkRoleChange(tx: Tx, access: GuildAccess, current: string[], wanted: string[]) {
  const guildId = access.guild.id;
  const unique = [...new Set(wanted)].filter((id) => id !== guildId);
  const found = await loadGuildRoles(tx, guildId, unique);
  if (found.length !== unique.length) throw invalidField('roles', 'INVALID_ROLE', 'Unknown role in list.');
  const added = found.filter((r) => !current.includes(r.id));
  const removed = await loadGuildRoles(
    tx,
    guildId,
    current.filter((id) => !unique.includes(id)),
  );
  checkNotManaged([...added, ...removed]);
  checkRolesBelow(
    access,
    await loadRolePositions(tx, guildId),
    [...added, ...removed].map((r) => r.id),
  );
  return { added, removed };
}

type RoleRef = { id: string; name: string };

/** A bot's managed role belongs to the bot alone: nobody, the owner included, gives or takes it (50013). */
function checkNotManaged(list: Array<{ managed: boolean }>) {
  if (list.some((r) => r.managed)) throw new ApiError(Errors.MISSING_PERMISSIONS);
}

/** Writes role additions/removals, records MEMBER_ROLE_UPDATE; inside tx. */
async function doChangeRoles(
  ctx: AppContext,
  tx: Tx,
  emit: Emit,
  who: Caller,
  guildId: string,
  userId: string,
  added: RoleRef[],
  removed: RoleRef[],
  reason: string | null,
) {
  if (!added.length && !removed.length) return;
  if (added.length)
    await tx
      .insert(memberRoles)
      .values(added.map((r) => ({ guildId, userId, roleId: r.id })))
      .onConflictDoNothing();
  if (removed.length) {
    const ids = removed.map((r) => r.id);
    await tx
      .delete(memberRoles)
      .where(and(eq(memberRoles.guildId, guildId), eq(memberRoles.userId, userId), inArray(memberRoles.roleId, ids)));
  }
  const changes = [];
  if (added.length) changes.push({ key: '$add', new_value: added.map((r) => ({ id: r.id, name: r.name })) });
  if (removed.length) changes.push({ key: '$remove', new_value: removed.map((r) => ({ id: r.id, name: r.name })) });
  await doRecordAudit(ctx, tx, emit, {
    guildId,
    userId: who.id,
    targetId: userId,
    actionType: AuditLogEvent.MEMBER_ROLE_UPDATE,
    changes,
    reason,
  });
}

function emitMemberUpdate(emit: Emit, guildId: string, member: WireMember, permissionsChanged: boolean) {
  emit({
    t: 'GUILD_MEMBER_UPDATE',
    d: { ...member, guild_id: guildId },
    guild_id: guildId,
    meta: permissionsChanged ? { permissions_changed: true, user_id: member.user.id } : undefined,
  });
}

/**
 * PATCH /guilds/{id}/members/{user_id}: nick needs MANAGE_NICKNAMES (and a target below the
 * caller, unless it is the caller), roles MANAGE_ROLES and the hierarchy, mute/deaf the voice
 * moderation permissions and a target below the caller.
 */
export async function doUpdateMember(
  ctx: AppContext,
  who: Caller,
  guildId: string,
  userId: string,
  body: PatchMemberBody,
  reason: string | null,
) {
  return transact(ctx, async (tx, emit) => {
    const access = await accessGuild(tx, guildId, who.id);
    const before = await requireMember(tx, guildId, userId);
    const patch: { nick?: string | null; mute?: boolean; deaf?: boolean } = {};
    if (body.nick !== undefined) {
      require(access, Permissions.MANAGE_NICKNAMES);
      if (userId !== who.id) await checkMemberBelow(tx, access, userId);
      patch.nick = body.nick?.trim() || null;
    }
    if (body.mute != null) {
      require(access, Permissions.MUTE_MEMBERS);
      patch.mute = body.mute;
    }
    if (body.deaf != null) {
      require(access, Permissions.DEAFEN_MEMBERS);
      patch.deaf = body.deaf;
    }
    // Server mute/deafen of someone else follows the hierarchy: nobody at or above the moderator's
    // highest role, and never the owner (the owner may do it to anyone).
    if ((body.mute != null || body.deaf != null) && userId !== who.id) await checkMemberBelow(tx, access, userId);
    let roleChange: { added: RoleRef[]; removed: RoleRef[] } = { added: [], removed: [] };
    if (body.roles != null) {
      require(access, Permissions.MANAGE_ROLES);
      roleChange = await checkRoleChange(tx, access, before.roles, body.roles);
    }
    if (Object.keys(patch).length)
      await tx
        .update(members)
        .set(patch)
        .where(and(eq(members.guildId, guildId), eq(members.userId, userId)));
    await doChangeRoles(ctx, tx, emit, who, guildId, userId, roleChange.added, roleChange.removed, reason);
    const after = await requireMember(tx, guildId, userId);
    const changes = diffChanges(before, after, ['nick', 'mute', 'deaf']);
    if (changes.length)
      await doRecordAudit(ctx, tx, emit, {
        guildId,
        userId: who.id,
        targetId: userId,
        actionType: AuditLogEvent.MEMBER_UPDATE,
        changes,
        reason,
      });
    const rolesChanged = roleChange.added.length + roleChange.removed.length > 0;
    if (changes.length || rolesChanged) emitMemberUpdate(emit, guildId, after, rolesChanged);
    return after;
  });
}

/** PATCH /guilds/{id}/members/@me: own nickname, CHANGE_NICKNAME. */
export async function doUpdateMe(ctx: AppContext, who: Caller, guildId: string, body: PatchMeMemberBody, reason: string | null) {
  return transact(ctx, async (tx, emit) => {
    const access = await accessGuild(tx, guildId, who.id);
    const before = await requireMember(tx, guildId, who.id);
    if (body.nick === undefined) return before;
    if (!(access.permissions & (Permissions.CHANGE_NICKNAME | Permissions.MANAGE_NICKNAMES)))
      throw new ApiError(Errors.MISSING_PERMISSIONS);
    await tx
      .update(members)
      .set({ nick: body.nick?.trim() || null })
      .where(and(eq(members.guildId, guildId), eq(members.userId, who.id)));
    const after = await requireMember(tx, guildId, who.id);
    const changes = diffChanges(before, after, ['nick']);
    if (changes.length) {
      await doRecordAudit(ctx, tx, emit, {
        guildId,
        userId: who.id,
        targetId: who.id,
        actionType: AuditLogEvent.MEMBER_UPDATE,
        changes,
        reason,
      });
      emitMemberUpdate(emit, guildId, after, false);
    }
    return after;
  });
}

/** PUT/DELETE /guilds/{id}/members/{user_id}/roles/{role_id}: MANAGE_ROLES + hierarchy. */
export async function doSetMemberRole(
  ctx: AppContext,
  who: Caller,
  guildId: string,
  userId: string,
  roleId: string,
  add: boolean,
  reason: string | null,
) {
  await transact(ctx, async (tx, emit) => {
    const access = await accessGuild(tx, guildId, who.id, Permissions.MANAGE_ROLES);
    const member = await requireMember(tx, guildId, userId);
    const [role] = await loadGuildRoles(tx, guildId, [roleId]);
    if (!role || role.id === guildId) throw new ApiError(Errors.UNKNOWN_ROLE);
    checkNotManaged([role]);
    checkRolesBelow(access, await loadRolePositions(tx, guildId), [roleId]);
    const has = member.roles.includes(roleId);
    if (has === add) return;
    await doChangeRoles(ctx, tx, emit, who, guildId, userId, add ? [role] : [], add ? [] : [role], reason);
    emitMemberUpdate(emit, guildId, await requireMember(tx, guildId, userId), true);
  });
}

/** DELETE /guilds/{id}/members/{user_id}: KICK_MEMBERS, target strictly below the caller. */
export async function doKickMember(ctx: AppContext, who: Caller, guildId: string, userId: string, reason: string | null) {
  await transact(ctx, async (tx, emit) => {
    const access = await accessGuild(tx, guildId, who.id, Permissions.KICK_MEMBERS);
    await requireMember(tx, guildId, userId);
    await checkMemberBelow(tx, access, userId);
    await doRemoveMember(tx, emit, guildId, userId);
    await doRecordAudit(ctx, tx, emit, { guildId, userId: who.id, targetId: userId, actionType: AuditLogEvent.MEMBER_KICK, reason });
  });
}
