import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorResponse, SearchQuery, SearchResponse, Snowflake } from '@retrocast/protocol';
import { Type } from 'typebox';
import { caller } from '../context.js';
import { accessChannelSearch, accessSearch } from './service.js';

/**
 * GET /guilds/:guildId/messages/search   full-text search (content, author_id, channel_id, mentions, has, before, after, offset)
 * GET /channels/:channelId/messages/search   the same inside one DM or group DM
 */
export const searchRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;

  app.get('/guilds/:guildId/messages/search', {
    schema: {
      tags: ['search'],
      params: Type.Object({ guildId: Snowflake }),
      querystring: SearchQuery,
      response: { 200: SearchResponse, 400: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse },
    },
    handler: async (req) => accessSearch(ctx, caller(req), req.params.guildId, req.query),
  });

  app.get('/channels/:channelId/messages/search', {
    schema: {
      tags: ['search'],
      params: Type.Object({ channelId: Snowflake }),
      querystring: SearchQuery,
      response: { 200: SearchResponse, 400: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse },
    },
    handler: async (req) => accessChannelSearch(ctx, caller(req), req.params.channelId, req.query),
  });
};
