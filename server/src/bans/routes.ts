import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Ban, BanBody, ErrorResponse, ListBansQuery, Snowflake } from '@retrocast/protocol';
import { Type } from 'typebox';
import { auditReason } from '../audit-log/reason.js';
import { caller } from '../context.js';
import { emptyBodyAsObject } from '../guilds/optional-body.js';
import { accessGetBan, accessListBans, doBan, doUnban } from './service.js';

/**
 * GET    /guilds/:guildId/bans            list (BAN_MEMBERS)
 * GET    /guilds/:guildId/bans/:userId    one ban (BAN_MEMBERS)
 * PUT    /guilds/:guildId/bans/:userId    ban (BAN_MEMBERS, hierarchy; delete_message_seconds)
 * DELETE /guilds/:guildId/bans/:userId    unban (BAN_MEMBERS)
 */
export const bansRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;
  const tags = ['bans'];
  const errors = { 400: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse };
  const BanParams = Type.Object({ guildId: Snowflake, userId: Snowflake });

  app.get('/guilds/:guildId/bans', {
    schema: {
      tags,
      params: Type.Object({ guildId: Snowflake }),
      querystring: ListBansQuery,
      response: { 200: Type.Array(Ban), ...errors },
    },
    handler: async (req) => accessListBans(ctx, caller(req), req.params.guildId, req.query),
  });

  app.get('/guilds/:guildId/bans/:userId', {
    schema: { tags, params: BanParams, response: { 200: Ban, ...errors } },
    handler: async (req) => accessGetBan(ctx, caller(req), req.params.guildId, req.params.userId),
  });

  app.put('/guilds/:guildId/bans/:userId', {
    preValidation: emptyBodyAsObject,
    schema: { tags, params: BanParams, body: BanBody },
    handler: async (req, reply) => {
      await doBan(ctx, caller(req), req.params.guildId, req.params.userId, req.body, auditReason(req));
      return reply.code(204).send();
    },
  });

  app.delete('/guilds/:guildId/bans/:userId', {
    schema: { tags, params: BanParams },
    handler: async (req, reply) => {
      await doUnban(ctx, caller(req), req.params.guildId, req.params.userId, auditReason(req));
      return reply.code(204).send();
    },
  });
};
