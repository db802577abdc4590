import type { FastifyBaseLogger } from 'fastify';
import { describe, expect, it } from 'vitest';
import { createRedisBus } from '../bus/redis.js';
import type { BusEvent } from '../bus/types.js';
import { backend } from '../test/helper.js';
import { haveOwnServices, startOwnRedis } from '../test/own-services.js';
import { createRedisFeed } from './feed.js';

/**
 * The push worker's Redis feed (no offline queue, like every Redis store) through an outage of its
 * own Redis: it says so once in the log, retries, recreates its consumer group (a restarted Redis
 * without persistence lost it) and delivers what the bus publishes afterwards.
 */
const run = haveOwnServices() && backend === 'pglite'; // brings its own Redis: run once, not per project

describe.runIf(run)('notification feed through a Redis outage', () => {
  it('keeps delivering after Redis is stopped and started again', async () => {
    const redis = await startOwnRedis();
    const warnings: string[] = [];
    const log = {
      info() {},
      debug() {},
      error() {},
      warn: (_obj: unknown, msg: string) => warnings.push(msg),
    } as unknown as FastifyBaseLogger;
    const bus = await createRedisBus(redis.url, 'feedtest');
    const feed = await createRedisFeed(redis.url, 'feedtest', log);
    const seen: string[] = [];
    feed.start(async (e: BusEvent) => {
      seen.push((e.d as { id: string }).id);
    });
    const message = (id: string): BusEvent => ({ t: 'MESSAGE_CREATE', d: { id }, channel_id: '1' });
    try {
      // The group is created at '$': publish until the feed is reading, then expect each event once.
      await expect
        .poll(
          async () => {
            await bus.publish(message('before'));
            return seen.includes('before');
          },
          { timeout: 30_000, interval: 500 },
        )
        .toBe(true);

      await redis.stop();
      await new Promise((r) => setTimeout(r, 3000));
      expect(warnings.filter((w) => w.includes('Redis unavailable'))).toHaveLength(1);
      await redis.start();

      await expect
        .poll(
          async () => {
            await bus.publish(message('after')).catch(() => {});
            return seen.includes('after');
          },
          { timeout: 60_000, interval: 1000 },
        )
        .toBe(true);
    } finally {
      await feed.close();
      await bus.close();
      await redis.stop();
    }
  });
});
