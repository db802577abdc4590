import { Errors, type PatchMeBody } from '@retrocast/protocol';
import { and, count, eq } from 'drizzle-orm';
import {
  doNoteSessionsRevoked,
  doRevokeOtherSessions,
  checkDisplayName,
  checkUsername,
  isUsernameTaken,
  usernameTaken,
} from '../auth/service.js';
import { hashPassword, verifyPassword } from '../auth/passwords.js';
import { checkPasswordStrength } from '../auth/strength.js';
import { newBotToken, sha256 } from '../auth/tokens.js';
import type { AppContext, Caller } from '../context.js';
import { doStoreImage } from '../avatars/service.js';
import { transact } from '../db/tx.js';
import { users } from '../db/schema.js';
import { ApiError, invalidField } from '../http/errors.js';
import { toWireCurrentUser, toWireUser } from './wire.js';

export async function accessUser(ctx: AppContext, userId: string) {
  const [row] = await ctx.db.select().from(users).where(eq(users.id, userId)).limit(1);
  if (!row) throw new ApiError(Errors.UNKNOWN_USER);
  return row;
}

/**
 * Display name, and password (needs the current one; revokes every other login). Emits
 * USER_UPDATE to the user's own sessions; shared-guild audiences are the gateway's concern.
 */
export async function doUpdateMe(ctx: AppContext, who: Caller, body: PatchMeBody) {
  const me = await accessUser(ctx, who.id);
  const patch: Partial<typeof users.$inferInsert> = {};
  const name = body.display_name !== undefined ? body.display_name : body.global_name;
  if (name !== undefined) patch.displayName = checkDisplayName(name);
  if (body.avatar !== undefined) patch.avatar = await doStoreImage(ctx, 'avatars', who.id, body.avatar, 'avatar');
  if (body.new_password !== undefined) {
    if (me.bot) throw new ApiError(Errors.INVALID_ACCOUNT_TYPE);
    if (!body.password || !me.passwordHash || !(await verifyPassword(me.passwordHash, body.password))) {
      throw invalidField('password', 'PASSWORD_DOES_NOT_MATCH', 'Password does not match.');
    }
    await checkPasswordStrength(body.new_password, me.username, 'new_password');
    patch.passwordHash = await hashPassword(body.new_password, ctx.config.argon2MemoryKib);
  }
  if (Object.keys(patch).length === 0) return toWireCurrentUser(me);
  const user = await transact(ctx, async (tx, emit) => {
    const [row] = await tx.update(users).set(patch).where(eq(users.id, who.id)).returning();
    if (patch.passwordHash) await doRevokeOtherSessions(tx, who.id, who.family);
    const user = toWireCurrentUser(row);
    emit({ t: 'USER_UPDATE', d: user, user_ids: [who.id], meta: { public_user: toWireUser(row) } });
    return user;
  });
  if (patch.passwordHash) await doNoteSessionsRevoked(ctx, who.id);
  return user;
}

const MAX_BOTS_PER_USER = 10;

/** A bot owned by the caller. The token is returned once; only its hash is kept. */
export async function doCreateBot(ctx: AppContext, who: Caller, rawUsername: string) {
  if (who.bot) throw new ApiError(Errors.BOTS_FORBIDDEN);
  const username = checkUsername(rawUsername);
  if (await isUsernameTaken(ctx.db, username)) throw usernameTaken();
  const [{ n }] = await ctx.db
    .select({ n: count() })
    .from(users)
    .where(and(eq(users.botOwnerId, who.id), eq(users.bot, true)));
  if (Number(n) >= MAX_BOTS_PER_USER) throw new ApiError(Errors.MAX_BOTS);
  const id = ctx.ids.next();
  const token = newBotToken(id);
  const [row] = await ctx.db
    .insert(users)
    .values({ id, username, bot: true, botOwnerId: who.id, botTokenHash: sha256(token) })
    .returning();
  return { user: toWireUser(row), token };
}
