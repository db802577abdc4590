import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorResponse, Message, Snowflake } from '@retrocast/protocol';
import { Type } from 'typebox';
import { caller } from '../context.js';
import { accessPins, accessPinsPage, doPin, doUnpin } from './service.js';

/**
 * GET    /channels/:channelId/pins                       pinned messages, newest pin first
 * GET    /channels/:channelId/messages/pins              Discord's current listing {items, has_more} (before, limit)
 * PUT    /channels/:channelId/[messages/]pins/:messageId   pin (MANAGE_MESSAGES; 50 per channel)
 * DELETE /channels/:channelId/[messages/]pins/:messageId   unpin (MANAGE_MESSAGES)
 */
export const pinsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;
  const tags = ['pins'];
  const errors = { 400: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse };
  const channelParams = Type.Object({ channelId: Snowflake });
  const pinParams = Type.Object({ channelId: Snowflake, messageId: Snowflake });

  app.get('/channels/:channelId/pins', {
    schema: { tags, params: channelParams, response: { 200: Type.Array(Message), ...errors } },
    handler: async (req) => accessPins(ctx, caller(req), req.params.channelId),
  });

  app.get('/channels/:channelId/messages/pins', {
    schema: {
      tags,
      params: channelParams,
      querystring: Type.Object({
        before: Type.Optional(Type.String({ maxLength: 64 })),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })),
      }),
      response: {
        200: Type.Object({ items: Type.Array(Type.Object({ pinned_at: Type.String(), message: Message })), has_more: Type.Boolean() }),
        ...errors,
      },
    },
    handler: async (req) => accessPinsPage(ctx, caller(req), req.params.channelId, req.query),
  });

  // The older paths stay for existing clients.
  for (const path of ['/channels/:channelId/pins/:messageId', '/channels/:channelId/messages/pins/:messageId']) {
    app.put(path, {
      schema: { tags, params: pinParams, response: { 204: Type.Null(), ...errors } },
      handler: async (req, reply) => {
        await doPin(ctx, caller(req), req.params.channelId, req.params.messageId);
        return reply.code(204).send(null);
      },
    });
    app.delete(path, {
      schema: { tags, params: pinParams, response: { 204: Type.Null(), ...errors } },
      handler: async (req, reply) => {
        await doUnpin(ctx, caller(req), req.params.channelId, req.params.messageId);
        return reply.code(204).send(null);
      },
    });
  }
};
