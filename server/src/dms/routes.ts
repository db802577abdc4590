import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorResponse, Snowflake, User } from '@retrocast/protocol';
import { Type } from 'typebox';
import { caller } from '../context.js';
import { accessDms, doOpenDm } from './service.js';

const DmChannel = Type.Object({
  id: Snowflake,
  type: Type.Integer(),
  last_message_id: Type.Union([Snowflake, Type.Null()]),
  recipients: Type.Array(User),
  flags: Type.Integer(),
  name: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  owner_id: Type.Optional(Type.Union([Snowflake, Type.Null()])),
  icon: Type.Optional(Type.Null()),
});

/**
 * GET  /users/@me/channels   the caller's DM channels
 * POST /users/@me/channels   open (or get) the DM with {recipient_id}
 */
export const dmsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;
  const tags = ['dms'];
  const errors = { 400: ErrorResponse, 404: ErrorResponse };

  app.get('/users/@me/channels', {
    schema: { tags, response: { 200: Type.Array(DmChannel), ...errors } },
    handler: async (req) => accessDms(ctx, caller(req)),
  });

  app.post('/users/@me/channels', {
    schema: { tags, body: Type.Object({ recipient_id: Snowflake }), response: { 200: DmChannel, ...errors } },
    handler: async (req) => doOpenDm(ctx, caller(req), req.body.recipient_id),
  });
};
