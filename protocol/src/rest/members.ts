import { type Static, Type } from 'typebox';
import { Snowflake } from './common.js';

export const ListMembersQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 1 })),
  after: Type.Optional(Snowflake),
});
export type ListMembersQuery = Static<typeof ListMembersQuery>;

export const PatchMemberBody = Type.Object({
  nick: Type.Optional(Type.Union([Type.String({ maxLength: 32 }), Type.Null()])),
  roles: Type.Optional(Type.Union([Type.Array(Snowflake, { maxItems: 250 }), Type.Null()])),
  mute: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
  deaf: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
  /** Voice: move to another voice channel (MOVE_MEMBERS); null disconnects. */
  channel_id: Type.Optional(Type.Union([Snowflake, Type.Null()])),
});
export type PatchMemberBody = Static<typeof PatchMemberBody>;

export const PatchMeMemberBody = Type.Object({
  nick: Type.Optional(Type.Union([Type.String({ maxLength: 32 }), Type.Null()])),
});
export type PatchMeMemberBody = Static<typeof PatchMeMemberBody>;

/** PUT /guilds/{id}/bans/{user_id}. */
export const BanBody = Type.Object({
  delete_message_seconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 604800 })),
  /** Deprecated Discord field, still accepted by libraries. */
  delete_message_days: Type.Optional(Type.Integer({ minimum: 0, maximum: 7 })),
});
export type BanBody = Static<typeof BanBody>;

export const ListBansQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 1000 })),
  before: Type.Optional(Snowflake),
  after: Type.Optional(Snowflake),
});
export type ListBansQuery = Static<typeof ListBansQuery>;
