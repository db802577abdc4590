import { Errors } from '@retrocast/protocol';
import { eq } from 'drizzle-orm';
import type { AppContext, Caller } from '../context.js';
import type { Queryable } from '../db/client.js';
import { channelRecipients, channels, users } from '../db/schema.js';
import { transact } from '../db/tx.js';
import { ApiError, invalidField } from '../http/errors.js';
import { idInRange } from '../messages/store.js';
import { toWireUser, userColumns } from '../users/wire.js';
import { findDm, loadDms, lockPair } from './store.js';
import { toWireDmChannel } from './wire.js';

async function loadWireUser(q: Queryable, id: string) {
  const [u] = await q.select(userColumns(users)).from(users).where(eq(users.id, id)).limit(1);
  return u ? toWireUser(u) : undefined;
}

/**
 * Opens (or returns) the caller's DM with another user. A new DM is announced with CHANNEL_CREATE
 * to both participants, each seeing the other as recipient; messages then flow through the usual
 * message routes, which check recipients via accessChannel.
 */
export async function doOpenDm(ctx: AppContext, who: Caller, recipientId: string) {
  if (recipientId === who.id) throw invalidField('recipient_id', 'BASE_TYPE_INVALID', 'Cannot open a DM with yourself.');
  const them = idInRange(recipientId) ? await loadWireUser(ctx.db, recipientId) : undefined;
  if (!them) throw new ApiError(Errors.UNKNOWN_USER);
  const me = (await loadWireUser(ctx.db, who.id)) as NonNullable<typeof them>;
  return transact(ctx, async (tx, emit) => {
    await lockPair(tx, who.id, recipientId);
    const existing = await findDm(tx, who.id, recipientId);
    if (existing) return toWireDmChannel(existing, [them]);
    const [channel] = await tx.insert(channels).values({ id: ctx.ids.next(), type: 1 }).returning();
    await tx.insert(channelRecipients).values([
      { channelId: channel.id, userId: who.id },
      { channelId: channel.id, userId: recipientId },
    ]);
    emit({ t: 'CHANNEL_CREATE', d: toWireDmChannel(channel, [them]), user_ids: [who.id] });
    emit({ t: 'CHANNEL_CREATE', d: toWireDmChannel(channel, [me]), user_ids: [recipientId] });
    return toWireDmChannel(channel, [them]);
  });
}

export async function accessDms(ctx: AppContext, who: Caller) {
  return (await loadDms(ctx.db, who.id)).map(({ channel, recipients }) => toWireDmChannel(channel, recipients));
}
