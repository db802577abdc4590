import { createMemoryBus } from './memory.js';
import { createRedisBus } from './redis.js';
import type { Bus } from './types.js';

export type { Bus, BusEvent, BusHandler } from './types.js';

export async function openBus(redisUrl?: string, prefix?: string): Promise<Bus> {
  return redisUrl ? createRedisBus(redisUrl, prefix) : createMemoryBus();
}
