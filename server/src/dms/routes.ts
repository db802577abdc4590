import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorResponse, OpenDmBody, Snowflake, User } from '@retrocast/protocol';
import { Type } from 'typebox';
import { caller } from '../context.js';
import { accessDms, doAddRecipient, doOpenChannel, doRemoveRecipient } from './service.js';

const DmChannel = Type.Object({
  id: Snowflake,
  type: Type.Integer(),
  last_message_id: Type.Union([Snowflake, Type.Null()]),
  recipients: Type.Array(User),
  flags: Type.Integer(),
  name: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  owner_id: Type.Optional(Type.Union([Snowflake, Type.Null()])),
  icon: Type.Optional(Type.Union([Type.String(), Type.Null()])),
});

/**
 * GET    /users/@me/channels                         the caller's open DMs and group DMs
 * POST   /users/@me/channels                         open a DM {recipient_id} or a group DM {recipients, name?}
 * PUT    /channels/:channelId/recipients/:userId     add a friend to a group DM (any member)
 * DELETE /channels/:channelId/recipients/:userId     remove from a group DM (owner; yourself = leave)
 * (PATCH / DELETE /channels/:id on DMs and group DMs arrive through channels/ and land in service.ts.)
 */
export const dmsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;
  const tags = ['dms'];
  const errors = { 400: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse };
  const RecipientParams = Type.Object({ channelId: Snowflake, userId: Snowflake });

  app.get('/users/@me/channels', {
    schema: { tags, response: { 200: Type.Array(DmChannel), ...errors } },
    handler: async (req) => accessDms(ctx, caller(req)),
  });

  app.post('/users/@me/channels', {
    schema: { tags, body: OpenDmBody, response: { 200: DmChannel, ...errors } },
    handler: async (req) => doOpenChannel(ctx, caller(req), req.body),
  });

  app.put('/channels/:channelId/recipients/:userId', {
    schema: { tags, params: RecipientParams, response: { 204: Type.Null(), ...errors } },
    handler: async (req, reply) => {
      await doAddRecipient(ctx, caller(req), req.params.channelId, req.params.userId);
      return reply.code(204).send(null);
    },
  });

  app.delete('/channels/:channelId/recipients/:userId', {
    schema: { tags, params: RecipientParams, response: { 204: Type.Null(), ...errors } },
    handler: async (req, reply) => {
      await doRemoveRecipient(ctx, caller(req), req.params.channelId, req.params.userId);
      return reply.code(204).send(null);
    },
  });
};
