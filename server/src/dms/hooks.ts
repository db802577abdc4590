import { Errors } from '@retrocast/protocol';
import type { Queryable, Tx } from '../db/client.js';
import type { channels } from '../db/schema.js';
import type { Emit } from '../db/tx.js';
import { ApiError } from '../http/errors.js';
import { blockedEitherWay } from '../relationships/store.js';
import { loadMembers, setClosed } from './store.js';
import { toWireDmChannel } from './wire.js';

type ChannelRow = typeof channels.$inferSelect;

/**
 * Hooks the message routes call for DMs (kept here so messages/ needs no knowledge of blocks).
 * A 1:1 DM where either side blocked the other accepts no new messages (Discord's 50007).
 */
export async function checkDmSendAllowed(q: Queryable, channel: ChannelRow, userId: string) {
  if (channel.type !== 1) return;
  const other = (await loadMembers(q, channel.id)).find((u) => u.id !== userId);
  if (other && (await blockedEitherWay(q, userId, other.id))) throw new ApiError(Errors.CANNOT_MESSAGE_USER);
}

/** Inside tx, before MESSAGE_CREATE: a recipient who closed this DM gets it back (CHANNEL_CREATE first). */
export async function doReopenDm(tx: Tx, emit: Emit, channel: ChannelRow) {
  if (channel.type !== 1) return;
  const members = await loadMembers(tx, channel.id);
  for (const u of members) {
    if (!(await setClosed(tx, channel.id, u.id, false))) continue;
    const fresh = { ...channel };
    emit({
      t: 'CHANNEL_CREATE',
      d: toWireDmChannel(
        fresh,
        members.filter((m) => m.id !== u.id),
      ),
      channel_id: channel.id,
      user_ids: [u.id],
    });
  }
}
