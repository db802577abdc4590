import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { CreateRoleBody, ErrorResponse, PatchRoleBody, Role, RolePositionsBody, Snowflake } from '@retrocast/protocol';
import { Type } from 'typebox';
import { auditReason } from '../audit-log/reason.js';
import { caller } from '../context.js';
import { emptyBodyAsObject } from '../guilds/optional-body.js';
import { accessGetRole, accessListRoles, doCreateRole, doDeleteRole, doUpdateRole, doUpdateRolePositions } from './service.js';

/**
 * GET    /guilds/:guildId/roles             list (any member)
 * POST   /guilds/:guildId/roles             create (MANAGE_ROLES)
 * PATCH  /guilds/:guildId/roles             move roles (MANAGE_ROLES, hierarchy)
 * GET    /guilds/:guildId/roles/:roleId     one role (any member)
 * PATCH  /guilds/:guildId/roles/:roleId     edit (MANAGE_ROLES, hierarchy)
 * DELETE /guilds/:guildId/roles/:roleId     delete (MANAGE_ROLES, hierarchy)
 */
export const rolesRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;
  const tags = ['roles'];
  const errors = { 400: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse };
  const GuildParams = Type.Object({ guildId: Snowflake });
  const RoleParams = Type.Object({ guildId: Snowflake, roleId: Snowflake });

  app.get('/guilds/:guildId/roles', {
    schema: { tags, params: GuildParams, response: { 200: Type.Array(Role), ...errors } },
    handler: async (req) => accessListRoles(ctx, caller(req), req.params.guildId),
  });

  app.get('/guilds/:guildId/roles/:roleId', {
    schema: { tags, params: RoleParams, response: { 200: Role, ...errors } },
    handler: async (req) => accessGetRole(ctx, caller(req), req.params.guildId, req.params.roleId),
  });

  app.post('/guilds/:guildId/roles', {
    preValidation: emptyBodyAsObject,
    schema: { tags, params: GuildParams, body: CreateRoleBody, response: { 200: Role, ...errors } },
    handler: async (req) => doCreateRole(ctx, caller(req), req.params.guildId, req.body, auditReason(req)),
  });

  app.patch('/guilds/:guildId/roles', {
    schema: { tags, params: GuildParams, body: RolePositionsBody, response: { 200: Type.Array(Role), ...errors } },
    handler: async (req) => doUpdateRolePositions(ctx, caller(req), req.params.guildId, req.body, auditReason(req)),
  });

  app.patch('/guilds/:guildId/roles/:roleId', {
    schema: { tags, params: RoleParams, body: PatchRoleBody, response: { 200: Role, ...errors } },
    handler: async (req) => doUpdateRole(ctx, caller(req), req.params.guildId, req.params.roleId, req.body, auditReason(req)),
  });

  app.delete('/guilds/:guildId/roles/:roleId', {
    schema: { tags, params: RoleParams },
    handler: async (req, reply) => {
      await doDeleteRole(ctx, caller(req), req.params.guildId, req.params.roleId, auditReason(req));
      return reply.code(204).send();
    },
  });
};
