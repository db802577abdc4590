import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { caller } from '../context.js';
import { doCreateGuild } from './service.js';

/**
 * POST /guilds     create a guild owned by the caller
 */
export const guildsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;
  const tags = ['guilds'];

  app.post('/guilds', {
    schema: { tags, body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }), icon: Type.Optional(Type.Union([Type.String(), Type.Null()])) }) },
    handler: async (req, reply) => reply.code(201).send(await doCreateGuild(ctx, caller(req), req.body)),
  });
};
