import { Errors, MAX_PINS, type Message, Permissions } from '@retrocast/protocol';
import { eq } from 'drizzle-orm';
import type { AppContext, Caller } from '../context.js';
import type { Tx } from '../db/client.js';
import { channels, messages } from '../db/schema.js';
import { type Emit, transact } from '../db/tx.js';
import { ApiError, invalidField } from '../http/errors.js';
import { accessMessage, accessTextChannel, doRefreshPins, toWireMessages } from '../messages/service.js';
import * as store from '../messages/store.js';

const { VIEW_CHANNEL, READ_MESSAGE_HISTORY, MANAGE_MESSAGES } = Permissions;

/** Pinned messages, most recently pinned first (VIEW_CHANNEL + READ_MESSAGE_HISTORY). */
export async function accessPins(ctx: AppContext, who: Caller, channelId: string): Promise<Message[]> {
  await accessTextChannel(ctx.db, channelId, who.id, VIEW_CHANNEL | READ_MESSAGE_HISTORY);
  return toWireMessages(ctx.db, await store.listPinned(ctx.db, channelId));
}

/**
 * Discord's current pins listing (GET /channels/{id}/messages/pins): `{items: [{pinned_at, message}],
 * has_more}`, newest pin first, paged by `before` (an ISO timestamp of a pin) and `limit` (1–50).
 */
export async function accessPinsPage(ctx: AppContext, who: Caller, channelId: string, query: { before?: string; limit?: number }) {
  await accessTextChannel(ctx.db, channelId, who.id, VIEW_CHANNEL | READ_MESSAGE_HISTORY);
  const before = query.before === undefined ? undefined : Date.parse(query.before);
  if (before !== undefined && Number.isNaN(before)) throw invalidField('before', 'DATE_TYPE_INVALID', 'Could not parse timestamp.');
  const all = await store.listPinned(ctx.db, channelId);
  const older = all.filter((m) => before === undefined || (m.pinnedAt?.getTime() ?? 0) < before);
  const limit = query.limit ?? 50;
  const page = older.slice(0, limit);
  const wire = await toWireMessages(ctx.db, page);
  return {
    items: wire.map((message, i) => ({ pinned_at: page[i].pinnedAt?.toISOString() ?? message.timestamp, message })),
    has_more: older.length > limit,
  };
}

/** The message to (un)pin: MANAGE_MESSAGES in guild channels; any participant in a DM. */
async function checkPinAccess(ctx: AppContext, who: Caller, channelId: string, messageId: string) {
  const { access, message } = await accessMessage(ctx.db, channelId, messageId, who.id, VIEW_CHANNEL);
  if (access.guild && !(access.permissions & MANAGE_MESSAGES)) throw new ApiError(Errors.MISSING_PERMISSIONS);
  return message;
}

/**
 * Pins a message (at most 50 per channel; pinning a pinned one is a no-op). The channel row is
 * locked so two concurrent pins cannot both take the 50th slot.
 */
export async function doPin(ctx: AppContext, who: Caller, channelId: string, messageId: string): Promise<void> {
  await checkPinAccess(ctx, who, channelId, messageId);
  await transact(ctx, async (tx, emit) => {
    await tx.select({ id: channels.id }).from(channels).where(eq(channels.id, channelId)).for('update');
    const message = await store.loadMessage(tx, channelId, messageId);
    if (!message) throw new ApiError(Errors.UNKNOWN_MESSAGE);
    if (message.pinned) return;
    if ((await store.countPinned(tx, channelId)) >= MAX_PINS) throw new ApiError(Errors.MAX_PINS);
    await setPinned(tx, emit, channelId, messageId, true);
  });
}

export async function doUnpin(ctx: AppContext, who: Caller, channelId: string, messageId: string): Promise<void> {
  await checkPinAccess(ctx, who, channelId, messageId);
  await transact(ctx, async (tx, emit) => {
    await tx.select({ id: channels.id }).from(channels).where(eq(channels.id, channelId)).for('update');
    const message = await store.loadMessage(tx, channelId, messageId);
    if (!message) throw new ApiError(Errors.UNKNOWN_MESSAGE);
    if (!message.pinned) return;
    await setPinned(tx, emit, channelId, messageId, false);
  });
}

/** Flips the flag, emits MESSAGE_UPDATE, then refreshes last_pin_timestamp (CHANNEL_PINS_UPDATE). */
async function setPinned(tx: Tx, emit: Emit, channelId: string, messageId: string, pinned: boolean) {
  const [row] = await tx
    .update(messages)
    .set({ pinned, pinnedAt: pinned ? new Date() : null })
    .where(eq(messages.id, messageId))
    .returning();
  const [wire] = await toWireMessages(tx, [row]);
  const guild = row.guildId ? { guild_id: row.guildId } : {};
  emit({ t: 'MESSAGE_UPDATE', d: wire, channel_id: channelId, ...guild });
  await doRefreshPins(tx, emit, channelId, row.guildId);
}
