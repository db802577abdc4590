import { Redis } from 'ioredis';
import type { Bus, BusEvent, BusHandler } from './types.js';

/**
 * Redis pub/sub bus: every instance publishes to and subscribes on one channel, so an event from
 * any instance reaches sessions on all of them. Redis keeps per-publisher order on a channel.
 */
export async function createRedisBus(url: string, prefix = 'retrocast'): Promise<Bus> {
  const CHANNEL = `${prefix}:events`;
  const pub = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3 });
  const sub = new Redis(url, { lazyConnect: true });
  await Promise.all([pub.connect(), sub.connect()]);
  const handlers = new Set<BusHandler>();
  sub.on('message', (_channel: string, raw: string) => {
    const event = JSON.parse(raw) as BusEvent;
    for (const h of handlers) h(event);
  });
  await sub.subscribe(CHANNEL);
  return {
    kind: 'redis',
    async publish(event: BusEvent) {
      await pub.publish(CHANNEL, JSON.stringify(event));
    },
    subscribe(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    async close() {
      handlers.clear();
      sub.disconnect();
      await pub.quit().catch(() => pub.disconnect());
    },
  };
}
