import { randomBytes } from 'node:crypto';
import { type CreateInstanceInviteBody, Errors, type InstanceInfo, type InstanceUser } from '@retrocast/protocol';
import { asc, eq } from 'drizzle-orm';
import { doRevokeOtherSessions } from '../auth/service.js';
import type { AppContext, Caller } from '../context.js';
import type { Queryable } from '../db/client.js';
import { instanceInvites, users } from '../db/schema.js';
import { ApiError } from '../http/errors.js';
import { toWireUser } from '../users/wire.js';
import { hasAnyAccount } from './registration.js';

type UserRow = typeof users.$inferSelect;
type InviteRow = typeof instanceInvites.$inferSelect;

export async function accessInstanceInfo(ctx: AppContext): Promise<InstanceInfo> {
  return { registration: ctx.config.registration, first_account: !(await hasAnyAccount(ctx.db)) };
}

/** Only instance admins pass; everyone else gets 403 Missing Permissions. */
export async function accessInstanceAdmin(ctx: AppContext, who: Caller): Promise<void> {
  const [row] = await ctx.db.select({ admin: users.instanceAdmin }).from(users).where(eq(users.id, who.id));
  if (!row?.admin || who.bot) throw new ApiError(Errors.MISSING_PERMISSIONS);
}

export function toInstanceUser(row: UserRow): InstanceUser {
  return {
    user: toWireUser(row),
    instance_admin: row.instanceAdmin,
    disabled: row.disabledAt !== null,
    created_at: row.createdAt.toISOString(),
  };
}

export async function accessInstanceUsers(ctx: AppContext): Promise<InstanceUser[]> {
  const rows = await ctx.db.select().from(users).orderBy(asc(users.id));
  return rows.map(toInstanceUser);
}

/**
 * Disables or re-enables an account. Disabling revokes every login (refresh tokens); access tokens
 * already issued are refused at once (auth/session-guard.ts, via the caller). An admin cannot disable themself (no lock-out).
 */
export async function doSetUserDisabled(q: Queryable, userId: string, disabled: boolean, by?: string): Promise<InstanceUser> {
  if (disabled && by === userId) throw new ApiError(Errors.MISSING_PERMISSIONS);
  const [row] = await q
    .update(users)
    .set({ disabledAt: disabled ? new Date() : null })
    .where(eq(users.id, userId))
    .returning();
  if (!row) throw new ApiError(Errors.UNKNOWN_USER);
  if (disabled) await doRevokeOtherSessions(q, userId);
  return toInstanceUser(row);
}

function toWireInstanceInvite(row: InviteRow) {
  return {
    code: row.code,
    max_uses: row.maxUses,
    uses: row.uses,
    created_at: row.createdAt.toISOString(),
    expires_at: row.expiresAt?.toISOString() ?? null,
  };
}

/** An instance invite: lets `max_uses` people (0 = any number) register until it expires. */
export async function doCreateInstanceInvite(q: Queryable, creatorId: string | null, body: CreateInstanceInviteBody) {
  const maxAge = body.max_age ?? 7 * 86400;
  const [row] = await q
    .insert(instanceInvites)
    .values({
      code: randomBytes(10).toString('base64url'),
      creatorId,
      maxUses: body.max_uses ?? 1,
      expiresAt: maxAge ? new Date(Date.now() + maxAge * 1000) : null,
    })
    .returning();
  return toWireInstanceInvite(row);
}

export async function accessInstanceInvites(ctx: AppContext) {
  const rows = await ctx.db.select().from(instanceInvites).orderBy(asc(instanceInvites.createdAt));
  return rows.map(toWireInstanceInvite);
}

export async function doDeleteInstanceInvite(ctx: AppContext, code: string) {
  const rows = await ctx.db.delete(instanceInvites).where(eq(instanceInvites.code, code)).returning({ code: instanceInvites.code });
  if (!rows.length) throw new ApiError(Errors.UNKNOWN_INVITE);
}
