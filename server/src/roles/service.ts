import {
  AuditLogEvent,
  type CreateRoleBody,
  Errors,
  type PatchRoleBody,
  Permissions,
  parsePermissions,
  type RolePositionsBody,
} from '@retrocast/protocol';
import { asc, eq, sql } from 'drizzle-orm';
import { diffChanges, doRecordAudit } from '../audit-log/store.js';
import type { AppContext, Caller } from '../context.js';
import type { Queryable } from '../db/client.js';
import { roles } from '../db/schema.js';
import { type Emit, transact } from '../db/tx.js';
import { loadGuildRoles as loadAllRoles, lockGuild } from '../guilds/service.js';
import { type RoleRow, toWireRole } from '../guilds/wire.js';
import { ApiError, invalidField } from '../http/errors.js';
import { accessGuild, type GuildAccess, highestRolePosition } from '../permissions/access.js';
import { checkGrantable, checkRolesBelow, loadRolePositions } from './hierarchy.js';

const MAX_ROLES = 250;
const ROLE_AUDIT_KEYS = ['name', 'color', 'hoist', 'mentionable', 'permissions'];

const byPosition = (a: RoleRow, b: RoleRow) => a.position - b.position || (BigInt(a.id) < BigInt(b.id) ? -1 : 1);

function emitRole(emit: Emit, t: string, guildId: string, role: RoleRow, permissionsChanged: boolean) {
  emit({
    t,
    d: { guild_id: guildId, role: toWireRole(role) },
    guild_id: guildId,
    meta: permissionsChanged ? { permissions_changed: true } : undefined,
  });
}

/** GET /guilds/{id}/roles: any member. */
export async function accessListRoles(ctx: AppContext, who: Caller, guildId: string) {
  await accessGuild(ctx.db, guildId, who.id);
  return (await loadAllRoles(ctx.db, guildId)).sort(byPosition).map(toWireRole);
}

/** GET /guilds/{id}/roles/{role_id} (discord.js fetches one role this way). */
export async function accessGetRole(ctx: AppContext, who: Caller, guildId: string, roleId: string) {
  await accessGuild(ctx.db, guildId, who.id);
  return toWireRole(await requireRole(ctx.db, guildId, roleId));
}

function checkPermissionsField(access: GuildAccess, value: string): bigint {
  let perms: bigint;
  try {
    perms = parsePermissions(value);
  } catch {
    throw invalidField('permissions', 'NUMBER_TYPE_COERCE', 'Not a valid permission bitfield.');
  }
  checkGrantable(access, perms);
  return perms;
}

/**
 * POST /guilds/{id}/roles: MANAGE_ROLES, only with permissions the caller holds. Like Discord, the
 * new role goes to position 1 (just above @everyone) and the others move up.
 */
export async function doCreateRole(ctx: AppContext, who: Caller, guildId: string, body: CreateRoleBody, reason: string | null) {
  return transact(ctx, async (tx, emit) => {
    const access = await accessGuild(tx, guildId, who.id, Permissions.MANAGE_ROLES);
    const everyone = access.ctx.roles.find((r) => r.id === guildId)?.permissions ?? 0n;
    const perms = body.permissions !== undefined ? checkPermissionsField(access, body.permissions) : everyone & access.permissions;
    await lockGuild(tx, guildId);
    const [{ n }] = await tx.select({ n: sql<number>`count(*)::int` }).from(roles).where(eq(roles.guildId, guildId));
    if (Number(n) >= MAX_ROLES) throw new ApiError(Errors.MAX_ROLES);
    const moved = await tx
      .update(roles)
      .set({ position: sql`${roles.position} + 1` })
      .where(sql`${roles.guildId} = ${guildId} and ${roles.position} >= 1`)
      .returning();
    const [row] = await tx
      .insert(roles)
      .values({
        id: ctx.ids.next(),
        guildId,
        name: body.name?.trim() || 'new role',
        permissions: perms.toString(),
        color: body.color ?? 0,
        hoist: body.hoist ?? false,
        mentionable: body.mentionable ?? false,
        position: 1,
      })
      .returning();
    const wire = toWireRole(row);
    await doRecordAudit(ctx, tx, emit, {
      guildId,
      userId: who.id,
      targetId: row.id,
      actionType: AuditLogEvent.ROLE_CREATE,
      changes: diffChanges(null, wire, ROLE_AUDIT_KEYS),
      reason,
    });
    emitRole(emit, 'GUILD_ROLE_CREATE', guildId, row, false);
    for (const r of moved) emitRole(emit, 'GUILD_ROLE_UPDATE', guildId, r, false);
    return wire;
  });
}

async function requireRole(tx: Queryable, guildId: string, roleId: string): Promise<RoleRow> {
  const [row] = await tx.select().from(roles).where(eq(roles.id, roleId));
  if (!row || row.guildId !== guildId) throw new ApiError(Errors.UNKNOWN_ROLE);
  return row;
}

/** PATCH /guilds/{id}/roles/{role_id}: MANAGE_ROLES, role below the caller's highest. */
export async function doUpdateRole(
  ctx: AppContext,
  who: Caller,
  guildId: string,
  roleId: string,
  body: PatchRoleBody,
  reason: string | null,
) {
  return transact(ctx, async (tx, emit) => {
    const access = await accessGuild(tx, guildId, who.id, Permissions.MANAGE_ROLES);
    const role = await requireRole(tx, guildId, roleId);
    checkRolesBelow(access, await loadRolePositions(tx, guildId), [roleId]);
    const patch: Partial<RoleRow> = {};
    if (body.name != null) {
      if (roleId === guildId) throw invalidField('name', 'ROLE_NAME_INVALID', 'The @everyone role cannot be renamed.');
      const name = body.name.trim();
      if (!name) throw invalidField('name', 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.');
      patch.name = name;
    }
    if (body.permissions != null) {
      const perms = checkPermissionsField(access, body.permissions);
      // Bits the caller lacks but the role already has stay as they are.
      patch.permissions = (perms | (BigInt(role.permissions) & ~access.permissions)).toString();
    }
    if (body.color != null) patch.color = body.color;
    if (body.hoist != null) patch.hoist = body.hoist;
    if (body.mentionable != null) patch.mentionable = body.mentionable;
    const [row] = Object.keys(patch).length ? await tx.update(roles).set(patch).where(eq(roles.id, roleId)).returning() : [role];
    const changes = diffChanges(toWireRole(role), toWireRole(row), ROLE_AUDIT_KEYS);
    if (changes.length) {
      await doRecordAudit(ctx, tx, emit, {
        guildId,
        userId: who.id,
        targetId: roleId,
        actionType: AuditLogEvent.ROLE_UPDATE,
        changes,
        reason,
      });
      emitRole(emit, 'GUILD_ROLE_UPDATE', guildId, row, row.permissions !== role.permissions);
    }
    return toWireRole(row);
  });
}

/** DELETE /guilds/{id}/roles/{role_id}: MANAGE_ROLES, role below the caller's; @everyone stays. */
export async function doDeleteRole(ctx: AppContext, who: Caller, guildId: string, roleId: string, reason: string | null) {
  await transact(ctx, async (tx, emit) => {
    const access = await accessGuild(tx, guildId, who.id, Permissions.MANAGE_ROLES);
    const role = await requireRole(tx, guildId, roleId);
    // @everyone, and a bot's managed role (it goes when the bot leaves), cannot be deleted: 50028.
    if (roleId === guildId || role.managed) throw new ApiError(Errors.INVALID_ROLE);
    checkRolesBelow(access, await loadRolePositions(tx, guildId), [roleId]);
    await tx.delete(roles).where(eq(roles.id, roleId));
    await doRecordAudit(ctx, tx, emit, {
      guildId,
      userId: who.id,
      targetId: roleId,
      actionType: AuditLogEvent.ROLE_DELETE,
      changes: diffChanges(toWireRole(role), null, ROLE_AUDIT_KEYS),
      reason,
    });
    emit({ t: 'GUILD_ROLE_DELETE', d: { guild_id: guildId, role_id: roleId }, guild_id: guildId, meta: { permissions_changed: true } });
  });
}

/**
 * PATCH /guilds/{id}/roles: move roles. Under the guild lock, the moved roles are placed at their
 * requested positions among the others and every role is renumbered 1..n, so concurrent moves
 * always leave distinct, gap-free positions. Moved roles and targets must be below the caller.
 */
export async function doUpdateRolePositions(ctx: AppContext, who: Caller, guildId: string, body: RolePositionsBody, reason: string | null) {
  return transact(ctx, async (tx, emit) => {
    const access = await accessGuild(tx, guildId, who.id, Permissions.MANAGE_ROLES);
    await lockGuild(tx, guildId);
    const all = (await tx.select().from(roles).where(eq(roles.guildId, guildId)).orderBy(asc(roles.position), asc(roles.id))).sort(
      byPosition,
    );
    const positions = new Map(all.map((r) => [r.id, r.position]));
    const top = highestRolePosition(access, positions);
    const moves = new Map<string, number>();
    for (const [i, e] of body.entries()) {
      if (!positions.has(e.id)) throw invalidField(`${i}.id`, 'UNKNOWN_ROLE', 'Unknown role.');
      if (e.id === guildId) {
        if (e.position != null && e.position !== 0)
          throw invalidField(`${i}.position`, 'INVALID_ROLE', 'The @everyone role stays at position 0.');
        continue;
      }
      if (e.position == null) continue;
      checkRolesBelow(access, positions, [e.id]);
      if (e.position < 1 || e.position >= top) throw new ApiError(Errors.MISSING_PERMISSIONS);
      moves.set(e.id, e.position);
    }
    const rest = all.filter((r) => r.id !== guildId && !moves.has(r.id));
    const moved = all.filter((r) => moves.has(r.id)).sort((a, b) => (moves.get(a.id) ?? 0) - (moves.get(b.id) ?? 0));
    for (const r of moved) rest.splice(Math.min((moves.get(r.id) ?? 1) - 1, rest.length), 0, r);
    for (const [i, r] of rest.entries()) {
      const position = i + 1;
      if (r.position === position) continue;
      const [row] = await tx.update(roles).set({ position }).where(eq(roles.id, r.id)).returning();
      if (moves.has(r.id)) {
        await doRecordAudit(ctx, tx, emit, {
          guildId,
          userId: who.id,
          targetId: r.id,
          actionType: AuditLogEvent.ROLE_UPDATE,
          changes: [{ key: 'position', old_value: r.position, new_value: position }],
          reason,
        });
      }
      emitRole(emit, 'GUILD_ROLE_UPDATE', guildId, row, false);
    }
    return (await loadAllRoles(tx, guildId)).sort(byPosition).map(toWireRole);
  });
}
