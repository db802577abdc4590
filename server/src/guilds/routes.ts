import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  CreateGuildBody,
  ErrorResponse,
  Guild,
  GuildWithState,
  MyGuildsQuery,
  PartialGuild,
  PatchGuildBody,
  Snowflake,
} from '@retrocast/protocol';
import { Type } from 'typebox';
import { auditReason } from '../audit-log/reason.js';
import { caller } from '../context.js';
import { onlineCounter } from './online-count.js';
import { accessGetGuild, doCreateGuild, doDeleteGuild, doLeaveGuild, doUpdateGuild, listMyGuilds } from './service.js';

/**
 * POST   /guilds                          create a guild owned by the caller
 * GET    /guilds/:guildId                 the guild (members; ?with_counts)
 * PATCH  /guilds/:guildId                 edit (MANAGE_GUILD); owner_id transfers (owner only)
 * DELETE /guilds/:guildId                 delete (owner only)
 * GET    /users/@me/guilds                the caller's guilds (partial, with permissions)
 * DELETE /users/@me/guilds/:guildId       leave (not the owner)
 */
export const guildsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;
  const tags = ['guilds'];
  const errors = { 400: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse };
  const GuildParams = Type.Object({ guildId: Snowflake });
  const countOnline = onlineCounter(app);

  app.post('/guilds', {
    schema: { tags, body: CreateGuildBody, response: { 201: GuildWithState, ...errors } },
    handler: async (req, reply) => reply.code(201).send(await doCreateGuild(ctx, caller(req), req.body)),
  });

  app.get('/guilds/:guildId', {
    schema: {
      tags,
      params: GuildParams,
      querystring: Type.Object({ with_counts: Type.Optional(Type.Boolean()) }),
      response: { 200: Guild, ...errors },
    },
    handler: async (req) => accessGetGuild(ctx, caller(req), req.params.guildId, req.query.with_counts ? countOnline : null),
  });

  app.patch('/guilds/:guildId', {
    schema: { tags, params: GuildParams, body: PatchGuildBody, response: { 200: Guild, ...errors } },
    handler: async (req) => doUpdateGuild(ctx, caller(req), req.params.guildId, req.body, auditReason(req)),
  });

  app.delete('/guilds/:guildId', {
    schema: { tags, params: GuildParams },
    handler: async (req, reply) => {
      await doDeleteGuild(ctx, caller(req), req.params.guildId);
      return reply.code(204).send();
    },
  });

  app.get('/users/@me/guilds', {
    schema: { tags, querystring: MyGuildsQuery, response: { 200: Type.Array(PartialGuild), ...errors } },
    handler: async (req) => listMyGuilds(ctx, caller(req), req.query, countOnline),
  });

  app.delete('/users/@me/guilds/:guildId', {
    schema: { tags, params: GuildParams },
    handler: async (req, reply) => {
      await doLeaveGuild(ctx, caller(req), req.params.guildId);
      return reply.code(204).send();
    },
  });
};
