import { type Static, type TSchema, Type } from 'typebox';
import { PermissionBits, Snowflake } from './common.js';
import { User } from './users.js';

/** Guild channel types Retrocast supports: 0 text, 2 voice, 4 category. */
export const GuildChannelType = Type.Union([Type.Literal(0), Type.Literal(2), Type.Literal(4)]);

export const OverwriteBody = Type.Object({
  id: Snowflake,
  type: Type.Union([Type.Literal(0), Type.Literal(1)]),
  allow: Type.Optional(PermissionBits),
  deny: Type.Optional(PermissionBits),
});

const channelFields = {
  name: Type.String({ minLength: 1, maxLength: 100 }),
  topic: Type.Union([Type.String({ maxLength: 1024 }), Type.Null()]),
  position: Type.Integer({ minimum: 0, maximum: 100_000 }),
  parent_id: Type.Union([Snowflake, Type.Null()]),
  nsfw: Type.Boolean(),
  rate_limit_per_user: Type.Integer({ minimum: 0, maximum: 21600 }),
  bitrate: Type.Integer({ minimum: 8000, maximum: 384000 }),
  user_limit: Type.Integer({ minimum: 0, maximum: 99 }),
  permission_overwrites: Type.Array(OverwriteBody, { maxItems: 100 }),
};

export const CreateChannelBody = Type.Object({
  name: channelFields.name,
  type: Type.Optional(GuildChannelType),
  topic: Type.Optional(channelFields.topic),
  position: Type.Optional(channelFields.position),
  parent_id: Type.Optional(channelFields.parent_id),
  nsfw: Type.Optional(channelFields.nsfw),
  rate_limit_per_user: Type.Optional(channelFields.rate_limit_per_user),
  bitrate: Type.Optional(channelFields.bitrate),
  user_limit: Type.Optional(channelFields.user_limit),
  permission_overwrites: Type.Optional(channelFields.permission_overwrites),
});
export type CreateChannelBody = Static<typeof CreateChannelBody>;

export const PatchChannelBody = Type.Object({
  name: Type.Optional(channelFields.name),
  topic: Type.Optional(channelFields.topic),
  position: Type.Optional(channelFields.position),
  parent_id: Type.Optional(channelFields.parent_id),
  nsfw: Type.Optional(channelFields.nsfw),
  rate_limit_per_user: Type.Optional(channelFields.rate_limit_per_user),
  bitrate: Type.Optional(channelFields.bitrate),
  user_limit: Type.Optional(channelFields.user_limit),
  permission_overwrites: Type.Optional(channelFields.permission_overwrites),
  /** Group DMs only: a data URI, or null to clear. */
  icon: Type.Optional(Type.Union([Type.String({ maxLength: 12_000_000 }), Type.Null()])),
});
export type PatchChannelBody = Static<typeof PatchChannelBody>;

/** PATCH /guilds/{id}/channels: bulk positions and parents. */
export const ChannelPositionsBody = Type.Array(
  Type.Object({
    id: Snowflake,
    position: Type.Optional(Type.Union([channelFields.position, Type.Null()])),
    parent_id: Type.Optional(channelFields.parent_id),
    lock_permissions: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
  }),
  { minItems: 1, maxItems: 500 },
);
export type ChannelPositionsBody = Static<typeof ChannelPositionsBody>;

/** PUT /channels/{id}/permissions/{overwrite_id}. */
export const PutOverwriteBody = Type.Object({
  type: Type.Union([Type.Literal(0), Type.Literal(1)]),
  allow: Type.Optional(Type.Union([PermissionBits, Type.Null()])),
  deny: Type.Optional(Type.Union([PermissionBits, Type.Null()])),
});
export type PutOverwriteBody = Static<typeof PutOverwriteBody>;

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const Overwrite = Type.Object({ id: Snowflake, type: Type.Integer(), allow: Type.String(), deny: Type.String() });

/** Discord's channel object: guild text/voice/category fields, or a DM's recipients. */
export const Channel = Type.Object({
  id: Snowflake,
  type: Type.Integer(),
  guild_id: Type.Optional(Snowflake),
  name: Type.Optional(Nullable(Type.String())),
  position: Type.Optional(Type.Integer()),
  parent_id: Type.Optional(Nullable(Snowflake)),
  permission_overwrites: Type.Optional(Type.Array(Overwrite)),
  flags: Type.Integer(),
  topic: Type.Optional(Nullable(Type.String())),
  nsfw: Type.Optional(Type.Boolean()),
  last_message_id: Type.Optional(Nullable(Snowflake)),
  rate_limit_per_user: Type.Optional(Type.Integer()),
  last_pin_timestamp: Type.Optional(Nullable(Type.String())),
  bitrate: Type.Optional(Type.Integer()),
  user_limit: Type.Optional(Type.Integer()),
  rtc_region: Type.Optional(Type.Null()),
  recipients: Type.Optional(Type.Array(User)),
  owner_id: Type.Optional(Nullable(Snowflake)),
  icon: Type.Optional(Nullable(Type.String())),
});
export type Channel = Static<typeof Channel>;
