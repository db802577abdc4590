import { Type } from 'typebox';
import { Snowflake } from '../../rest/common.js';
import { CurrentUser, Member, Presence } from '../objects.js';
import { dispatchSchema as dispatch } from './dispatch.js';

/** One per guild the user shares with the receiver. */
export const PresenceUpdateEvent = dispatch('PRESENCE_UPDATE', Presence);

/** Clients show "… is typing" for 10 s after `timestamp` (unix seconds). */
export const TypingStartEvent = dispatch(
  'TYPING_START',
  Type.Object(
    {
      channel_id: Snowflake,
      guild_id: Type.Optional(Snowflake),
      user_id: Snowflake,
      timestamp: Type.Integer(),
      member: Type.Optional(Member),
    },
    { additionalProperties: false },
  ),
);

export const UserUpdateEvent = dispatch('USER_UPDATE', Type.Object(CurrentUser.properties, { additionalProperties: true }));
