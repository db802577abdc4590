import { Errors } from '@retrocast/protocol';
import { and, eq, gt, isNull, or, sql } from 'drizzle-orm';
import type { AppContext } from '../context.js';
import type { Queryable } from '../db/client.js';
import { instanceInvites, invites, users } from '../db/schema.js';
import { ApiError, invalidField } from '../http/errors.js';

/** Serialises registrations so two racing "first accounts" cannot both become admin. */
const REGISTRATION_LOCK = 0x7265_6769; // "regi"

export interface Admission {
  instanceAdmin: boolean;
  /** A server invite the new account joins once created (it takes the invite's use then). */
  guildInvite?: string;
}

export async function hasAnyAccount(q: Queryable): Promise<boolean> {
  const rows = await q.select({ id: users.id }).from(users).where(eq(users.bot, false)).limit(1);
  return rows.length > 0;
}

const usableInstanceInvite = () =>
  and(
    or(isNull(instanceInvites.expiresAt), gt(instanceInvites.expiresAt, sql`now()`)),
    or(eq(instanceInvites.maxUses, 0), sql`${instanceInvites.uses} < ${instanceInvites.maxUses}`),
  );

const usableGuildInvite = () =>
  and(
    or(isNull(invites.expiresAt), gt(invites.expiresAt, sql`now()`)),
    or(eq(invites.maxUses, 0), sql`${invites.uses} < ${invites.maxUses}`),
  );

/**
 * Who may register (inside the registration transaction). The first account is always free and
 * becomes the instance admin. After that REGISTRATION decides: `open` lets anyone in, `invite`
 * needs a server invite code or an instance invite code (whose use is taken here), `closed` lets
 * nobody in (the admin CLI still creates accounts). A code that is given must be valid in any mode.
 */
export async function checkAdmission(ctx: AppContext, tx: Queryable, code: string | undefined): Promise<Admission> {
  await tx.execute(sql`select pg_advisory_xact_lock(${REGISTRATION_LOCK})`);
  if (!(await hasAnyAccount(tx))) return { instanceAdmin: true };
  const mode = ctx.config.registration;
  if (mode === 'closed') throw new ApiError(Errors.REGISTRATION_CLOSED);
  if (!code) {
    if (mode === 'open') return { instanceAdmin: false };
    throw invalidField('invite', 'INVITE_REQUIRED', 'An invite code is needed to register on this server.');
  }
  const [used] = await tx
    .update(instanceInvites)
    .set({ uses: sql`${instanceInvites.uses} + 1` })
    .where(and(eq(instanceInvites.code, code), usableInstanceInvite()))
    .returning({ code: instanceInvites.code });
  if (used) return { instanceAdmin: false };
  const [guildInvite] = await tx
    .select({ code: invites.code })
    .from(invites)
    .where(and(eq(invites.code, code), usableGuildInvite()));
  if (!guildInvite) throw invalidField('invite', 'INVITE_INVALID', 'This invite is invalid or has expired.');
  return { instanceAdmin: false, guildInvite: guildInvite.code };
}
