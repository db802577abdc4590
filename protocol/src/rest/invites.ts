import { type Static, Type } from 'typebox';
import { Snowflake } from './common.js';
import { User } from './users.js';

export const CreateInviteBody = Type.Object({
  /** Seconds until expiry; 0 = never. Discord's default is 24 hours. */
  max_age: Type.Optional(Type.Integer({ minimum: 0, maximum: 604800, default: 86400 })),
  /** 0 = unlimited. */
  max_uses: Type.Optional(Type.Integer({ minimum: 0, maximum: 100, default: 0 })),
  temporary: Type.Optional(Type.Boolean()),
  /** false: reuse an equivalent invite by the same inviter when one exists. */
  unique: Type.Optional(Type.Boolean()),
});
export type CreateInviteBody = Static<typeof CreateInviteBody>;

export const InviteCodeParam = Type.Object({ code: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }) });

export const GetInviteQuery = Type.Object({
  with_counts: Type.Optional(Type.Boolean()),
  with_expiration: Type.Optional(Type.Boolean()),
});

/** Discord's invite object with its metadata; `new_member` on accept. */
export const Invite = Type.Object({
  type: Type.Integer(),
  code: Type.String(),
  guild: Type.Object({
    id: Snowflake,
    name: Type.String(),
    icon: Type.Union([Type.String(), Type.Null()]),
    splash: Type.Null(),
    banner: Type.Null(),
    description: Type.Union([Type.String(), Type.Null()]),
    features: Type.Array(Type.String()),
    verification_level: Type.Integer(),
    nsfw_level: Type.Integer(),
  }),
  guild_id: Snowflake,
  channel: Type.Object({ id: Snowflake, name: Type.Union([Type.String(), Type.Null()]), type: Type.Integer() }),
  inviter: Type.Optional(User),
  expires_at: Type.Union([Type.String(), Type.Null()]),
  uses: Type.Integer(),
  max_uses: Type.Integer(),
  max_age: Type.Integer(),
  temporary: Type.Boolean(),
  created_at: Type.String(),
  approximate_member_count: Type.Optional(Type.Integer()),
  approximate_presence_count: Type.Optional(Type.Integer()),
  new_member: Type.Optional(Type.Boolean()),
});
export type Invite = Static<typeof Invite>;
