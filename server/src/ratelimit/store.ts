export interface Hit {
  /** Requests counted in the current window, including this one. */
  count: number;
  /** Milliseconds until the window resets. */
  resetAfterMs: number;
}

/** Fixed-window counters shared by all instances (Redis) or kept in this process (memory). */
export interface RateLimitStore {
  hit(key: string, windowMs: number): Promise<Hit>;
  /** The current count without counting (0 when the window is over or never started). */
  peek(key: string): Promise<number>;
  close(): Promise<void>;
}

export function createMemoryRateLimitStore(): RateLimitStore {
  const windows = new Map<string, { count: number; resetAt: number }>();
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [k, w] of windows) if (w.resetAt <= now) windows.delete(k);
  }, 30_000);
  sweep.unref();
  return {
    async hit(key, windowMs) {
      const now = Date.now();
      let w = windows.get(key);
      if (!w || w.resetAt <= now) {
        w = { count: 0, resetAt: now + windowMs };
        windows.set(key, w);
      }
      w.count++;
      return { count: w.count, resetAfterMs: w.resetAt - now };
    },
    async peek(key) {
      const w = windows.get(key);
      return w && w.resetAt > Date.now() ? w.count : 0;
    },
    async close() {
      clearInterval(sweep);
      windows.clear();
    },
  };
}

// INCR, start the window's expiry on first hit, return count and remaining ms atomically.
const HIT_SCRIPT = `
local c = redis.call('INCR', KEYS[1])
if c == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {c, ttl}`;

export async function createRedisRateLimitStore(url: string, prefix = 'retrocast'): Promise<RateLimitStore> {
  // Loaded only with REDIS_URL: ioredis costs start-up time and memory (bench/README.md, issue 16).
  const { Redis } = await import('ioredis');
  // No offline queue: during a Redis outage a limited request fails at once (503), never hangs.
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
  redis.on('error', () => {});
  await redis.connect();
  return {
    async hit(key, windowMs) {
      const [count, ttl] = (await redis.eval(HIT_SCRIPT, 1, `${prefix}:rl:${key}`, windowMs)) as [number, number];
      return { count, resetAfterMs: ttl };
    },
    async peek(key) {
      return Number((await redis.get(`${prefix}:rl:${key}`)) ?? 0);
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
