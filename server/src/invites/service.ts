import { randomBytes } from 'node:crypto';
import { AuditLogEvent, type CreateInviteBody, Errors, Permissions } from '@retrocast/protocol';
import { and, desc, eq, gt, isNull, or, sql } from 'drizzle-orm';
import { diffChanges, doRecordAudit } from '../audit-log/store.js';
import type { AppContext, Caller } from '../context.js';
import type { Queryable } from '../db/client.js';
import { bans, channels, guilds, invites, members, users } from '../db/schema.js';
import { type Emit, transact } from '../db/tx.js';
import type { OnlineCounter } from '../guilds/online-count.js';
import { checkGuildQuota, memberCount } from '../guilds/service.js';
import { ApiError } from '../http/errors.js';
import { doAddMember } from '../members/service.js';
import { accessChannel, accessGuild, loadChannelAccess } from '../permissions/access.js';
import { toWireUser, userColumns } from '../users/wire.js';
import { type InviteRow, toInviteEvent, toWireInvite } from './wire.js';

/** 10 random bytes → 14 URL-safe characters: unguessable and short enough to type. */
export function newInviteCode(): string {
  return randomBytes(10).toString('base64url');
}

/** An invite that can still be used: not expired, not used up. */
const usable = () =>
  and(
    or(isNull(invites.expiresAt), gt(invites.expiresAt, sql`now()`)),
    or(eq(invites.maxUses, 0), sql`${invites.uses} < ${invites.maxUses}`),
  );

async function loadInviter(q: Queryable, id: string | null) {
  if (!id) return null;
  const [u] = await q.select(userColumns(users)).from(users).where(eq(users.id, id));
  return u ? toWireUser(u) : null;
}

async function loadFull(q: Queryable, i: InviteRow, countOnline?: OnlineCounter | null) {
  const [g] = await q.select().from(guilds).where(eq(guilds.id, i.guildId));
  const [c] = await q
    .select({ id: channels.id, name: channels.name, type: channels.type })
    .from(channels)
    .where(eq(channels.id, i.channelId));
  const counts = countOnline ? { members: await memberCount(q, i.guildId), presences: await countOnline(i.guildId) } : undefined;
  return toWireInvite(i, g, c, await loadInviter(q, i.inviterId), counts);
}

/** POST /channels/{id}/invites: CREATE_INSTANT_INVITE. Without `unique`, an equivalent live invite of the caller is reused. */
export async function doCreateInvite(ctx: AppContext, who: Caller, channelId: string, body: CreateInviteBody, reason: string | null) {
  return transact(ctx, async (tx, emit) => {
    const { channel, guild } = await accessChannel(tx, channelId, who.id, Permissions.CREATE_INSTANT_INVITE);
    if (!guild || channel.type === 4) throw new ApiError(Errors.INVALID_CHANNEL_TYPE);
    const maxAge = body.max_age ?? 86400;
    const maxUses = body.max_uses ?? 0;
    const temporary = body.temporary ?? false;
    if (!body.unique) {
      const [same] = await tx
        .select()
        .from(invites)
        .where(
          and(
            eq(invites.channelId, channelId),
            eq(invites.inviterId, who.id),
            eq(invites.maxAge, maxAge),
            eq(invites.maxUses, maxUses),
            eq(invites.temporary, temporary),
            usable(),
          ),
        )
        .limit(1);
      if (same) return loadFull(tx, same);
    }
    const expiresAt = maxAge ? new Date(Date.now() + maxAge * 1000) : null;
    const [row] = await tx
      .insert(invites)
      .values({ code: newInviteCode(), guildId: guild.guild.id, channelId, inviterId: who.id, maxAge, maxUses, temporary, expiresAt })
      .returning();
    const wire = await loadFull(tx, row);
    await doRecordAudit(ctx, tx, emit, {
      guildId: guild.guild.id,
      userId: who.id,
      targetId: null,
      actionType: AuditLogEvent.INVITE_CREATE,
      changes: diffChanges(null, {
        code: row.code,
        channel_id: channelId,
        inviter_id: who.id,
        uses: 0,
        max_uses: maxUses,
        max_age: maxAge,
        temporary,
      }),
      reason,
    });
    emitInvite(emit, 'INVITE_CREATE', row, wire.inviter ?? null);
    return wire;
  });
}

function emitInvite(emit: Emit, t: string, row: InviteRow, inviter: ReturnType<typeof toWireUser> | null) {
  const d = t === 'INVITE_DELETE' ? { channel_id: row.channelId, guild_id: row.guildId, code: row.code } : toInviteEvent(row, inviter);
  emit({ t, d, guild_id: row.guildId, channel_id: row.channelId, meta: { required_permission: Permissions.MANAGE_CHANNELS.toString() } });
}

/** GET /invites/{code}: public preview. Expired or used-up invites are unknown. */
export async function accessGetInvite(ctx: AppContext, code: string, countOnline: OnlineCounter | null) {
  const [row] = await ctx.db
    .select()
    .from(invites)
    .where(and(eq(invites.code, code), usable()));
  if (!row) throw new ApiError(Errors.UNKNOWN_INVITE);
  return loadFull(ctx.db, row, countOnline);
}

class AlreadyMember extends Error {}

/**
 * POST /invites/{code}: join. The use is taken by one conditional UPDATE … RETURNING, so of many
 * concurrent accepts of a `max_uses=1` invite exactly one gets a row; a used-up invite is deleted.
 * Banned users get 40007. Accepting as an existing member succeeds without using the invite.
 */
export async function doAcceptInvite(ctx: AppContext, who: Caller, code: string) {
  try {
    return await transact(ctx, async (tx, emit) => {
      const [inv] = await tx.select().from(invites).where(eq(invites.code, code));
      if (!inv) throw new ApiError(Errors.UNKNOWN_INVITE);
      const [ban] = await tx
        .select({ u: bans.userId })
        .from(bans)
        .where(and(eq(bans.guildId, inv.guildId), eq(bans.userId, who.id)));
      if (ban) throw new ApiError(Errors.BANNED);
      const [member] = await tx
        .select({ u: members.userId })
        .from(members)
        .where(and(eq(members.guildId, inv.guildId), eq(members.userId, who.id)));
      if (member) throw new AlreadyMember();
      await checkGuildQuota(tx, who.id);
      const [used] = await tx
        .update(invites)
        .set({ uses: sql`${invites.uses} + 1` })
        .where(and(eq(invites.code, code), usable()))
        .returning();
      if (!used) throw new ApiError(Errors.UNKNOWN_INVITE);
      if (!(await doAddMember(tx, emit, used.guildId, who.id))) throw new AlreadyMember();
      const wire = await loadFull(tx, used);
      if (used.maxUses && used.uses >= used.maxUses) {
        await tx.delete(invites).where(eq(invites.code, code));
        emitInvite(emit, 'INVITE_DELETE', used, null);
      }
      return { ...wire, new_member: true };
    });
  } catch (err) {
    if (!(err instanceof AlreadyMember)) throw err;
    const [inv] = await ctx.db.select().from(invites).where(eq(invites.code, code));
    if (!inv) throw new ApiError(Errors.UNKNOWN_INVITE);
    return { ...(await loadFull(ctx.db, inv)), new_member: false };
  }
}

/** DELETE /invites/{code}: MANAGE_CHANNELS in its channel or MANAGE_GUILD. */
export async function doDeleteInvite(ctx: AppContext, who: Caller, code: string, reason: string | null) {
  return transact(ctx, async (tx, emit) => {
    const [inv] = await tx.select().from(invites).where(eq(invites.code, code));
    if (!inv) throw new ApiError(Errors.UNKNOWN_INVITE);
    const access = await loadChannelAccess(tx, inv.channelId, who.id);
    if (!access?.guild) throw new ApiError(Errors.UNKNOWN_INVITE);
    if (!(access.permissions & Permissions.MANAGE_CHANNELS) && !(access.guild.permissions & Permissions.MANAGE_GUILD))
      throw new ApiError(Errors.MISSING_PERMISSIONS);
    const wire = await loadFull(tx, inv);
    await tx.delete(invites).where(eq(invites.code, code));
    await doRecordAudit(ctx, tx, emit, {
      guildId: inv.guildId,
      userId: who.id,
      actionType: AuditLogEvent.INVITE_DELETE,
      changes: diffChanges(
        {
          code: inv.code,
          channel_id: inv.channelId,
          inviter_id: inv.inviterId,
          uses: inv.uses,
          max_uses: inv.maxUses,
          max_age: inv.maxAge,
          temporary: inv.temporary,
        },
        null,
      ),
      reason,
    });
    emitInvite(emit, 'INVITE_DELETE', inv, null);
    return wire;
  });
}

async function listInvites(q: Queryable, where: ReturnType<typeof eq>) {
  const rows = await q.select().from(invites).where(and(where, usable())).orderBy(desc(invites.createdAt));
  return Promise.all(rows.map((r) => loadFull(q, r)));
}

/** GET /guilds/{id}/invites: MANAGE_GUILD. */
export async function accessGuildInvites(ctx: AppContext, who: Caller, guildId: string) {
  await accessGuild(ctx.db, guildId, who.id, Permissions.MANAGE_GUILD);
  return listInvites(ctx.db, eq(invites.guildId, guildId));
}

/** GET /channels/{id}/invites: MANAGE_CHANNELS. */
export async function accessChannelInvites(ctx: AppContext, who: Caller, channelId: string) {
  await accessChannel(ctx.db, channelId, who.id, Permissions.MANAGE_CHANNELS);
  return listInvites(ctx.db, eq(invites.channelId, channelId));
}
