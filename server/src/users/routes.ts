import { CreateBotBody, CreateBotResponse, CurrentUser, ErrorResponse, IdParam, PatchMeBody, User } from '@retrocast/protocol';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { caller } from '../context.js';
import { accessUser, doCreateBot, doUpdateMe } from './service.js';
import { toWireCurrentUser, toWireUser } from './wire.js';

/**
 * GET   /users/@me          the caller
 * PATCH /users/@me          display name, password
 * GET   /users/:userId      anyone's public profile
 * POST  /users/@me/bots     create a bot owned by the caller
 */
export const usersRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;
  const tags = ['users'];
  const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };

  app.get('/users/@me', {
    schema: { tags, response: { 200: CurrentUser, ...errors } },
    handler: async (req) => toWireCurrentUser(await accessUser(ctx, caller(req).id)),
  });

  app.patch('/users/@me', {
    schema: { tags, body: PatchMeBody, response: { 200: CurrentUser, ...errors } },
    handler: async (req) => doUpdateMe(ctx, caller(req), req.body),
  });

  app.get('/users/:userId', {
    schema: { tags, params: IdParam('userId'), response: { 200: User, ...errors } },
    handler: async (req) => toWireUser(await accessUser(ctx, req.params.userId)),
  });

  app.post('/users/@me/bots', {
    schema: { tags, body: CreateBotBody, response: { 201: CreateBotResponse, ...errors } },
    handler: async (req, reply) => reply.code(201).send(await doCreateBot(ctx, caller(req), req.body.username)),
  });
};
