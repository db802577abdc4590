import { type Static, Type } from 'typebox';
import { dispatchSchema, registerDispatchEvent } from '../gateway/events/index.js';
import { Snowflake } from './common.js';

/** Discord: at most 20 different emoji on one message. */
export const MAX_REACTION_EMOJIS = 20;

/** Partial emoji: Unicode (`id` null, `name` the emoji) or custom (`id`, `name`, `animated`). */
export const ReactionEmoji = Type.Object({
  id: Type.Union([Snowflake, Type.Null()]),
  name: Type.String(),
  animated: Type.Optional(Type.Boolean()),
});
export type ReactionEmoji = Static<typeof ReactionEmoji>;

/** `reactions` on a message object: per emoji, how many and whether the viewer is one of them. */
export const Reaction = Type.Object({
  count: Type.Integer(),
  count_details: Type.Object({ burst: Type.Integer(), normal: Type.Integer() }),
  me: Type.Boolean(),
  me_burst: Type.Boolean(),
  burst_colors: Type.Array(Type.String()),
  emoji: ReactionEmoji,
});
export type Reaction = Static<typeof Reaction>;

export const ReactionUsersQuery = Type.Object({
  after: Type.Optional(Snowflake),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
});
export type ReactionUsersQuery = Static<typeof ReactionUsersQuery>;

const Where = { channel_id: Snowflake, message_id: Snowflake, guild_id: Type.Optional(Snowflake) };
const strict = { additionalProperties: false } as const;

/** `type` 0 = normal reaction (1 = burst, never sent); `burst` false likewise. */
const Kind = { burst: Type.Boolean(), type: Type.Literal(0) };
export const MessageReactionAddEvent = dispatchSchema(
  'MESSAGE_REACTION_ADD',
  Type.Object(
    {
      user_id: Snowflake,
      ...Where,
      emoji: ReactionEmoji,
      message_author_id: Type.Optional(Snowflake),
      burst_colors: Type.Array(Type.String()),
      ...Kind,
    },
    strict,
  ),
);
export const MessageReactionRemoveEvent = dispatchSchema(
  'MESSAGE_REACTION_REMOVE',
  Type.Object({ user_id: Snowflake, ...Where, emoji: ReactionEmoji, ...Kind }, strict),
);
export const MessageReactionRemoveAllEvent = dispatchSchema('MESSAGE_REACTION_REMOVE_ALL', Type.Object(Where, strict));
export const MessageReactionRemoveEmojiEvent = dispatchSchema(
  'MESSAGE_REACTION_REMOVE_EMOJI',
  Type.Object({ ...Where, emoji: ReactionEmoji }, strict),
);
registerDispatchEvent('MESSAGE_REACTION_ADD', MessageReactionAddEvent);
registerDispatchEvent('MESSAGE_REACTION_REMOVE', MessageReactionRemoveEvent);
registerDispatchEvent('MESSAGE_REACTION_REMOVE_ALL', MessageReactionRemoveAllEvent);
registerDispatchEvent('MESSAGE_REACTION_REMOVE_EMOJI', MessageReactionRemoveEmojiEvent);
