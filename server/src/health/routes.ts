import { sql } from 'drizzle-orm';
import type { FastifyPluginAsync } from 'fastify';

/** How long /healthz waits for the database before calling it down. */
const DB_PROBE_MS = 2_000;

/**
 * Outside /api, so no auth and no rate limit.
 * GET /livez    200 while the process serves HTTP at all (restart it only when this fails).
 * GET /healthz  200 when the database answers (send traffic here), else 503 with the reason.
 */
export const healthRoutes: FastifyPluginAsync = async (app) => {
  app.get('/livez', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/healthz', { schema: { hide: true } }, async (_req, reply) => {
    const { database, bus } = app.ctx;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${DB_PROBE_MS} ms`)), DB_PROBE_MS);
    });
    try {
      await Promise.race([app.ctx.db.execute(sql`select 1`), timeout]);
    } catch (err) {
      return reply
        .code(503)
        .send({ status: 'unavailable', db: database.driver, bus: bus.kind, error: `database: ${(err as Error).message}` });
    } finally {
      clearTimeout(timer);
    }
    return reply.send({ status: 'ok', db: database.driver, bus: bus.kind, ...(bus.degraded?.() ? { bus_degraded: true } : {}) });
  });
};
