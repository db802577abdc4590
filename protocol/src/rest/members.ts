import { type Static, Type } from 'typebox';
import { Snowflake } from './common.js';
import { User } from './users.js';

export const ListMembersQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 1 })),
  after: Type.Optional(Snowflake),
});
export type ListMembersQuery = Static<typeof ListMembersQuery>;

/** GET /guilds/{id}/members/search: members whose username, display name or nickname starts with `query`. */
export const SearchMembersQuery = Type.Object({
  query: Type.String({ minLength: 1, maxLength: 100 }),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 1 })),
});
export type SearchMembersQuery = Static<typeof SearchMembersQuery>;

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

/** Discord's guild member object. */
export const Member = Type.Object({
  user: User,
  nick: Type.Union([Type.String(), Type.Null()]),
  avatar: Type.Null(),
  roles: Type.Array(Snowflake),
  joined_at: Type.String(),
  premium_since: Type.Null(),
  deaf: Type.Boolean(),
  mute: Type.Boolean(),
  flags: Type.Integer(),
  pending: Type.Boolean(),
  communication_disabled_until: Type.Null(),
  banner: Type.Optional(Type.Null()),
  avatar_decoration_data: Type.Optional(Type.Null()),
});
export type Member = Static<typeof Member>;

export const Ban = Type.Object({ reason: Type.Union([Type.String(), Type.Null()]), user: User });
export type Ban = Static<typeof Ban>;
