import { createHash } from 'node:crypto';
import { Errors } from '@retrocast/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RateLimitStore } from './store.js';

/**
 * Per-route limits, declared in a route's `config.rateLimit`. Discord-style buckets: the route
 * pattern plus its major parameter (channel or guild id), per user (or per IP when anonymous).
 */
export interface RouteRateLimit {
  limit: number;
  windowMs: number;
  /** Extra keys to count under, e.g. the username being logged into (brute force). */
  extraKeys?: (request: FastifyRequest) => string[] | Promise<string[]>;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    rateLimit?: RouteRateLimit | false;
    /** Route needs no Authorization header. */
    public?: boolean;
  }
}

/** Discord's global default: 50 requests per second per user. */
const DEFAULT_LIMIT: RouteRateLimit = { limit: 50, windowMs: 1000 };

const bucketId = (s: string) => createHash('sha1').update(s).digest('hex').slice(0, 16);

function majorParam(request: FastifyRequest): string {
  const p = request.params as Record<string, string> | undefined;
  return p?.channelId ?? p?.guildId ?? '';
}

function setHeaders(reply: FastifyReply, limit: number, remaining: number, resetAfterMs: number, bucket: string) {
  reply.header('X-RateLimit-Limit', limit);
  reply.header('X-RateLimit-Remaining', Math.max(0, remaining));
  reply.header('X-RateLimit-Reset', ((Date.now() + resetAfterMs) / 1000).toFixed(3));
  reply.header('X-RateLimit-Reset-After', (resetAfterMs / 1000).toFixed(3));
  reply.header('X-RateLimit-Bucket', bucket);
}

export function installRateLimits(app: FastifyInstance, store: RateLimitStore, disabled: boolean) {
  app.addHook('preValidation', async (request, reply) => {
    const cfg = request.routeOptions.config.rateLimit;
    if (disabled || cfg === false || !request.routeOptions.url) return;
    const rule = cfg ?? DEFAULT_LIMIT;
    const bucket = bucketId(`${request.method} ${request.routeOptions.url}`);
    const who = request.user?.id ?? `ip:${request.ip}`;
    const keys = [`${bucket}:${majorParam(request)}:${who}`, ...((await rule.extraKeys?.(request)) ?? []).map((k) => `${bucket}:x:${k}`)];
    let worst = { count: 0, resetAfterMs: 0 };
    for (const key of keys) {
      const hit = await store.hit(key, rule.windowMs);
      if (hit.count - rule.limit > worst.count - rule.limit) worst = hit;
    }
    setHeaders(reply, rule.limit, rule.limit - worst.count, worst.resetAfterMs, bucket);
    if (worst.count > rule.limit) {
      const retryAfter = Math.max(0.001, worst.resetAfterMs / 1000);
      reply.header('Retry-After', Math.ceil(retryAfter));
      reply.header('X-RateLimit-Scope', 'user');
      return reply.code(429).send({ message: Errors.RATE_LIMITED.message, retry_after: Number(retryAfter.toFixed(3)), global: false, code: 0 });
    }
  });
}
