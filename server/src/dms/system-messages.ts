import type { AppContext } from '../context.js';
import type { Tx } from '../db/client.js';
import type { channels } from '../db/schema.js';
import type { Emit } from '../db/tx.js';
import { toWireMessages } from '../messages/service.js';
import { insertMessage, setChannelLastMessage } from '../messages/store.js';
import { upsertReadState } from '../read-states/store.js';

type ChannelRow = typeof channels.$inferSelect;

/** Discord's system message types used in DMs and group DMs. */
export const SystemMessageType = {
  RECIPIENT_ADD: 1,
  RECIPIENT_REMOVE: 2,
  CALL: 3,
  CHANNEL_NAME_CHANGE: 4,
  CHANNEL_ICON_CHANGE: 5,
} as const;

export interface SystemMessage {
  type: number;
  content?: string;
  mentions?: string[];
  call?: { participants: string[]; ended_timestamp: string | null; ringing?: string[] };
  /** The actor has it read (false when the actor just left the channel). */
  markRead?: boolean;
}

/**
 * Inside tx: writes a system message by `authorId` (the one who acted) and emits MESSAGE_CREATE to
 * the channel's recipients as they are at commit. The actor has it read.
 */
export async function doSystemMessage(ctx: AppContext, tx: Tx, emit: Emit, channel: ChannelRow, authorId: string, m: SystemMessage) {
  const row = await insertMessage(tx, {
    id: ctx.ids.next(),
    channelId: channel.id,
    guildId: null,
    authorId,
    content: m.content ?? '',
    type: m.type,
    mentions: m.mentions ?? [],
    call: m.call ?? null,
  });
  if (!row) throw new Error('system message insert conflicted');
  if (m.markRead !== false) await upsertReadState(tx, authorId, channel.id, row.id, 0);
  await setChannelLastMessage(tx, channel.id, row.id);
  const [wire] = await toWireMessages(tx, [row]);
  emit({ t: 'MESSAGE_CREATE', d: wire, channel_id: channel.id });
  return row;
}
