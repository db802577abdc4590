import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AckBody, AckResponse, ErrorResponse, Snowflake } from '@retrocast/protocol';
import { Type } from 'typebox';
import { caller } from '../context.js';
import { emptyBodyAsObject } from '../guilds/optional-body.js';
import { doAck } from './service.js';

/**
 * POST /channels/:channelId/messages/:messageId/ack   mark read up to a message (READY carries read_state)
 */
export const readStatesRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;
  const tags = ['read-states'];

  app.post('/channels/:channelId/messages/:messageId/ack', {
    schema: {
      tags,
      params: Type.Object({ channelId: Snowflake, messageId: Snowflake }),
      body: AckBody,
      response: { 200: AckResponse, 400: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse },
    },
    // Clients may post no body at all (documented as optional in /api/openapi.json).
    preValidation: emptyBodyAsObject,
    handler: async (req) => doAck(ctx, caller(req), req.params.channelId, req.params.messageId, req.body),
  });
};
