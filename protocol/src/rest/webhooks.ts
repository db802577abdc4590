import { type Static, Type } from 'typebox';
import { Snowflake } from './common.js';
import { RichEmbeds } from './embeds.js';
import { AllowedMentions } from './messages.js';
import { User } from './users.js';

const Name = Type.String({ minLength: 1, maxLength: 80 });
const Avatar = Type.Union([Type.String({ maxLength: 12_000_000 }), Type.Null()]);

/** Discord's webhook object (type 1, incoming). `token` and `url` only for MANAGE_WEBHOOKS or the token holder. */
export const Webhook = Type.Object({
  id: Snowflake,
  type: Type.Literal(1),
  guild_id: Snowflake,
  channel_id: Snowflake,
  user: Type.Optional(User),
  name: Type.String(),
  avatar: Type.Union([Type.String(), Type.Null()]),
  token: Type.Optional(Type.String()),
  application_id: Type.Null(),
  url: Type.Optional(Type.String()),
});
export type Webhook = Static<typeof Webhook>;

export const CreateWebhookBody = Type.Object({ name: Name, avatar: Type.Optional(Avatar) });
export type CreateWebhookBody = Static<typeof CreateWebhookBody>;

export const PatchWebhookBody = Type.Object({
  name: Type.Optional(Name),
  avatar: Type.Optional(Avatar),
  channel_id: Type.Optional(Snowflake),
});
export type PatchWebhookBody = Static<typeof PatchWebhookBody>;

export const PatchWebhookWithTokenBody = Type.Object({ name: Type.Optional(Name), avatar: Type.Optional(Avatar) });

/** POST /webhooks/{id}/{token}: at least one of content, embeds, files. */
export const ExecuteWebhookBody = Type.Object({
  content: Type.Optional(Type.String({ maxLength: 4000 })),
  username: Type.Optional(Type.String({ minLength: 1, maxLength: 80 })),
  avatar_url: Type.Optional(Type.String({ maxLength: 2048 })),
  tts: Type.Optional(Type.Boolean()),
  embeds: Type.Optional(RichEmbeds),
  allowed_mentions: Type.Optional(AllowedMentions),
  flags: Type.Optional(Type.Integer({ minimum: 0 })),
  attachments: Type.Optional(
    Type.Array(Type.Object({ id: Snowflake, filename: Type.Optional(Type.String({ maxLength: 1024 })) }), { maxItems: 10 }),
  ),
});
export type ExecuteWebhookBody = Static<typeof ExecuteWebhookBody>;

export const ExecuteWebhookQuery = Type.Object({
  wait: Type.Optional(Type.Boolean()),
  thread_id: Type.Optional(Snowflake),
});
