import { Type } from 'typebox';
import { Snowflake } from '../../rest/common.js';
import { Channel, User } from '../objects.js';
import { dispatchSchema as dispatch } from './dispatch.js';

export const ChannelCreateEvent = dispatch('CHANNEL_CREATE', Channel);
export const ChannelUpdateEvent = dispatch('CHANNEL_UPDATE', Channel);
export const ChannelDeleteEvent = dispatch('CHANNEL_DELETE', Channel);

export const InviteCreateEvent = dispatch(
  'INVITE_CREATE',
  Type.Object(
    {
      channel_id: Snowflake,
      guild_id: Snowflake,
      code: Type.String(),
      created_at: Type.String(),
      inviter: Type.Optional(User),
      max_age: Type.Integer(),
      max_uses: Type.Integer(),
      temporary: Type.Boolean(),
      uses: Type.Integer(),
    },
    { additionalProperties: true },
  ),
);
export const InviteDeleteEvent = dispatch(
  'INVITE_DELETE',
  Type.Object({ channel_id: Snowflake, guild_id: Snowflake, code: Type.String() }, { additionalProperties: false }),
);
