import type { TSchema } from 'typebox';
import { type Static, Type } from 'typebox';
import { Channel } from './channels.js';
import { Snowflake } from './common.js';
import { Member } from './members.js';
import { Role } from './roles.js';

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

const guildFields = {
  id: Snowflake,
  name: Type.String(),
  icon: Nullable(Type.String()),
  splash: Type.Null(),
  owner_id: Snowflake,
  description: Nullable(Type.String()),
  afk_channel_id: Nullable(Snowflake),
  afk_timeout: Type.Integer(),
  system_channel_id: Nullable(Snowflake),
  verification_level: Type.Integer(),
  default_message_notifications: Type.Integer(),
  explicit_content_filter: Type.Integer(),
  mfa_level: Type.Integer(),
  premium_tier: Type.Integer(),
  nsfw_level: Type.Integer(),
  preferred_locale: Type.String(),
  features: Type.Array(Type.String()),
  roles: Type.Array(Role),
  emojis: Type.Array(Type.Unknown()),
  stickers: Type.Array(Type.Unknown()),
  home_header: Type.Null(),
  discovery_splash: Type.Null(),
  banner: Type.Null(),
  application_id: Type.Null(),
  region: Type.String(),
  system_channel_flags: Type.Integer(),
  widget_enabled: Type.Boolean(),
  widget_channel_id: Type.Null(),
  max_presences: Type.Null(),
  max_members: Type.Integer(),
  max_stage_video_channel_users: Type.Integer(),
  max_video_channel_users: Type.Integer(),
  vanity_url_code: Type.Null(),
  premium_subscription_count: Type.Integer(),
  rules_channel_id: Type.Null(),
  safety_alerts_channel_id: Type.Null(),
  public_updates_channel_id: Type.Null(),
  premium_progress_bar_enabled: Type.Boolean(),
  nsfw: Type.Boolean(),
};

/** Discord's guild object (`approximate_*` with `with_counts=true`). */
export const Guild = Type.Object({
  ...guildFields,
  approximate_member_count: Type.Optional(Type.Integer()),
  approximate_presence_count: Type.Optional(Type.Integer()),
});
export type Guild = Static<typeof Guild>;

/** The full guild of GUILD_CREATE, also returned by POST /guilds. */
export const GuildWithState = Type.Object({
  ...guildFields,
  joined_at: Type.Optional(Type.String()),
  large: Type.Boolean(),
  unavailable: Type.Boolean(),
  member_count: Type.Integer(),
  channels: Type.Array(Channel),
  members: Type.Array(Member),
  voice_states: Type.Array(Type.Unknown()),
  presences: Type.Array(Type.Unknown()),
  threads: Type.Array(Type.Unknown()),
});

/** An entry of GET /users/@me/guilds. */
export const PartialGuild = Type.Object({
  id: Snowflake,
  name: Type.String(),
  icon: Nullable(Type.String()),
  owner: Type.Boolean(),
  permissions: Type.String(),
  features: Type.Array(Type.String()),
  approximate_member_count: Type.Optional(Type.Integer()),
  approximate_presence_count: Type.Optional(Type.Integer()),
});
