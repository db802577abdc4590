import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AuditLog, AuditLogQuery, ErrorResponse, Snowflake } from '@retrocast/protocol';
import { Type } from 'typebox';
import { caller } from '../context.js';
import { accessAuditLog } from './service.js';

/**
 * GET /guilds/:guildId/audit-logs    entries (VIEW_AUDIT_LOG; user_id, action_type, before, after, limit)
 */
export const auditLogRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;
  app.get('/guilds/:guildId/audit-logs', {
    schema: {
      tags: ['audit-log'],
      params: Type.Object({ guildId: Snowflake }),
      querystring: AuditLogQuery,
      response: { 200: AuditLog, 403: ErrorResponse, 404: ErrorResponse },
    },
    handler: async (req) => accessAuditLog(ctx, caller(req), req.params.guildId, req.query),
  });
};
