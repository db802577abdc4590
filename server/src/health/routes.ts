import type { FastifyPluginAsync } from 'fastify';
import { sql } from 'drizzle-orm';

/** GET /healthz: 200 once the database answers. Outside /api, so no auth and no rate limit. */
export const healthRoutes: FastifyPluginAsync = async (app) => {
  app.get('/healthz', { schema: { hide: true } }, async (_req, reply) => {
    await app.ctx.db.execute(sql`select 1`);
    return reply.send({ status: 'ok', db: app.ctx.database.driver, bus: app.ctx.bus.kind });
  });
};
