import type { User } from '@retrocast/protocol';
import type { channels } from '../db/schema.js';

type ChannelRow = typeof channels.$inferSelect;

/** Discord's DM channel object: the recipients are the *other* participants. */
export function toWireDmChannel(c: ChannelRow, recipients: User[]) {
  return {
    id: c.id,
    type: c.type,
    last_message_id: c.lastMessageId,
    recipients,
    flags: 0,
    ...(c.type === 3 ? { name: c.name, owner_id: c.ownerId, icon: c.icon } : {}),
  };
}
export type WireDmChannel = ReturnType<typeof toWireDmChannel>;
