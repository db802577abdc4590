import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  ErrorResponse,
  ListMembersQuery,
  Member,
  PatchMeMemberBody,
  PatchMemberBody,
  SearchMembersQuery,
  Snowflake,
} from '@retrocast/protocol';
import { Type } from 'typebox';
import { auditReason } from '../audit-log/reason.js';
import { caller } from '../context.js';
import { checkMemberVoiceMove } from '../voice/moderation.js';
import {
  accessGetMember,
  accessListMembers,
  accessSearchMembers,
  doKickMember,
  doSetMemberRole,
  doUpdateMe,
  doUpdateMember,
} from './service.js';

/**
 * GET    /guilds/:guildId/members                          list (limit, after)
 * GET    /guilds/:guildId/members/search                   by name prefix (query, limit)
 * PATCH  /guilds/:guildId/members/@me                      own nick (CHANGE_NICKNAME)
 * GET    /guilds/:guildId/members/:userId                  one member
 * PATCH  /guilds/:guildId/members/:userId                  nick, roles, mute, deaf, channel_id (voice move)
 * DELETE /guilds/:guildId/members/:userId                  kick (KICK_MEMBERS, hierarchy)
 * PUT    /guilds/:guildId/members/:userId/roles/:roleId    add a role (MANAGE_ROLES, hierarchy)
 * DELETE /guilds/:guildId/members/:userId/roles/:roleId    remove a role
 */
export const membersRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;
  const tags = ['members'];
  const errors = { 400: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse };
  const GuildParams = Type.Object({ guildId: Snowflake });
  const MemberParams = Type.Object({ guildId: Snowflake, userId: Snowflake });
  const RoleParams = Type.Object({ guildId: Snowflake, userId: Snowflake, roleId: Snowflake });

  app.get('/guilds/:guildId/members', {
    schema: { tags, params: GuildParams, querystring: ListMembersQuery, response: { 200: Type.Array(Member), ...errors } },
    handler: async (req) => accessListMembers(ctx, caller(req), req.params.guildId, req.query),
  });

  app.get('/guilds/:guildId/members/search', {
    schema: { tags, params: GuildParams, querystring: SearchMembersQuery, response: { 200: Type.Array(Member), ...errors } },
    handler: async (req) => accessSearchMembers(ctx, caller(req), req.params.guildId, req.query),
  });

  app.patch('/guilds/:guildId/members/@me', {
    schema: { tags, params: GuildParams, body: PatchMeMemberBody, response: { 200: Member, ...errors } },
    handler: async (req) => doUpdateMe(ctx, caller(req), req.params.guildId, req.body, auditReason(req)),
  });

  app.get('/guilds/:guildId/members/:userId', {
    schema: { tags, params: MemberParams, response: { 200: Member, ...errors } },
    handler: async (req) => accessGetMember(ctx, caller(req), req.params.guildId, req.params.userId),
  });

  app.patch('/guilds/:guildId/members/:userId', {
    schema: { tags, params: MemberParams, body: PatchMemberBody, response: { 200: Member, ...errors } },
    handler: async (req) => {
      const { guildId, userId } = req.params;
      const move =
        req.body.channel_id !== undefined ? await checkMemberVoiceMove(ctx, caller(req), guildId, userId, req.body.channel_id) : null;
      const member = await doUpdateMember(ctx, caller(req), guildId, userId, req.body, auditReason(req));
      await move?.(auditReason(req));
      return member;
    },
  });

  app.delete('/guilds/:guildId/members/:userId', {
    schema: { tags, params: MemberParams },
    handler: async (req, reply) => {
      await doKickMember(ctx, caller(req), req.params.guildId, req.params.userId, auditReason(req));
      return reply.code(204).send();
    },
  });

  app.put('/guilds/:guildId/members/:userId/roles/:roleId', {
    schema: { tags, params: RoleParams },
    handler: async (req, reply) => {
      await doSetMemberRole(ctx, caller(req), req.params.guildId, req.params.userId, req.params.roleId, true, auditReason(req));
      return reply.code(204).send();
    },
  });

  app.delete('/guilds/:guildId/members/:userId/roles/:roleId', {
    schema: { tags, params: RoleParams },
    handler: async (req, reply) => {
      await doSetMemberRole(ctx, caller(req), req.params.guildId, req.params.userId, req.params.roleId, false, auditReason(req));
      return reply.code(204).send();
    },
  });
};
