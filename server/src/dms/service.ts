import { Errors, MAX_GROUP_DM_RECIPIENTS, type OpenDmBody, type PatchChannelBody, type User } from '@retrocast/protocol';
import { and, eq } from 'drizzle-orm';
import { doStoreImage } from '../avatars/service.js';
import type { AppContext, Caller } from '../context.js';
import type { Queryable, Tx } from '../db/client.js';
import { channelRecipients, channels, users } from '../db/schema.js';
import { type Emit, transact } from '../db/tx.js';
import { ApiError, invalidField } from '../http/errors.js';
import { idInRange } from '../messages/store.js';
import { accessChannel } from '../permissions/access.js';
import { blockedEitherWay, friendsAmong } from '../relationships/store.js';
import { toWireUser, userColumns } from '../users/wire.js';
import { doLeaveVoice } from '../voice/service.js';
import { findDm, loadDms, loadMembers, lockPair, lockPrivateChannel, setClosed } from './store.js';
import { doSystemMessage, SystemMessageType } from './system-messages.js';
import { toWireDmChannel } from './wire.js';

type ChannelRow = typeof channels.$inferSelect;

async function loadWireUser(q: Queryable, id: string) {
  if (!idInRange(id)) return undefined;
  const [u] = await q.select(userColumns(users)).from(users).where(eq(users.id, id)).limit(1);
  return u ? toWireUser(u) : undefined;
}

/** Tells each member about the channel as they see it (recipients = the others), one event each. */
function emitPerMember(emit: Emit, t: string, channel: ChannelRow, members: User[], only?: string[]) {
  for (const u of members) {
    if (only && !only.includes(u.id)) continue;
    emit({
      t,
      d: toWireDmChannel(
        channel,
        members.filter((m) => m.id !== u.id),
      ),
      channel_id: channel.id,
      user_ids: [u.id],
    });
  }
}

/** POST /users/@me/channels: `recipient_id` (or one `recipients` entry) opens a DM; otherwise a group DM. */
export async function doOpenChannel(ctx: AppContext, who: Caller, body: OpenDmBody) {
  if (body.recipient_id !== undefined) return doOpenDm(ctx, who, body.recipient_id);
  if (!body.recipients) throw invalidField('recipient_id', 'BASE_TYPE_REQUIRED', 'This field is required');
  const ids = [...new Set(body.recipients)].filter((id) => id !== who.id);
  if (ids.length === 1 && body.recipients.length === 1) return doOpenDm(ctx, who, ids[0]);
  return doCreateGroupDm(ctx, who, ids, body.name ?? null);
}

/**
 * Opens (or returns) the caller's DM with another user. A new DM is announced with CHANNEL_CREATE
 * to both participants, each seeing the other as recipient; a DM the caller had closed reopens for
 * them. Someone who blocked the caller cannot be DMed (50007).
 */
export async function doOpenDm(ctx: AppContext, who: Caller, recipientId: string) {
  if (recipientId === who.id) throw invalidField('recipient_id', 'BASE_TYPE_INVALID', 'Cannot open a DM with yourself.');
  const them = await loadWireUser(ctx.db, recipientId);
  if (!them) throw new ApiError(Errors.UNKNOWN_USER);
  const me = (await loadWireUser(ctx.db, who.id)) as User;
  return transact(ctx, async (tx, emit) => {
    await lockPair(tx, who.id, recipientId);
    const existing = await findDm(tx, who.id, recipientId);
    if (existing) {
      if (await setClosed(tx, existing.id, who.id, false))
        emit({ t: 'CHANNEL_CREATE', d: toWireDmChannel(existing, [them]), channel_id: existing.id, user_ids: [who.id] });
      return toWireDmChannel(existing, [them]);
    }
    if (await blockedEitherWay(tx, who.id, recipientId)) throw new ApiError(Errors.CANNOT_MESSAGE_USER);
    const [channel] = await tx.insert(channels).values({ id: ctx.ids.next(), type: 1 }).returning();
    await tx.insert(channelRecipients).values([
      { channelId: channel.id, userId: who.id },
      { channelId: channel.id, userId: recipientId },
    ]);
    emitPerMember(emit, 'CHANNEL_CREATE', channel, [me, them]);
    return toWireDmChannel(channel, [them]);
  });
}

/** Group DM members must be the adder's friends (a block ends a friendship, so blocks are covered). */
async function checkFriends(q: Queryable, userId: string, ids: string[]) {
  const friends = await friendsAmong(q, userId, ids);
  if (ids.some((id) => !friends.has(id))) throw new ApiError(Errors.CANNOT_MESSAGE_USER);
}

/** A group DM owned by the caller, with up to 9 of their friends (30004 beyond). */
export async function doCreateGroupDm(ctx: AppContext, who: Caller, ids: string[], name: string | null) {
  if (who.bot) throw new ApiError(Errors.BOTS_FORBIDDEN);
  if (ids.length + 1 > MAX_GROUP_DM_RECIPIENTS) throw new ApiError(Errors.MAX_RECIPIENTS);
  for (const id of ids) if (!(await loadWireUser(ctx.db, id))) throw new ApiError(Errors.UNKNOWN_USER);
  return transact(ctx, async (tx, emit) => {
    await checkFriends(tx, who.id, ids);
    const id = ctx.ids.next();
    const [channel] = await tx
      .insert(channels)
      .values({ id, type: 3, ownerId: who.id, name: name?.trim() || null })
      .returning();
    await tx.insert(channelRecipients).values([who.id, ...ids].map((userId) => ({ channelId: id, userId })));
    const members = await loadMembers(tx, id);
    emitPerMember(emit, 'CHANNEL_CREATE', channel, members);
    return toWireDmChannel(
      channel,
      members.filter((m) => m.id !== who.id),
    );
  });
}

/** Inside tx: the group DM, locked, if the caller is in it (else Unknown Channel, like any channel they cannot see). */
async function accessGroupDm(tx: Tx, channelId: string, userId: string) {
  await accessChannel(tx, channelId, userId);
  const channel = await lockPrivateChannel(tx, channelId);
  if (!channel) throw new ApiError(Errors.UNKNOWN_CHANNEL);
  if (channel.type !== 3) throw new ApiError(Errors.INVALID_CHANNEL_TYPE);
  return channel;
}

/** Whether PATCH/DELETE /channels/{id} concerns a DM or group DM (guild channels go to channels/). */
export async function isPrivateChannel(q: Queryable, channelId: string) {
  if (!idInRange(channelId)) return false;
  const [c] = await q.select({ guildId: channels.guildId }).from(channels).where(eq(channels.id, channelId)).limit(1);
  return !!c && !c.guildId;
}

/** PATCH /channels/{id} on a group DM: any member may rename it or change its icon (system messages 4, 5). */
export async function doUpdateGroupDm(ctx: AppContext, who: Caller, channelId: string, body: PatchChannelBody) {
  const icon = body.icon === undefined ? undefined : await doStoreImage(ctx, 'channel-icons', channelId, body.icon, 'icon');
  return transact(ctx, async (tx, emit) => {
    const before = await accessGroupDm(tx, channelId, who.id);
    const patch: Partial<ChannelRow> = {};
    if (body.name !== undefined) patch.name = body.name.trim() || null;
    if (icon !== undefined) patch.icon = icon;
    const [channel] = Object.keys(patch).length
      ? await tx.update(channels).set(patch).where(eq(channels.id, channelId)).returning()
      : [before];
    const members = await loadMembers(tx, channelId);
    emitPerMember(emit, 'CHANNEL_UPDATE', channel, members);
    if (patch.name !== undefined && patch.name !== before.name)
      await doSystemMessage(ctx, tx, emit, channel, who.id, { type: SystemMessageType.CHANNEL_NAME_CHANGE, content: patch.name ?? '' });
    if (patch.icon !== undefined && patch.icon !== before.icon)
      await doSystemMessage(ctx, tx, emit, channel, who.id, { type: SystemMessageType.CHANNEL_ICON_CHANGE });
    return toWireDmChannel(
      channel,
      members.filter((m) => m.id !== who.id),
    );
  });
}

/** PUT /channels/{id}/recipients/{user}: any member adds one of their friends; 10 at most (30004). */
export async function doAddRecipient(ctx: AppContext, who: Caller, channelId: string, userId: string) {
  const added = await loadWireUser(ctx.db, userId);
  if (!added) throw new ApiError(Errors.UNKNOWN_USER);
  await transact(ctx, async (tx, emit) => {
    const channel = await accessGroupDm(tx, channelId, who.id);
    const before = await loadMembers(tx, channelId);
    if (before.some((m) => m.id === userId)) return;
    if (before.length >= MAX_GROUP_DM_RECIPIENTS) throw new ApiError(Errors.MAX_RECIPIENTS);
    await checkFriends(tx, who.id, [userId]);
    await tx.insert(channelRecipients).values({ channelId, userId });
    const members = [...before, added];
    emit({
      t: 'CHANNEL_RECIPIENT_ADD',
      d: { channel_id: channelId, user: added },
      channel_id: channelId,
      user_ids: before.map((m) => m.id),
    });
    emitPerMember(emit, 'CHANNEL_CREATE', channel, members, [userId]);
    await doSystemMessage(ctx, tx, emit, channel, who.id, { type: SystemMessageType.RECIPIENT_ADD, mentions: [userId] });
  });
}

/** DELETE /channels/{id}/recipients/{user}: the owner removes someone (removing yourself is leaving). */
export async function doRemoveRecipient(ctx: AppContext, who: Caller, channelId: string, userId: string) {
  if (userId === who.id) return void (await doLeaveGroupDm(ctx, who, channelId));
  await transact(ctx, async (tx, emit) => {
    const channel = await accessGroupDm(tx, channelId, who.id);
    if (channel.ownerId !== who.id) throw new ApiError(Errors.MISSING_PERMISSIONS);
    const before = await loadMembers(tx, channelId);
    const removed = before.find((m) => m.id === userId);
    if (!removed) throw new ApiError(Errors.UNKNOWN_USER);
    await doDropMember(ctx, tx, emit, channel, before, removed, who.id);
  });
  await doHangUpGone(ctx, channelId, userId);
}

/** After commit: someone no longer in the group leaves its call too (LiveKit drops them). */
async function doHangUpGone(ctx: AppContext, channelId: string, userId: string) {
  await doLeaveVoice(ctx, userId, { guild_id: null, channel_id: channelId });
}

/**
 * Inside tx: takes `removed` out of the group. They get CHANNEL_DELETE; the others
 * CHANNEL_RECIPIENT_REMOVE, a system message (type 2) and, if the owner left, CHANNEL_UPDATE with
 * the new owner (the remaining member with the lowest id). The last one out deletes the group.
 */
async function doDropMember(ctx: AppContext, tx: Tx, emit: Emit, channel: ChannelRow, before: User[], removed: User, actorId: string) {
  await tx.delete(channelRecipients).where(and(eq(channelRecipients.channelId, channel.id), eq(channelRecipients.userId, removed.id)));
  const rest = before.filter((m) => m.id !== removed.id);
  emit({ t: 'CHANNEL_DELETE', d: toWireDmChannel(channel, rest), channel_id: channel.id, user_ids: [removed.id] });
  if (!rest.length) {
    await tx.delete(channels).where(eq(channels.id, channel.id));
    return;
  }
  emit({
    t: 'CHANNEL_RECIPIENT_REMOVE',
    d: { channel_id: channel.id, user: removed },
    channel_id: channel.id,
    user_ids: rest.map((m) => m.id),
  });
  let current = channel;
  if (channel.ownerId === removed.id) {
    [current] = await tx.update(channels).set({ ownerId: rest[0].id }).where(eq(channels.id, channel.id)).returning();
    emitPerMember(emit, 'CHANNEL_UPDATE', current, rest);
  }
  await doSystemMessage(ctx, tx, emit, current, actorId, {
    type: SystemMessageType.RECIPIENT_REMOVE,
    mentions: [removed.id],
    markRead: actorId !== removed.id,
  });
}

/** DELETE /channels/{id} on a group DM: leave it (ownership passes on). */
async function doLeaveGroupDm(ctx: AppContext, who: Caller, channelId: string) {
  const left = await transact(ctx, async (tx, emit) => {
    const channel = await accessGroupDm(tx, channelId, who.id);
    const before = await loadMembers(tx, channelId);
    const me = before.find((m) => m.id === who.id) as User;
    await doDropMember(ctx, tx, emit, channel, before, me, who.id);
    return toWireDmChannel(
      channel,
      before.filter((m) => m.id !== who.id),
    );
  });
  await doHangUpGone(ctx, channelId, who.id);
  return left;
}

/** DELETE /channels/{id} on a DM closes it for the caller (it reopens on the next message); on a group DM it leaves. */
export async function doCloseOrLeave(ctx: AppContext, who: Caller, channelId: string) {
  const { channel } = await accessChannel(ctx.db, channelId, who.id);
  if (channel.type === 3) return doLeaveGroupDm(ctx, who, channelId);
  return transact(ctx, async (tx, emit) => {
    const members = await loadMembers(tx, channelId);
    const wire = toWireDmChannel(
      channel,
      members.filter((m) => m.id !== who.id),
    );
    if (await setClosed(tx, channelId, who.id, true)) emit({ t: 'CHANNEL_DELETE', d: wire, channel_id: channelId, user_ids: [who.id] });
    return wire;
  });
}

export async function accessDms(ctx: AppContext, who: Caller) {
  return (await loadDms(ctx.db, who.id)).map(({ channel, recipients }) => toWireDmChannel(channel, recipients));
}
