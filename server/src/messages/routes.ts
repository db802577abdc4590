import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { BulkDeleteBody, CreateMessageBody, EditMessageBody, ErrorResponse, Message, MessagesQuery, Snowflake } from '@retrocast/protocol';
import { Type } from 'typebox';
import { caller } from '../context.js';
import { accessHistory, accessOneMessage, doBulkDelete, doCreateMessage, doDeleteMessage, doEditMessage } from './service.js';

/**
 * GET    /channels/:channelId/messages                  history, newest first (limit, before|after|around)
 * POST   /channels/:channelId/messages                  send (5 per 5 s per channel per user)
 * GET    /channels/:channelId/messages/:messageId       one message
 * PATCH  /channels/:channelId/messages/:messageId       edit own message
 * DELETE /channels/:channelId/messages/:messageId       delete (author or MANAGE_MESSAGES)
 * POST   /channels/:channelId/messages/bulk-delete      delete 2–100 messages (MANAGE_MESSAGES)
 */
export const messagesRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;
  const tags = ['messages'];
  const errors = { 400: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse };
  const channelParams = Type.Object({ channelId: Snowflake });
  const messageParams = Type.Object({ channelId: Snowflake, messageId: Snowflake });

  app.get('/channels/:channelId/messages', {
    schema: { tags, params: channelParams, querystring: MessagesQuery, response: { 200: Type.Array(Message), ...errors } },
    handler: async (req) => accessHistory(ctx, caller(req), req.params.channelId, req.query),
  });

  app.post('/channels/:channelId/messages', {
    // Discord's send limit; the bucket already includes the channel id.
    config: { rateLimit: { limit: 5, windowMs: 5000 } },
    schema: { tags, params: channelParams, body: CreateMessageBody, response: { 200: Message, ...errors } },
    handler: async (req) => doCreateMessage(ctx, caller(req), req.params.channelId, req.body),
  });

  app.get('/channels/:channelId/messages/:messageId', {
    schema: { tags, params: messageParams, response: { 200: Message, ...errors } },
    handler: async (req) => accessOneMessage(ctx, caller(req), req.params.channelId, req.params.messageId),
  });

  app.patch('/channels/:channelId/messages/:messageId', {
    schema: { tags, params: messageParams, body: EditMessageBody, response: { 200: Message, ...errors } },
    handler: async (req) => doEditMessage(ctx, caller(req), req.params.channelId, req.params.messageId, req.body),
  });

  app.delete('/channels/:channelId/messages/:messageId', {
    schema: { tags, params: messageParams, response: { 204: Type.Null(), ...errors } },
    handler: async (req, reply) => {
      await doDeleteMessage(ctx, caller(req), req.params.channelId, req.params.messageId);
      return reply.code(204).send(null);
    },
  });

  app.post('/channels/:channelId/messages/bulk-delete', {
    schema: { tags, params: channelParams, body: BulkDeleteBody, response: { 204: Type.Null(), ...errors } },
    handler: async (req, reply) => {
      await doBulkDelete(ctx, caller(req), req.params.channelId, req.body.messages);
      return reply.code(204).send(null);
    },
  });
};
