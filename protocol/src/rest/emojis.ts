import { type Static, Type } from 'typebox';
import { dispatchSchema, registerDispatchEvent } from '../gateway/events/index.js';
import { Snowflake } from './common.js';
import { User } from './users.js';

/** Discord: 50 static and 50 animated custom emoji per guild (level 0), 256 KB each. */
export const MAX_EMOJIS_PER_KIND = 50;
export const MAX_EMOJI_BYTES = 256 * 1024;
export const EMOJI_NAME = '^[A-Za-z0-9_]{2,32}$';

/** Discord's emoji object (custom emoji). `user` only for callers with MANAGE_GUILD_EXPRESSIONS. */
export const Emoji = Type.Object({
  id: Snowflake,
  name: Type.String(),
  roles: Type.Array(Snowflake),
  user: Type.Optional(User),
  require_colons: Type.Boolean(),
  managed: Type.Boolean(),
  animated: Type.Boolean(),
  available: Type.Boolean(),
});
export type Emoji = Static<typeof Emoji>;

export const CreateEmojiBody = Type.Object({
  name: Type.String({ pattern: EMOJI_NAME }),
  /** Data URI; base64 of 256 KB is ~350 000 characters. */
  image: Type.String({ maxLength: 400_000 }),
  roles: Type.Optional(Type.Array(Snowflake, { maxItems: 0 })),
});
export type CreateEmojiBody = Static<typeof CreateEmojiBody>;

export const PatchEmojiBody = Type.Object({
  name: Type.Optional(Type.String({ pattern: EMOJI_NAME })),
  roles: Type.Optional(Type.Union([Type.Array(Snowflake, { maxItems: 0 }), Type.Null()])),
});
export type PatchEmojiBody = Static<typeof PatchEmojiBody>;

/** The guild's whole emoji list after any create, rename or delete. */
export const GuildEmojisUpdateEvent = dispatchSchema(
  'GUILD_EMOJIS_UPDATE',
  Type.Object({ guild_id: Snowflake, emojis: Type.Array(Emoji) }, { additionalProperties: false }),
);
registerDispatchEvent('GUILD_EMOJIS_UPDATE', GuildEmojisUpdateEvent);
