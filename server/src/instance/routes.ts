import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  CreateInstanceInviteBody,
  ErrorResponse,
  IdParam,
  InstanceInfo,
  InstanceInvite,
  InstanceUser,
  PatchInstanceUserBody,
} from '@retrocast/protocol';
import { Type } from 'typebox';
import { doNoteSessionsRevoked } from '../auth/service.js';
import { type Caller, caller } from '../context.js';
import { emptyBodyAsObject } from '../guilds/optional-body.js';
import {
  accessInstanceAdmin,
  accessInstanceInfo,
  accessInstanceInvites,
  accessInstanceUsers,
  doCreateInstanceInvite,
  doDeleteInstanceInvite,
  doSetUserDisabled,
} from './service.js';

/**
 * Retrocast-only instance administration (not Discord API):
 * GET    /instance                  public: registration mode, whether the first account is still free
 * GET    /instance/users            admin: every account
 * PATCH  /instance/users/:userId    admin: {disabled}
 * GET    /instance/invites          admin: instance invites (to register when REGISTRATION=invite)
 * POST   /instance/invites          admin: {max_uses, max_age}
 * DELETE /instance/invites/:code    admin
 */
export const instanceRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;
  const tags = ['instance'];
  const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse };
  const admin = async (req: { user?: Caller }) => accessInstanceAdmin(ctx, caller(req));

  app.get('/instance', {
    config: { public: true },
    schema: { tags, response: { 200: InstanceInfo } },
    handler: async () => accessInstanceInfo(ctx),
  });

  app.get('/instance/users', {
    preHandler: admin,
    schema: { tags, response: { 200: Type.Array(InstanceUser), ...errors } },
    handler: async () => accessInstanceUsers(ctx),
  });

  app.patch('/instance/users/:userId', {
    preHandler: admin,
    schema: { tags, params: IdParam('userId'), body: PatchInstanceUserBody, response: { 200: InstanceUser, ...errors } },
    handler: async (req) => {
      const user = await doSetUserDisabled(ctx.db, req.params.userId, req.body.disabled, caller(req).id);
      // Its access tokens and gateway sessions end now, not when the tokens lapse.
      await doNoteSessionsRevoked(ctx, req.params.userId);
      return user;
    },
  });

  app.get('/instance/invites', {
    preHandler: admin,
    schema: { tags, response: { 200: Type.Array(InstanceInvite), ...errors } },
    handler: async () => accessInstanceInvites(ctx),
  });

  app.post('/instance/invites', {
    preValidation: emptyBodyAsObject,
    preHandler: admin,
    schema: { tags, body: CreateInstanceInviteBody, response: { 201: InstanceInvite, ...errors } },
    handler: async (req, reply) => reply.code(201).send(await doCreateInstanceInvite(ctx.db, caller(req).id, req.body)),
  });

  app.delete('/instance/invites/:code', {
    preHandler: admin,
    schema: {
      tags,
      params: Type.Object({ code: Type.String({ minLength: 1, maxLength: 64 }) }),
      response: { 204: Type.Null(), ...errors },
    },
    handler: async (req, reply) => {
      await doDeleteInstanceInvite(ctx, req.params.code);
      return reply.code(204).send(null);
    },
  });
};
