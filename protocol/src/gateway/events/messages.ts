import { Type } from 'typebox';
import { Snowflake } from '../../rest/common.js';
import { Member, Message } from '../objects.js';
import { dispatchSchema as dispatch } from './dispatch.js';

const Where = { channel_id: Snowflake, guild_id: Type.Optional(Snowflake) };

export const MessageCreateEvent = dispatch(
  'MESSAGE_CREATE',
  Type.Object({ ...Message.properties, guild_id: Type.Optional(Snowflake), member: Type.Optional(Member) }, { additionalProperties: true }),
);
/** Partial message: only id and channel_id are guaranteed. */
export const MessageUpdateEvent = dispatch('MESSAGE_UPDATE', Type.Object({ id: Snowflake, ...Where }, { additionalProperties: true }));
export const MessageDeleteEvent = dispatch('MESSAGE_DELETE', Type.Object({ id: Snowflake, ...Where }, { additionalProperties: false }));
export const MessageDeleteBulkEvent = dispatch('MESSAGE_DELETE_BULK', Type.Object({ ids: Type.Array(Snowflake), ...Where }, { additionalProperties: false }));
/** Sent to the reader's own sessions when they mark a channel read. */
export const MessageAckEvent = dispatch(
  'MESSAGE_ACK',
  Type.Object({ channel_id: Snowflake, message_id: Snowflake, mention_count: Type.Optional(Type.Integer()), version: Type.Optional(Type.Integer()) }, { additionalProperties: true }),
);
