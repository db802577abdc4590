import { type Static, Type } from 'typebox';
import { Snowflake } from './common.js';

import type { TSchema } from 'typebox';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const CreateGuildBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 100 }),
  icon: Type.Optional(Nullable(Type.String({ maxLength: 12_000_000 }))),
});
export type CreateGuildBody = Static<typeof CreateGuildBody>;

/** PATCH /guilds/{id}. `owner_id` transfers ownership (owner only). */
export const PatchGuildBody = Type.Object({
  name: Type.Optional(Type.String({ minLength: 2, maxLength: 100 })),
  icon: Type.Optional(Nullable(Type.String({ maxLength: 12_000_000 }))),
  description: Type.Optional(Nullable(Type.String({ maxLength: 120 }))),
  owner_id: Type.Optional(Snowflake),
  afk_channel_id: Type.Optional(Nullable(Snowflake)),
  afk_timeout: Type.Optional(Type.Union([Type.Literal(60), Type.Literal(300), Type.Literal(900), Type.Literal(1800), Type.Literal(3600)])),
  system_channel_id: Type.Optional(Nullable(Snowflake)),
  verification_level: Type.Optional(Type.Integer({ minimum: 0, maximum: 4 })),
  default_message_notifications: Type.Optional(Type.Integer({ minimum: 0, maximum: 1 })),
});
export type PatchGuildBody = Static<typeof PatchGuildBody>;

/** GET /users/@me/guilds query. */
export const MyGuildsQuery = Type.Object({
  before: Type.Optional(Snowflake),
  after: Type.Optional(Snowflake),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 200 })),
  with_counts: Type.Optional(Type.Boolean()),
});
export type MyGuildsQuery = Static<typeof MyGuildsQuery>;
