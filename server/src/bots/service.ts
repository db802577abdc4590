import { createHash } from 'node:crypto';
import { type Application, type AuthorizeBody, type AuthorizeQuery, Errors, type PatchBotBody, Permissions } from '@retrocast/protocol';
import { and, count, eq, inArray, sql } from 'drizzle-orm';
import { checkUsername, doNoteSessionsRevoked, isUsernameTaken, usernameTaken } from '../auth/service.js';
import { newBotToken, sha256 } from '../auth/tokens.js';
import { doStoreImage } from '../avatars/service.js';
import type { AppContext, Caller } from '../context.js';
import { bans, guilds, memberRoles, members, roles, users } from '../db/schema.js';
import { transact } from '../db/tx.js';
import { lockGuild } from '../guilds/service.js';
import { toWireRole } from '../guilds/wire.js';
import { ApiError } from '../http/errors.js';
import { doAddMember, doRemoveMember } from '../members/service.js';
import { accessGuild, loadGuildAccess } from '../permissions/access.js';
import { accessUser } from '../users/service.js';
import { toWireUser } from '../users/wire.js';
import { checkAuthorizeQuery } from './authorize-query.js';

type UserRow = typeof users.$inferSelect;

/** A bot owned by the caller (404 for anyone else's, or a human). */
async function accessOwnedBot(ctx: AppContext, who: Caller, botId: string): Promise<UserRow> {
  if (who.bot) throw new ApiError(Errors.BOTS_FORBIDDEN);
  const [row] = await ctx.db.select().from(users).where(eq(users.id, botId)).limit(1);
  if (!row?.bot || row.botOwnerId !== who.id) throw new ApiError(Errors.UNKNOWN_APPLICATION);
  return row;
}

/** A stable per-application public key stand-in (interactions are not supported, so nothing verifies with it). */
const verifyKey = (id: string) => createHash('sha256').update(`retrocast-app:${id}`).digest('hex');

async function guildCount(ctx: AppContext, userId: string): Promise<number> {
  const [{ n }] = await ctx.db.select({ n: count() }).from(members).where(eq(members.userId, userId));
  return Number(n);
}

/** GET /oauth2/applications/@me, /applications/@me: the calling bot's application. */
export async function accessMyApplication(ctx: AppContext, who: Caller): Promise<Application> {
  if (!who.bot) throw new ApiError(Errors.BOTS_ONLY);
  const bot = await accessUser(ctx, who.id);
  const owner = bot.botOwnerId ? await accessUser(ctx, bot.botOwnerId).catch(() => null) : null;
  const botUser = toWireUser(bot);
  return {
    id: bot.id,
    name: bot.displayName ?? bot.username,
    icon: bot.avatar,
    description: '',
    summary: '',
    type: null,
    bot: botUser,
    owner: owner ? toWireUser(owner) : botUser,
    team: null,
    bot_public: false,
    bot_require_code_grant: false,
    verify_key: verifyKey(bot.id),
    flags: 0,
    rpc_origins: [],
    redirect_uris: [],
    tags: [],
    interactions_endpoint_url: null,
    role_connections_verification_url: null,
    approximate_guild_count: await guildCount(ctx, bot.id),
    install_params: { scopes: ['bot'], permissions: '0' },
    integration_types_config: {},
    explicit_content_filter: 0,
  };
}

/** GET /users/@me/bots: the caller's bots, for User Settings → Bots. */
export async function listMyBots(ctx: AppContext, who: Caller) {
  if (who.bot) throw new ApiError(Errors.BOTS_FORBIDDEN);
  const rows = await ctx.db
    .select()
    .from(users)
    .where(and(eq(users.botOwnerId, who.id), eq(users.bot, true)))
    .orderBy(users.id);
  const counts = rows.length
    ? await ctx.db
        .select({ u: members.userId, n: count() })
        .from(members)
        .where(
          inArray(
            members.userId,
            rows.map((r) => r.id),
          ),
        )
        .groupBy(members.userId)
    : [];
  const byId = new Map(counts.map((c) => [c.u, Number(c.n)]));
  return rows.map((r) => ({ user: toWireUser(r), application_id: r.id, guild_count: byId.get(r.id) ?? 0 }));
}

/** PATCH /users/@me/bots/{id}: rename or change the avatar of one's own bot. */
export async function doUpdateBot(ctx: AppContext, who: Caller, botId: string, body: PatchBotBody) {
  const bot = await accessOwnedBot(ctx, who, botId);
  const patch: Partial<typeof users.$inferInsert> = {};
  if (body.username !== undefined) {
    const username = checkUsername(body.username);
    if (username !== bot.username && (await isUsernameTaken(ctx.db, username))) throw usernameTaken();
    patch.username = username;
  }
  if (body.avatar !== undefined) patch.avatar = await doStoreImage(ctx, 'avatars', bot.id, body.avatar, 'avatar');
  if (!Object.keys(patch).length) return { user: toWireUser(bot), application_id: bot.id, guild_count: await guildCount(ctx, bot.id) };
  // Counted before the transaction: PGlite has one connection, so ctx.db inside it would wait forever.
  const guildTotal = await guildCount(ctx, bot.id);
  return transact(ctx, async (tx, emit) => {
    const [row] = await tx.update(users).set(patch).where(eq(users.id, bot.id)).returning();
    const user = toWireUser(row);
    emit({
      t: 'USER_UPDATE',
      d: { ...user, mfa_enabled: false, verified: true, locale: 'en-US' },
      user_ids: [bot.id],
      meta: { public_user: user },
    });
    return { user, application_id: row.id, guild_count: guildTotal };
  });
}

/** POST /users/@me/bots/{id}/reset-token: a new token; the old one stops working at once. */
export async function doResetBotToken(ctx: AppContext, who: Caller, botId: string) {
  const bot = await accessOwnedBot(ctx, who, botId);
  const token = newBotToken(bot.id);
  await ctx.db
    .update(users)
    .set({ botTokenHash: sha256(token) })
    .where(eq(users.id, bot.id));
  await doNoteSessionsRevoked(ctx, bot.id);
  return { token };
}

/**
 * DELETE /users/@me/bots/{id}: the bot leaves every server and can no longer log in. Its user row
 * stays (its messages keep an author), renamed so the name is free again.
 */
export async function doDeleteBot(ctx: AppContext, who: Caller, botId: string) {
  const bot = await accessOwnedBot(ctx, who, botId);
  await transact(ctx, async (tx, emit) => {
    const memberships = await tx.select({ g: members.guildId }).from(members).where(eq(members.userId, bot.id));
    for (const { g } of memberships) await doRemoveMember(tx, emit, g, bot.id);
    await tx.delete(roles).where(eq(roles.botId, bot.id));
    await tx
      .update(users)
      .set({ botTokenHash: null, botOwnerId: null, username: `deleted_bot_${bot.id}`, avatar: null })
      .where(eq(users.id, bot.id));
  });
  // Its open gateway sessions close (4004) at once, on every instance.
  await doNoteSessionsRevoked(ctx, bot.id);
}

/** A bot the authorize page may add: any bot (Retrocast has no "public bot" switch; the link is the secret). */
async function accessBotApplication(ctx: AppContext, clientId: string): Promise<UserRow> {
  const [row] = await ctx.db.select().from(users).where(eq(users.id, clientId)).limit(1);
  if (!row?.bot || !row.botTokenHash) throw new ApiError(Errors.UNKNOWN_APPLICATION);
  return row;
}

/** GET /oauth2/authorize: what the consent page shows (the app and the servers the caller may add it to). */
export async function accessAuthorizeInfo(ctx: AppContext, who: Caller, query: AuthorizeQuery) {
  if (who.bot) throw new ApiError(Errors.BOTS_FORBIDDEN);
  checkAuthorizeQuery(query);
  const bot = await accessBotApplication(ctx, query.client_id);
  const mine = await ctx.db
    .select({ id: guilds.id, name: guilds.name, icon: guilds.icon })
    .from(guilds)
    .innerJoin(members, eq(members.guildId, guilds.id))
    .where(eq(members.userId, who.id));
  const botIn = new Set((await ctx.db.select({ g: members.guildId }).from(members).where(eq(members.userId, bot.id))).map((r) => r.g));
  const allowed = [];
  for (const g of mine) {
    const access = await loadGuildAccess(ctx.db, g.id, who.id);
    if (access && (access.permissions & Permissions.MANAGE_GUILD) === Permissions.MANAGE_GUILD)
      allowed.push({ ...g, bot_member: botIn.has(g.id) });
  }
  const botUser = toWireUser(bot);
  return {
    application: { id: bot.id, name: bot.displayName ?? bot.username, icon: bot.avatar, bot: botUser },
    guilds: allowed,
    permissions: BigInt(query.permissions ?? '0').toString(),
  };
}

/**
 * POST /oauth2/authorize: the caller (MANAGE_GUILD in the server) adds the bot. Like Discord, a
 * managed role named after the bot holds the requested permissions (only ones the caller has,
 * unless they own the server); the bot joins with it. Already a member: 400 is not raised, the
 * call simply returns where it is.
 */
export async function doAuthorizeBot(ctx: AppContext, who: Caller, query: AuthorizeQuery, body: AuthorizeBody) {
  if (who.bot) throw new ApiError(Errors.BOTS_FORBIDDEN);
  checkAuthorizeQuery(query, body.permissions);
  const bot = await accessBotApplication(ctx, query.client_id);
  const wanted = BigInt(body.permissions ?? query.permissions ?? '0');
  return transact(ctx, async (tx, emit) => {
    const access = await accessGuild(tx, body.guild_id, who.id, Permissions.MANAGE_GUILD);
    const owner = access.guild.ownerId === who.id;
    if (!owner && (wanted & ~access.permissions) !== 0n) throw new ApiError(Errors.MISSING_PERMISSIONS);
    const [banned] = await tx
      .select({ u: bans.userId })
      .from(bans)
      .where(and(eq(bans.guildId, body.guild_id), eq(bans.userId, bot.id)));
    if (banned) throw new ApiError(Errors.BANNED);
    const [already] = await tx
      .select({ u: members.userId })
      .from(members)
      .where(and(eq(members.guildId, body.guild_id), eq(members.userId, bot.id)));
    if (already) return { location: null, guild_id: body.guild_id, new_member: false };
    await lockGuild(tx, body.guild_id);
    if (wanted !== 0n) {
      const moved = await tx
        .update(roles)
        .set({ position: sql`${roles.position} + 1` })
        .where(sql`${roles.guildId} = ${body.guild_id} and ${roles.position} >= 1`)
        .returning();
      const [role] = await tx
        .insert(roles)
        .values({
          id: ctx.ids.next(),
          guildId: body.guild_id,
          name: bot.displayName ?? bot.username,
          permissions: wanted.toString(),
          managed: true,
          botId: bot.id,
          position: 1,
        })
        .returning();
      emit({ t: 'GUILD_ROLE_CREATE', d: { guild_id: body.guild_id, role: toWireRole(role) }, guild_id: body.guild_id });
      for (const r of moved) emit({ t: 'GUILD_ROLE_UPDATE', d: { guild_id: body.guild_id, role: toWireRole(r) }, guild_id: body.guild_id });
      await tx.insert(memberRoles).values({ guildId: body.guild_id, userId: bot.id, roleId: role.id });
    }
    await doAddMember(tx, emit, body.guild_id, bot.id);
    return { location: null, guild_id: body.guild_id, new_member: true };
  });
}
