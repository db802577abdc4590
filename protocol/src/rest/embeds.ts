import { type Static, Type } from 'typebox';

/** Discord's embed limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits). */
export const EMBED_LIMITS = {
  perMessage: 10,
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footerText: 2048,
  authorName: 256,
  /** Sum of title, description, field names/values, footer text and author name over all embeds. */
  total: 6000,
} as const;

const Url = Type.String({ maxLength: 2048 });
const Media = Type.Object({
  url: Url,
  proxy_url: Type.Optional(Url),
  height: Type.Optional(Type.Integer()),
  width: Type.Optional(Type.Integer()),
});

/** A rich embed as sent by a bot or webhook (and returned as stored, with `type: "rich"`). */
export const RichEmbed = Type.Object({
  title: Type.Optional(Type.String({ maxLength: EMBED_LIMITS.title })),
  type: Type.Optional(Type.String({ maxLength: 32 })),
  description: Type.Optional(Type.String({ maxLength: EMBED_LIMITS.description })),
  url: Type.Optional(Url),
  timestamp: Type.Optional(Type.String({ maxLength: 64 })),
  color: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 0xffffff }), Type.Null()])),
  footer: Type.Optional(
    Type.Object({
      text: Type.String({ maxLength: EMBED_LIMITS.footerText }),
      icon_url: Type.Optional(Url),
      proxy_icon_url: Type.Optional(Url),
    }),
  ),
  image: Type.Optional(Media),
  thumbnail: Type.Optional(Media),
  video: Type.Optional(Media),
  provider: Type.Optional(Type.Object({ name: Type.Optional(Type.String({ maxLength: 256 })), url: Type.Optional(Url) })),
  author: Type.Optional(
    Type.Object({
      name: Type.String({ maxLength: EMBED_LIMITS.authorName }),
      url: Type.Optional(Url),
      icon_url: Type.Optional(Url),
      proxy_icon_url: Type.Optional(Url),
    }),
  ),
  fields: Type.Optional(
    Type.Array(
      Type.Object({
        name: Type.String({ maxLength: EMBED_LIMITS.fieldName }),
        value: Type.String({ maxLength: EMBED_LIMITS.fieldValue }),
        inline: Type.Optional(Type.Boolean()),
      }),
      { maxItems: EMBED_LIMITS.fields },
    ),
  ),
});
export type RichEmbed = Static<typeof RichEmbed>;

export const RichEmbeds = Type.Array(RichEmbed, { maxItems: EMBED_LIMITS.perMessage });
