import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorResponse, Snowflake } from '@retrocast/protocol';
import { Type } from 'typebox';
import { caller } from '../context.js';
import { emptyBodyAsObject } from '../guilds/optional-body.js';
import { doStopRinging, installCallsGateway } from './service.js';

/**
 * POST /channels/:channelId/call/stop-ringing   decline a DM call ({recipients?}: stop ringing them instead)
 * (Joining and leaving a call is gateway op 4 with guild_id null, handled by voice/.)
 */
export const callsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;
  installCallsGateway();
  app.post('/channels/:channelId/call/stop-ringing', {
    preValidation: emptyBodyAsObject,
    schema: {
      tags: ['calls'],
      params: Type.Object({ channelId: Snowflake }),
      body: Type.Object({ recipients: Type.Optional(Type.Array(Snowflake, { maxItems: 10 })) }),
      response: { 204: Type.Null(), 400: ErrorResponse, 404: ErrorResponse },
    },
    handler: async (req, reply) => {
      await doStopRinging(ctx, caller(req), req.params.channelId, req.body.recipients);
      return reply.code(204).send(null);
    },
  });
};
