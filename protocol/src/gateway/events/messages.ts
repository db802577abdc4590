import { Type } from 'typebox';
import { Snowflake } from '../../rest/common.js';
import { Message as FullMessage } from '../../rest/messages.js';
import { Member } from '../objects.js';
import { dispatchSchema as dispatch } from './dispatch.js';

const Where = { channel_id: Snowflake, guild_id: Type.Optional(Snowflake) };

export const MessageCreateEvent = dispatch(
  'MESSAGE_CREATE',
  // The full message object (rest/messages.ts), plus the author's member in guilds.
  Type.Object({ ...FullMessage.properties, member: Type.Optional(Member) }, { additionalProperties: false }),
);
/** Partial message: only id and channel_id are guaranteed. */
export const MessageUpdateEvent = dispatch('MESSAGE_UPDATE', Type.Object({ id: Snowflake, ...Where }, { additionalProperties: true }));
export const MessageDeleteEvent = dispatch('MESSAGE_DELETE', Type.Object({ id: Snowflake, ...Where }, { additionalProperties: false }));
export const MessageDeleteBulkEvent = dispatch(
  'MESSAGE_DELETE_BULK',
  Type.Object({ ids: Type.Array(Snowflake), ...Where }, { additionalProperties: false }),
);
/** Sent to the reader's own sessions when they mark a channel read. */
export const MessageAckEvent = dispatch(
  'MESSAGE_ACK',
  Type.Object(
    { channel_id: Snowflake, message_id: Snowflake, mention_count: Type.Optional(Type.Integer()), version: Type.Optional(Type.Integer()) },
    { additionalProperties: true },
  ),
);
/** A message was pinned or unpinned; `last_pin_timestamp` is the newest remaining pin's time. */
export const ChannelPinsUpdateEvent = dispatch(
  'CHANNEL_PINS_UPDATE',
  Type.Object(
    { channel_id: Snowflake, guild_id: Type.Optional(Snowflake), last_pin_timestamp: Type.Union([Type.String(), Type.Null()]) },
    { additionalProperties: false },
  ),
);
