import { Errors } from '@retrocast/protocol';
import { and, eq, inArray } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { memberRoles, roles } from '../db/schema.js';
import { ApiError } from '../http/errors.js';
import { type GuildAccess, highestRolePosition } from '../permissions/access.js';

/**
 * Discord's role hierarchy: nobody manages a role at or above their own highest role, grants
 * permissions they lack, or acts on a member whose highest role is at or above theirs. The owner
 * is above everything.
 */
export async function loadRolePositions(q: Queryable, guildId: string): Promise<Map<string, number>> {
  const rows = await q.select({ id: roles.id, position: roles.position }).from(roles).where(eq(roles.guildId, guildId));
  return new Map(rows.map((r) => [r.id, r.position]));
}

export function isOwner(access: GuildAccess): boolean {
  return access.ctx.userId === access.guild.ownerId;
}

/** Throws 50013 unless every role in `roleIds` sits strictly below the caller's highest role. */
export function checkRolesBelow(access: GuildAccess, positions: Map<string, number>, roleIds: string[]): void {
  if (isOwner(access)) return;
  const top = highestRolePosition(access, positions);
  for (const id of roleIds) {
    if ((positions.get(id) ?? 0) >= top) throw new ApiError(Errors.MISSING_PERMISSIONS);
  }
}

/** Throws 50013 if `perms` contains a bit the caller does not have (owner and admins have all). */
export function checkGrantable(access: GuildAccess, perms: bigint): void {
  if (perms & ~access.permissions) throw new ApiError(Errors.MISSING_PERMISSIONS);
}

/** Throws 50013 unless the target member is strictly below the caller (and is not the owner). */
export async function checkMemberBelow(q: Queryable, access: GuildAccess, targetUserId: string): Promise<void> {
  if (targetUserId === access.guild.ownerId) throw new ApiError(Errors.MISSING_PERMISSIONS);
  if (isOwner(access)) return;
  const positions = await loadRolePositions(q, access.guild.id);
  const targetRoles = await q
    .select({ roleId: memberRoles.roleId })
    .from(memberRoles)
    .where(and(eq(memberRoles.guildId, access.guild.id), eq(memberRoles.userId, targetUserId)));
  const targetTop = Math.max(0, ...targetRoles.map((r) => positions.get(r.roleId) ?? 0));
  if (targetTop >= highestRolePosition(access, positions)) throw new ApiError(Errors.MISSING_PERMISSIONS);
}

/** Role rows of the guild by id; ids that are not roles of this guild are absent. */
export async function loadGuildRoles(q: Queryable, guildId: string, ids: string[]) {
  if (!ids.length) return [];
  return q
    .select()
    .from(roles)
    .where(and(eq(roles.guildId, guildId), inArray(roles.id, ids)));
}
