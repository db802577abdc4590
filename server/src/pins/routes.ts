import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorResponse, Message, Snowflake } from '@retrocast/protocol';
import { Type } from 'typebox';
import { caller } from '../context.js';
import { accessPins, doPin, doUnpin } from './service.js';

/**
 * GET    /channels/:channelId/pins              pinned messages, newest pin first
 * PUT    /channels/:channelId/pins/:messageId   pin (MANAGE_MESSAGES; 50 per channel)
 * DELETE /channels/:channelId/pins/:messageId   unpin (MANAGE_MESSAGES)
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

  app.put('/channels/:channelId/pins/:messageId', {
    schema: { tags, params: pinParams, response: { 204: Type.Null(), ...errors } },
    handler: async (req, reply) => {
      await doPin(ctx, caller(req), req.params.channelId, req.params.messageId);
      return reply.code(204).send(null);
    },
  });

  app.delete('/channels/:channelId/pins/:messageId', {
    schema: { tags, params: pinParams, response: { 204: Type.Null(), ...errors } },
    handler: async (req, reply) => {
      await doUnpin(ctx, caller(req), req.params.channelId, req.params.messageId);
      return reply.code(204).send(null);
    },
  });
};
