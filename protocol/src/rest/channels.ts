import { type Static, Type } from 'typebox';
import { Snowflake } from './common.js';

/** Guild channel types Retrocast supports: 0 text, 2 voice, 4 category. */
export const GuildChannelType = Type.Union([Type.Literal(0), Type.Literal(2), Type.Literal(4)]);

export const OverwriteBody = Type.Object({
  id: Snowflake,
  type: Type.Union([Type.Literal(0), Type.Literal(1)]),
  allow: Type.Optional(Type.String({ pattern: '^[0-9]{1,20}$' })),
  deny: Type.Optional(Type.String({ pattern: '^[0-9]{1,20}$' })),
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
  allow: Type.Optional(Type.Union([Type.String({ pattern: '^[0-9]{1,20}$' }), Type.Null()])),
  deny: Type.Optional(Type.Union([Type.String({ pattern: '^[0-9]{1,20}$' }), Type.Null()])),
});
export type PutOverwriteBody = Static<typeof PutOverwriteBody>;
