import { type Static, Type } from 'typebox';
import { Snowflake } from './common.js';
import { User } from './users.js';

/**
 * Discord's application object, as GET /oauth2/applications/@me returns it to a bot. In Retrocast
 * every bot is its own application: the application id is the bot user's id.
 */
export const Application = Type.Object({
  id: Snowflake,
  name: Type.String(),
  icon: Type.Union([Type.String(), Type.Null()]),
  description: Type.String(),
  summary: Type.String(),
  type: Type.Null(),
  bot: User,
  owner: User,
  team: Type.Null(),
  bot_public: Type.Boolean(),
  bot_require_code_grant: Type.Boolean(),
  verify_key: Type.String(),
  flags: Type.Integer(),
  rpc_origins: Type.Array(Type.String()),
  redirect_uris: Type.Array(Type.String()),
  tags: Type.Array(Type.String()),
  interactions_endpoint_url: Type.Null(),
  role_connections_verification_url: Type.Null(),
  approximate_guild_count: Type.Integer(),
  install_params: Type.Object({ scopes: Type.Array(Type.String()), permissions: Type.String() }),
  integration_types_config: Type.Object({}, { additionalProperties: true }),
  /** Discord's ApplicationExplicitContentFilterTypes: 0 = INHERIT (the guild's own filter). */
  explicit_content_filter: Type.Optional(Type.Integer()),
});
export type Application = Static<typeof Application>;

/** A bot as its owner sees it in User Settings → Bots. */
export const OwnedBot = Type.Object({ user: User, application_id: Snowflake, guild_count: Type.Integer() });
export const PatchBotBody = Type.Object({
  username: Type.Optional(Type.String({ minLength: 2, maxLength: 32 })),
  avatar: Type.Optional(Type.Union([Type.String({ maxLength: 12_000_000 }), Type.Null()])),
});
export type PatchBotBody = Static<typeof PatchBotBody>;

/** GET /oauth2/authorize?client_id&scope=bot&permissions: what the consent page shows. */
export const AuthorizeQuery = Type.Object({
  client_id: Snowflake,
  scope: Type.Optional(Type.String({ maxLength: 200 })),
  permissions: Type.Optional(Type.String({ pattern: '^[0-9]{1,20}$' })),
  guild_id: Type.Optional(Snowflake),
  response_type: Type.Optional(Type.String({ maxLength: 32 })),
  // Bounded so that any valid query, percent-encoded, stays well under the 16 KB header limit.
  redirect_uri: Type.Optional(Type.String({ maxLength: 512 })),
  disable_guild_select: Type.Optional(Type.Boolean()),
});
export type AuthorizeQuery = Static<typeof AuthorizeQuery>;

export const AuthorizeInfo = Type.Object({
  application: Type.Object({ id: Snowflake, name: Type.String(), icon: Type.Union([Type.String(), Type.Null()]), bot: User }),
  /** Servers where the caller has MANAGE_GUILD (and whether the bot is already there). */
  guilds: Type.Array(
    Type.Object({ id: Snowflake, name: Type.String(), icon: Type.Union([Type.String(), Type.Null()]), bot_member: Type.Boolean() }),
  ),
  permissions: Type.String(),
});

export const AuthorizeBody = Type.Object({
  guild_id: Snowflake,
  permissions: Type.Optional(Type.String({ pattern: '^[0-9]{1,20}$' })),
  authorize: Type.Optional(Type.Boolean()),
});
export type AuthorizeBody = Static<typeof AuthorizeBody>;
