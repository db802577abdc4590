import type { Bus, BusEvent, BusHandler } from './types.js';

/** Single-process bus: handlers run synchronously in publish order. */
export function createMemoryBus(): Bus {
  const handlers = new Set<BusHandler>();
  return {
    kind: 'memory',
    async publish(event: BusEvent) {
      for (const h of handlers) h(event);
    },
    subscribe(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    async close() {
      handlers.clear();
    },
  };
}
