import { createMemoryBus } from './memory.js';
import { type BusLog, createRedisBus } from './redis.js';
import type { Bus } from './types.js';

export type { Bus, BusEvent, BusHandler } from './types.js';

export async function openBus(redisUrl?: string, prefix?: string, log?: BusLog): Promise<Bus> {
  return redisUrl ? createRedisBus(redisUrl, prefix, log) : createMemoryBus();
}
