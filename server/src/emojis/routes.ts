import { CreateEmojiBody, Emoji, ErrorResponse, PatchEmojiBody, Snowflake } from '@retrocast/protocol';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { caller } from '../context.js';
import { registerGuildCreateExtender } from '../gateway/extensions.js';
import { accessGuildEmojis, accessOneEmoji, doCreateEmoji, doDeleteEmoji, doEditEmoji } from './service.js';
import { loadGuildEmojis } from './store.js';

/** GUILD_CREATE (READY and joins) carries the guild's emoji list. */
const guildCreateEmojis = async (ctx: { db: import('../db/client.js').Db }, guildId: string) => ({ emojis: await loadGuildEmojis(ctx.db, guildId) });

/**
 * GET    /guilds/:guildId/emojis             the guild's custom emoji (members)
 * GET    /guilds/:guildId/emojis/:emojiId    one
 * POST   /guilds/:guildId/emojis             create {name, image: data URI} (MANAGE_GUILD_EXPRESSIONS)
 * PATCH  /guilds/:guildId/emojis/:emojiId    rename (MANAGE_GUILD_EXPRESSIONS)
 * DELETE /guilds/:guildId/emojis/:emojiId    delete, with its image (MANAGE_GUILD_EXPRESSIONS)
 * Images are served at /emojis/{id}.{png|webp|gif} (avatars/routes.ts).
 */
export const emojisRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;
  registerGuildCreateExtender(guildCreateEmojis);
  const tags = ['emojis'];
  const errors = { 400: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse };
  const guildParams = Type.Object({ guildId: Snowflake });
  const emojiParams = Type.Object({ guildId: Snowflake, emojiId: Snowflake });
  // Emoji images arrive as data URIs in JSON: larger than the default body limit.
  const bodyLimit = Math.max(ctx.config.bodyLimit, 512 * 1024);

  app.get('/guilds/:guildId/emojis', {
    schema: { tags, params: guildParams, response: { 200: Type.Array(Emoji), ...errors } },
    handler: async (req) => accessGuildEmojis(ctx, caller(req), req.params.guildId),
  });
  app.get('/guilds/:guildId/emojis/:emojiId', {
    schema: { tags, params: emojiParams, response: { 200: Emoji, ...errors } },
    handler: async (req) => accessOneEmoji(ctx, caller(req), req.params.guildId, req.params.emojiId),
  });
  app.post('/guilds/:guildId/emojis', {
    bodyLimit,
    config: { rateLimit: { limit: 5, windowMs: 5000 } },
    schema: { tags, params: guildParams, body: CreateEmojiBody, response: { 201: Emoji, ...errors } },
    handler: async (req, reply) => reply.code(201).send(await doCreateEmoji(ctx, caller(req), req.params.guildId, req.body)),
  });
  app.patch('/guilds/:guildId/emojis/:emojiId', {
    schema: { tags, params: emojiParams, body: PatchEmojiBody, response: { 200: Emoji, ...errors } },
    handler: async (req) => doEditEmoji(ctx, caller(req), req.params.guildId, req.params.emojiId, req.body),
  });
  app.delete('/guilds/:guildId/emojis/:emojiId', {
    schema: { tags, params: emojiParams, response: { 204: Type.Null(), ...errors } },
    handler: async (req, reply) => {
      await doDeleteEmoji(ctx, caller(req), req.params.guildId, req.params.emojiId);
      return reply.code(204).send(null);
    },
  });
};
