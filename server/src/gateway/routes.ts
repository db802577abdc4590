import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { gatewayUrl } from './plugin.js';

const SessionStartLimit = Type.Object({
  total: Type.Integer(),
  remaining: Type.Integer(),
  reset_after: Type.Integer(),
  max_concurrency: Type.Integer(),
});

/**
 * GET /gateway       the WebSocket URL (public)
 * GET /gateway/bot   the URL, recommended shards and identify limits (authenticated)
 */
export const gatewayRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;
  const tags = ['gateway'];
  app.get('/gateway', {
    config: { public: true },
    schema: { tags, response: { 200: Type.Object({ url: Type.String() }) } },
    handler: async (req) => ({ url: gatewayUrl(ctx.config, req) }),
  });
  app.get('/gateway/bot', {
    schema: {
      tags,
      response: { 200: Type.Object({ url: Type.String(), shards: Type.Integer(), session_start_limit: SessionStartLimit }) },
    },
    handler: async (req) => ({
      url: gatewayUrl(ctx.config, req),
      shards: 1,
      session_start_limit: { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: ctx.config.identifyMaxConcurrency },
    }),
  });
};
