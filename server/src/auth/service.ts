import { Errors, type AuthResponse, type LoginBody, type RegisterBody, USERNAME_RE } from '@retrocast/protocol';
import { and, eq, isNull, ne, sql } from 'drizzle-orm';
import type { AppContext, Caller } from '../context.js';
import type { Queryable } from '../db/client.js';
import { refreshTokens, users } from '../db/schema.js';
import { ApiError, fieldErrors, invalidField } from '../http/errors.js';
import { checkAdmission } from '../instance/registration.js';
import { doAcceptInvite } from '../invites/service.js';
import { toWireCurrentUser } from '../users/wire.js';
import { hasVisibleText, normalizeName } from '../http/names.js';
import { dummyHash, hashPassword, verifyPassword } from './passwords.js';
import { checkPasswordStrength } from './strength.js';
import { noteLoginAddress } from './login-guard.js';
import { sessionsRevokedEvent } from './session-guard.js';
import {
  ACCESS_TOKEN_TTL_S,
  botTokenTag,
  REFRESH_TOKEN_TTL_MS,
  randomToken,
  sha256,
  signAccessToken,
  verifyAccessToken,
} from './tokens.js';

/** Lowercase, then Discord-style charset and length; confusables (e.g. Cyrillic "а") fail here. */
export function checkUsername(raw: string, field = 'username'): string {
  const username = raw.trim().toLowerCase();
  if (!USERNAME_RE.test(username) || username.includes('..')) {
    throw invalidField(field, 'USERNAME_INVALID_CHARACTERS', 'Usernames are 2–32 characters of a-z, 0-9, _ and .');
  }
  return username;
}

export function checkDisplayName(raw: string | null | undefined): string | null {
  if (raw === null || raw === undefined) return null;
  const name = normalizeName(raw);
  if (!hasVisibleText(name) || name.length > 32)
    throw invalidField('display_name', 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 32 in length.');
  return name;
}

export async function isUsernameTaken(q: Queryable, username: string): Promise<boolean> {
  const rows = await q
    .select({ id: users.id })
    .from(users)
    .where(eq(sql`lower(${users.username})`, username))
    .limit(1);
  return rows.length > 0;
}

export const usernameTaken = () =>
  new ApiError(
    Errors.USERNAME_TAKEN,
    fieldErrors({
      username: {
        code: 'USERNAME_ALREADY_TAKEN',
        message: 'Username is unavailable. Try adding numbers, letters, underscores _ , or periods.',
      },
    }),
  );

/** New refresh token in `family` (a new family for a new login) and an access token for it. */
async function doIssueTokens(ctx: AppContext, q: Queryable, userId: string, family?: string) {
  const refresh = randomToken();
  const familyId = family ?? ctx.ids.next();
  await q.insert(refreshTokens).values({
    id: ctx.ids.next(),
    userId,
    familyId,
    tokenHash: sha256(refresh),
    expiresAt: new Date(Date.now() + REFRESH_TOKEN_TTL_MS),
  });
  const access = await signAccessToken(ctx.config.jwtSecret, { sub: userId, fam: familyId });
  return { access_token: access, refresh_token: refresh, token_type: 'Bearer' as const, expires_in: ACCESS_TOKEN_TTL_S };
}

export async function doRegister(ctx: AppContext, body: RegisterBody): Promise<AuthResponse> {
  const username = checkUsername(body.username);
  const displayName = checkDisplayName(body.display_name);
  if (await isUsernameTaken(ctx.db, username)) throw usernameTaken();
  await checkPasswordStrength(body.password, username, 'password');
  const passwordHash = await hashPassword(body.password, ctx.config.argon2MemoryKib);
  const id = ctx.ids.next();
  let guildInvite: string | undefined;
  let result: AuthResponse;
  try {
    result = await ctx.db.transaction(async (tx) => {
      const admission = await checkAdmission(ctx, tx, body.invite);
      guildInvite = admission.guildInvite;
      const [row] = await tx
        .insert(users)
        .values({ id, username, displayName, passwordHash, instanceAdmin: admission.instanceAdmin })
        .returning();
      return { user: toWireCurrentUser(row), ...(await doIssueTokens(ctx, tx, id)) };
    });
  } catch (err) {
    // Two registrations racing for one name: the unique index decides.
    if (String((err as { cause?: { code?: string } }).cause?.code ?? (err as { code?: string }).code) === '23505') throw usernameTaken();
    throw err;
  }
  if (guildInvite) await doJoinWithInvite(ctx, id, guildInvite);
  return result;
}

/** Registered with a server invite: join that server, or undo the account if the invite ran out meanwhile. */
async function doJoinWithInvite(ctx: AppContext, userId: string, code: string) {
  try {
    await doAcceptInvite(ctx, { id: userId, bot: false }, code);
  } catch (err) {
    await ctx.db.delete(users).where(eq(users.id, userId));
    if (err instanceof ApiError && err.def === Errors.UNKNOWN_INVITE)
      throw invalidField('invite', 'INVITE_INVALID', 'This invite is invalid or has expired.');
    throw err;
  }
}

const invalidLogin = () =>
  new ApiError(
    Errors.INVALID_LOGIN,
    fieldErrors({
      login: { code: 'INVALID_LOGIN', message: 'Login or password is invalid.' },
      password: { code: 'INVALID_LOGIN', message: 'Login or password is invalid.' },
    }),
  );

/** `ip`: the caller's address, remembered on success (see login-guard.ts). */
export async function doLogin(ctx: AppContext, body: LoginBody, ip?: string): Promise<AuthResponse> {
  const username = body.username.trim().toLowerCase();
  const [row] = await ctx.db
    .select()
    .from(users)
    .where(eq(sql`lower(${users.username})`, username))
    .limit(1);
  if (!row?.passwordHash) {
    await verifyPassword(await dummyHash(ctx.config.argon2MemoryKib), body.password);
    throw invalidLogin();
  }
  if (!(await verifyPassword(row.passwordHash, body.password))) throw invalidLogin();
  if (row.disabledAt) throw new ApiError(Errors.ACCOUNT_DISABLED);
  if (ip) await noteLoginAddress(ctx, username, ip);
  return { user: toWireCurrentUser(row), ...(await doIssueTokens(ctx, ctx.db, row.id)) };
}

const unauthorized = () => new ApiError(Errors.UNAUTHORIZED);

/**
 * Rotation: a refresh token is good once. Presenting one that was already rotated means it leaked,
 * so the whole family (every token descended from that login) is revoked.
 */
export async function doRefresh(ctx: AppContext, token: string): Promise<AuthResponse> {
  return ctx.db
    .transaction(async (tx) => {
      const [row] = await tx
        .select()
        .from(refreshTokens)
        .where(eq(refreshTokens.tokenHash, sha256(token)))
        .limit(1);
      if (!row || row.revokedAt || row.expiresAt.getTime() < Date.now()) throw unauthorized();
      const claimed = await tx
        .update(refreshTokens)
        .set({ rotatedAt: new Date() })
        .where(and(eq(refreshTokens.id, row.id), isNull(refreshTokens.rotatedAt)))
        .returning({ id: refreshTokens.id });
      if (claimed.length === 0) {
        await tx.update(refreshTokens).set({ revokedAt: new Date() }).where(eq(refreshTokens.familyId, row.familyId));
        return { reuse: true, userId: row.userId } as const;
      }
      const [user] = await tx.select().from(users).where(eq(users.id, row.userId));
      if (!user || user.disabledAt) return { reuse: true, userId: row.userId } as const;
      return { user: toWireCurrentUser(user), ...(await doIssueTokens(ctx, tx, row.userId, row.familyId)) };
    })
    .then(async (r) => {
      if ('reuse' in r) {
        await doNoteSessionsRevoked(ctx, r.userId as string);
        throw unauthorized();
      }
      return r;
    });
}

/**
 * Logins of `userId` were revoked (committed): access tokens of those logins stop working here at
 * once and on other instances when the bus event arrives; their gateway sessions close with 4004.
 */
export async function doNoteSessionsRevoked(ctx: AppContext, userId: string): Promise<void> {
  ctx.sessions.invalidate(userId);
  await ctx.bus.publish(sessionsRevokedEvent(userId));
}

/** Revokes the family of the given refresh token (it must belong to the caller). */
export async function doLogout(ctx: AppContext, who: Caller, token: string | undefined): Promise<void> {
  const family = token
    ? (
        await ctx.db
          .select()
          .from(refreshTokens)
          .where(eq(refreshTokens.tokenHash, sha256(token)))
          .limit(1)
      )[0]
    : undefined;
  if (token && (!family || family.userId !== who.id)) throw unauthorized();
  const familyId = family?.familyId ?? who.family;
  if (!familyId) return;
  await ctx.db
    .update(refreshTokens)
    .set({ revokedAt: new Date() })
    .where(and(eq(refreshTokens.familyId, familyId), eq(refreshTokens.userId, who.id)));
  await doNoteSessionsRevoked(ctx, who.id);
}

/** Revokes every login of the user except `keepFamily` (after a password change). */
export async function doRevokeOtherSessions(q: Queryable, userId: string, keepFamily?: string) {
  const where = keepFamily
    ? and(eq(refreshTokens.userId, userId), ne(refreshTokens.familyId, keepFamily), isNull(refreshTokens.revokedAt))
    : and(eq(refreshTokens.userId, userId), isNull(refreshTokens.revokedAt));
  await q.update(refreshTokens).set({ revokedAt: new Date() }).where(where);
}

/**
 * `Authorization` header → caller. `Bearer <jwt>` (or a bare JWT, as Discord user tokens were sent)
 * for users, `Bot <token>` for bots. Null when missing or invalid.
 */
export async function authenticate(ctx: AppContext, header: string | undefined): Promise<Caller | null> {
  if (!header) return null;
  const [scheme, value] = header.includes(' ') ? header.split(' ', 2) : ['Bearer', header];
  if (!value) return null;
  if (scheme === 'Bot') {
    const hash = sha256(value);
    const [row] = await ctx.db
      .select({ id: users.id })
      .from(users)
      .where(and(eq(users.botTokenHash, hash), eq(users.bot, true), isNull(users.disabledAt)))
      .limit(1);
    // A bot's "login" is its token: its gateway sessions remember which one (botTokenTag).
    return row ? { id: row.id, bot: true, family: botTokenTag(hash) } : null;
  }
  if (scheme !== 'Bearer') return null;
  const claims = await verifyAccessToken(ctx.config.jwtSecret, value);
  // A valid signature is not enough: the login must still be alive and the account usable.
  if (!claims || !(await ctx.sessions.allows(claims.sub, claims.fam))) return null;
  return { id: claims.sub, bot: false, family: claims.fam, exp: claims.exp };
}
