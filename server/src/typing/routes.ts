import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorResponse, IdParam } from '@retrocast/protocol';
import { Type } from 'typebox';
import { caller } from '../context.js';
import { doStartTyping } from './service.js';

/**
 * POST /channels/:channelId/typing   TYPING_START to the channel's viewers (needs SEND_MESSAGES)
 */
export const typingRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;
  app.post('/channels/:channelId/typing', {
    config: { rateLimit: { limit: 10, windowMs: 5_000 } },
    schema: { tags: ['typing'], params: IdParam('channelId'), response: { 204: Type.Null(), 403: ErrorResponse, 404: ErrorResponse } },
    handler: async (req, reply) => {
      await doStartTyping(ctx, caller(req), req.params.channelId);
      return reply.code(204).send(null);
    },
  });
};
