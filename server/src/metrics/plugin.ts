import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { voiceOf } from '../voice/runtime.js';

/** A bus event routed to nobody, published now and then to time the bus end to end. */
export const BUS_PROBE = 'RETROCAST_BUS_PROBE';
const PROBE_EVERY_MS = 10_000;

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/** METRICS_TOKEN as a bearer token, else only loopback (the raw socket address: X-Forwarded-For is ignored). */
export function allowed(req: FastifyRequest, token: string | undefined): boolean {
  if (token) return req.headers.authorization === `Bearer ${token}`;
  return LOOPBACK.has(req.socket.remoteAddress ?? '');
}

/**
 * GET /metrics in Prometheus text format (METRICS=on): HTTP latency per route, gateway sessions and
 * dispatches, database pool, bus lag, voice participants, and Node's process metrics. Everything is
 * read at scrape time or measured by hooks; no service is edited for it.
 */
export function installMetrics(app: FastifyInstance) {
  const { ctx } = app;
  if (!ctx.config.metrics.enabled) return;
  const register = new Registry();
  collectDefaultMetrics({ register, prefix: 'retrocast_' });

  const http = new Histogram({
    name: 'retrocast_http_request_duration_seconds',
    help: 'HTTP request latency by route',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [register],
  });
  app.addHook('onResponse', async (req, reply) => {
    // The route pattern, not the URL, so ids do not explode the label set; unknown URLs share one.
    http.observe(
      { method: req.method, route: req.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  new Gauge({
    name: 'retrocast_gateway_sessions',
    help: 'Gateway sessions on this instance (connected, and resumable ones kept after a drop)',
    labelNames: ['state'] as const,
    registers: [register],
    collect() {
      let connected = 0;
      for (const s of app.gateway.sessions.values()) if (s.socket) connected++;
      this.set({ state: 'connected' }, connected);
      this.set({ state: 'resumable' }, app.gateway.sessions.size - connected);
    },
  });

  // Dispatches: each session numbers its dispatches, so the sum of sequence advances is the count.
  const lastSeq = new Map<string, number>();
  new Counter({
    name: 'retrocast_gateway_dispatches_total',
    help: 'Dispatches sent to gateway sessions of this instance (counted at scrape time)',
    registers: [register],
    collect() {
      const seen = new Set<string>();
      for (const s of app.gateway.sessions.values()) {
        seen.add(s.id);
        const before = lastSeq.get(s.id) ?? 0;
        if (s.seq > before) this.inc(s.seq - before);
        lastSeq.set(s.id, s.seq);
      }
      for (const id of lastSeq.keys()) if (!seen.has(id)) lastSeq.delete(id);
    },
  });

  const pool = ctx.database.pool;
  if (pool) {
    new Gauge({
      name: 'retrocast_db_pool_connections',
      help: 'PostgreSQL pool connections by state',
      labelNames: ['state'] as const,
      registers: [register],
      collect() {
        this.set({ state: 'total' }, pool.totalCount);
        this.set({ state: 'idle' }, pool.idleCount);
        this.set({ state: 'waiting' }, pool.waitingCount);
      },
    });
  }

  new Gauge({
    name: 'retrocast_voice_participants',
    help: 'Users in voice channels (all instances: the voice state store is shared)',
    registers: [register],
    async collect() {
      this.set((await voiceOf(ctx).store.list()).length);
    },
  });

  const lag = new Gauge({
    name: 'retrocast_bus_lag_seconds',
    help: 'Time for the last bus probe to come back from the bus',
    registers: [register],
  });
  const off = ctx.bus.subscribe((e) => {
    if (e.t === BUS_PROBE && (e.d as { pid?: number }).pid === process.pid) lag.set((Date.now() - (e.d as { at: number }).at) / 1000);
  });
  const probe = () => void ctx.bus.publish({ t: BUS_PROBE, d: { at: Date.now(), pid: process.pid }, user_ids: [] }).catch(() => {});
  const timer = setInterval(probe, PROBE_EVERY_MS);
  timer.unref();
  app.addHook('onListen', async () => probe());
  app.addHook('onClose', async () => {
    clearInterval(timer);
    off();
  });

  app.get('/metrics', { config: { public: true, rateLimit: false }, schema: { hide: true } }, async (req, reply) => {
    if (!allowed(req, ctx.config.metrics.token)) return reply.code(403).send({ code: 50001, message: 'Missing Access' });
    return reply.type(register.contentType).send(await register.metrics());
  });
}
