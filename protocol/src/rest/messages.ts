import { type Static, Type } from 'typebox';
import { Snowflake } from './common.js';
import { RichEmbeds } from './embeds.js';
import { User } from './users.js';

/** Discord caps message content at 2000 characters. */
export const MAX_MESSAGE_LENGTH = 2000;
/** Discord caps pins per channel at 50. */
export const MAX_PINS = 50;

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const AllowedMentions = Type.Object({
  parse: Type.Optional(Type.Array(Type.Union([Type.Literal('users'), Type.Literal('roles'), Type.Literal('everyone')]), { maxItems: 3 })),
  users: Type.Optional(Type.Array(Snowflake, { maxItems: 100 })),
  roles: Type.Optional(Type.Array(Snowflake, { maxItems: 100 })),
  replied_user: Type.Optional(Type.Boolean()),
});
export type AllowedMentions = Static<typeof AllowedMentions>;

export const MessageReference = Type.Object({
  message_id: Snowflake,
  channel_id: Type.Optional(Snowflake),
  guild_id: Type.Optional(Snowflake),
  fail_if_not_exists: Type.Optional(Type.Boolean()),
});
export type MessageReference = Static<typeof MessageReference>;

export const CreateMessageBody = Type.Object({
  // Length is checked after trimming by the service; this bound only stops huge bodies early.
  content: Type.Optional(Type.String({ maxLength: 4000 })),
  /** Discord: an integer or a string of at most 25 characters. */
  nonce: Type.Optional(Type.Union([Type.String({ maxLength: 25 }), Type.Integer()])),
  tts: Type.Optional(Type.Boolean()),
  allowed_mentions: Type.Optional(AllowedMentions),
  message_reference: Type.Optional(MessageReference),
  /** Files uploaded beforehand (attachment ids). */
  attachments: Type.Optional(
    Type.Array(Type.Object({ id: Snowflake, filename: Type.Optional(Type.String({ maxLength: 1024 })) }), { maxItems: 10 }),
  ),
  flags: Type.Optional(Type.Integer({ minimum: 0 })),
  embeds: Type.Optional(RichEmbeds),
});
export type CreateMessageBody = Static<typeof CreateMessageBody>;

export const EditMessageBody = Type.Object({
  content: Type.Optional(Nullable(Type.String({ maxLength: 4000 }))),
  allowed_mentions: Type.Optional(Nullable(AllowedMentions)),
  flags: Type.Optional(Nullable(Type.Integer({ minimum: 0 }))),
  embeds: Type.Optional(Nullable(RichEmbeds)),
});
export type EditMessageBody = Static<typeof EditMessageBody>;

export const BulkDeleteBody = Type.Object({ messages: Type.Array(Snowflake, { maxItems: 200 }) });
export type BulkDeleteBody = Static<typeof BulkDeleteBody>;

export const MessagesQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  before: Type.Optional(Snowflake),
  after: Type.Optional(Snowflake),
  around: Type.Optional(Snowflake),
});
export type MessagesQuery = Static<typeof MessagesQuery>;

export const AckBody = Type.Object({
  token: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
  manual: Type.Optional(Type.Boolean()),
  mention_count: Type.Optional(Type.Integer({ minimum: 0 })),
});
export const AckResponse = Type.Object({ token: Type.Null() });

export const SearchQuery = Type.Object({
  content: Type.Optional(Type.String({ maxLength: 1024 })),
  author_id: Type.Optional(Snowflake),
  channel_id: Type.Optional(Snowflake),
  /** A user id whose mention the message must carry. */
  mentions: Type.Optional(Snowflake),
  has: Type.Optional(Type.Union([Type.Literal('link'), Type.Literal('file')])),
  before: Type.Optional(Snowflake),
  after: Type.Optional(Snowflake),
  /** Discord's names for after/before. */
  min_id: Type.Optional(Snowflake),
  max_id: Type.Optional(Snowflake),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 9975 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 25 })),
});
export type SearchQuery = Static<typeof SearchQuery>;

export const Attachment = Type.Object({
  id: Snowflake,
  filename: Type.String(),
  size: Type.Integer(),
  url: Type.String(),
  proxy_url: Type.String(),
  content_type: Type.Optional(Type.String()),
  width: Type.Optional(Nullable(Type.Integer())),
  height: Type.Optional(Nullable(Type.Integer())),
});

const MessageFields = {
  id: Snowflake,
  channel_id: Snowflake,
  guild_id: Type.Optional(Snowflake),
  author: User,
  content: Type.String(),
  timestamp: Type.String(),
  edited_timestamp: Nullable(Type.String()),
  tts: Type.Boolean(),
  mention_everyone: Type.Boolean(),
  mentions: Type.Array(User),
  mention_roles: Type.Array(Snowflake),
  attachments: Type.Array(Attachment),
  embeds: Type.Array(Type.Unknown()),
  reactions: Type.Optional(Type.Array(Type.Unknown())),
  nonce: Type.Optional(Nullable(Type.Union([Type.String(), Type.Integer()]))),
  pinned: Type.Boolean(),
  type: Type.Integer(),
  flags: Type.Integer(),
  /** Interactive components: none in Retrocast, but libraries expect the array. */
  components: Type.Array(Type.Unknown()),
  webhook_id: Type.Optional(Snowflake),
  application_id: Type.Optional(Snowflake),
  message_reference: Type.Optional(Type.Object({ message_id: Snowflake, channel_id: Snowflake, guild_id: Type.Optional(Snowflake) })),
  /** Search hits only. */
  hit: Type.Optional(Type.Boolean()),
  /** DM call messages (type 3): who took part; `ended_timestamp` null while the call runs. */
  call: Type.Optional(Type.Object({ participants: Type.Array(Snowflake), ended_timestamp: Nullable(Type.String()) })),
};

/** Discord's message object. A reply carries the message it answers (one level deep, or null if deleted). */
export const Message = Type.Object({
  ...MessageFields,
  referenced_message: Type.Optional(Nullable(Type.Object(MessageFields))),
});
export type Message = Static<typeof Message>;

export const SearchResponse = Type.Object({
  total_results: Type.Integer(),
  /** Discord's shape: each hit is a one-element array. */
  messages: Type.Array(Type.Array(Message)),
});
