import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorResponse, FriendRequestBody, PutRelationshipBody, Relationship, Snowflake } from '@retrocast/protocol';
import { Type } from 'typebox';
import { caller } from '../context.js';
import { emptyBodyAsObject } from '../guilds/optional-body.js';
import { accessRelationships, doDeleteRelationship, doPutRelationship, doRequestByUsername } from './service.js';

/**
 * GET    /users/@me/relationships            friends, blocks, pending requests
 * POST   /users/@me/relationships            friend request by {username}
 * PUT    /users/@me/relationships/:userId    {type?: 1 request/accept | 2 block}
 * DELETE /users/@me/relationships/:userId    unfriend, decline, cancel, unblock
 */
export const relationshipsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;
  const tags = ['relationships'];
  const errors = { 400: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse };
  const params = Type.Object({ userId: Snowflake });

  app.get('/users/@me/relationships', {
    schema: { tags, response: { 200: Type.Array(Relationship), ...errors } },
    handler: async (req) => accessRelationships(ctx, caller(req)),
  });

  app.post('/users/@me/relationships', {
    schema: { tags, body: FriendRequestBody, response: { 204: Type.Null(), ...errors } },
    handler: async (req, reply) => {
      await doRequestByUsername(ctx, caller(req), req.body.username);
      return reply.code(204).send(null);
    },
  });

  app.put('/users/@me/relationships/:userId', {
    preValidation: emptyBodyAsObject,
    schema: { tags, params, body: PutRelationshipBody, response: { 204: Type.Null(), ...errors } },
    handler: async (req, reply) => {
      await doPutRelationship(ctx, caller(req), req.params.userId, req.body.type ?? 1);
      return reply.code(204).send(null);
    },
  });

  app.delete('/users/@me/relationships/:userId', {
    schema: { tags, params, response: { 204: Type.Null(), ...errors } },
    handler: async (req, reply) => {
      await doDeleteRelationship(ctx, caller(req), req.params.userId);
      return reply.code(204).send(null);
    },
  });
};
