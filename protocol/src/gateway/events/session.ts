import { type Static, Type } from 'typebox';
import { Snowflake } from '../../rest/common.js';
import { Relationship } from '../../rest/relationships.js';
import { Channel, CurrentUser, Presence, ReadState, UnavailableGuild, User } from '../objects.js';
import { dispatchSchema as dispatch } from './dispatch.js';

/** A DM or group DM as READY lists it. */
export const PrivateChannel = Type.Object(
  { id: Snowflake, type: Type.Integer(), last_message_id: Type.Union([Snowflake, Type.Null()]), recipients: Type.Array(User) },
  { additionalProperties: true },
);

export const ReadyData = Type.Object(
  {
    v: Type.Literal(10),
    user: CurrentUser,
    guilds: Type.Array(UnavailableGuild),
    session_id: Type.String(),
    session_type: Type.Literal('normal'),
    resume_gateway_url: Type.String(),
    private_channels: Type.Array(Type.Union([PrivateChannel, Channel])),
    read_state: Type.Array(ReadState),
    relationships: Type.Array(Relationship),
    /** Friends' presences (they may share no guild with the user). */
    presences: Type.Optional(Type.Array(Presence)),
    user_settings: Type.Object({}, { additionalProperties: true }),
    /** Notification settings (rest/notifications.ts ReadyUserGuildSettings); typed loosely here to avoid an import cycle. */
    user_guild_settings: Type.Optional(
      Type.Object({ entries: Type.Array(Type.Unknown()), partial: Type.Boolean(), version: Type.Integer() }),
    ),
    shard: Type.Optional(Type.Tuple([Type.Integer(), Type.Integer()])),
    application: Type.Optional(Type.Object({ id: Snowflake, flags: Type.Integer() }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);
export type ReadyData = Static<typeof ReadyData>;

export const ReadyEvent = dispatch('READY', ReadyData);
export const ResumedEvent = dispatch('RESUMED', Type.Object({}));
