import { ErrorResponse, ReactionUsersQuery, Snowflake, User } from '@retrocast/protocol';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { caller } from '../context.js';
import { accessReactors, doAddReaction, doClearReactions, doRemoveReaction } from './service.js';

/**
 * PUT    /channels/:channelId/messages/:messageId/reactions/:emoji/@me       react (ADD_REACTIONS for a new emoji)
 * DELETE /channels/:channelId/messages/:messageId/reactions/:emoji/@me       remove own reaction
 * DELETE /channels/:channelId/messages/:messageId/reactions/:emoji/:userId   remove someone's (MANAGE_MESSAGES)
 * GET    /channels/:channelId/messages/:messageId/reactions/:emoji           who reacted (after, limit ≤ 100)
 * DELETE /channels/:channelId/messages/:messageId/reactions/:emoji           remove one emoji (MANAGE_MESSAGES)
 * DELETE /channels/:channelId/messages/:messageId/reactions                  remove all (MANAGE_MESSAGES)
 * `:emoji` is a URL-encoded Unicode emoji or `name:id` for custom emoji.
 */
export const reactionsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;
  const tags = ['reactions'];
  const errors = { 400: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse };
  const base = '/channels/:channelId/messages/:messageId/reactions';
  const msg = { channelId: Snowflake, messageId: Snowflake };
  const withEmoji = Type.Object({ ...msg, emoji: Type.String({ maxLength: 100 }) });
  const withUser = Type.Object({ ...msg, emoji: Type.String({ maxLength: 100 }), userId: Snowflake });
  const noContent = { 204: Type.Null(), ...errors };

  app.put(`${base}/:emoji/@me`, {
    schema: { tags, params: withEmoji, response: noContent },
    handler: async (req, reply) => {
      await doAddReaction(ctx, caller(req), req.params.channelId, req.params.messageId, req.params.emoji);
      return reply.code(204).send(null);
    },
  });
  app.delete(`${base}/:emoji/@me`, {
    schema: { tags, params: withEmoji, response: noContent },
    handler: async (req, reply) => {
      await doRemoveReaction(ctx, caller(req), req.params.channelId, req.params.messageId, req.params.emoji, '@me');
      return reply.code(204).send(null);
    },
  });
  app.delete(`${base}/:emoji/:userId`, {
    schema: { tags, params: withUser, response: noContent },
    handler: async (req, reply) => {
      await doRemoveReaction(ctx, caller(req), req.params.channelId, req.params.messageId, req.params.emoji, req.params.userId);
      return reply.code(204).send(null);
    },
  });
  app.get(`${base}/:emoji`, {
    schema: { tags, params: withEmoji, querystring: ReactionUsersQuery, response: { 200: Type.Array(User), ...errors } },
    handler: async (req) => accessReactors(ctx, caller(req), req.params.channelId, req.params.messageId, req.params.emoji, req.query),
  });
  app.delete(`${base}/:emoji`, {
    schema: { tags, params: withEmoji, response: noContent },
    handler: async (req, reply) => {
      await doClearReactions(ctx, caller(req), req.params.channelId, req.params.messageId, req.params.emoji);
      return reply.code(204).send(null);
    },
  });
  app.delete(base, {
    schema: { tags, params: Type.Object(msg), response: noContent },
    handler: async (req, reply) => {
      await doClearReactions(ctx, caller(req), req.params.channelId, req.params.messageId);
      return reply.code(204).send(null);
    },
  });
};
