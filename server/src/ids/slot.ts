import { randomInt, randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';

/**
 * The 10 bits of a snowflake that tell id generators apart (5-bit worker, 5-bit process). Two
 * instances on one database with the same bits mint the same id when both take one in the same
 * millisecond: a send then fails on `messages_pkey` (seen as a 500 with three instances in one test
 * process, which share a pid). The default, pid % 32, is the same for every container (pid 1), so:
 * - WORKER_ID / PROCESS_ID set: used as given (the operator's choice);
 * - Redis (several instances): a free slot is leased in Redis, renewed while the server runs;
 * - otherwise (one instance): pid % 32, moved on for each further server built in this process.
 */
export interface IdSlot {
  workerId: number;
  processId: number;
  release(): Promise<void>;
}

const SLOTS = 1024;
const LEASE_MS = 60_000;
/** Renews the lease; after a Redis restart (no persistence) takes the slot again if it is free. */
const RENEW = `
local v = redis.call('GET', KEYS[1])
if v == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if not v then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
return 0`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

let builtHere = 0;

export interface SlotConfig {
  workerId: number;
  processId: number;
  /** WORKER_ID or PROCESS_ID was set. */
  idSlotFixed: boolean;
  redisUrl?: string;
  redisPrefix: string;
}

const fromSlot = (slot: number) => ({ workerId: slot >> 5, processId: slot & 31 });

export async function claimIdSlot(config: SlotConfig, log: FastifyBaseLogger): Promise<IdSlot> {
  const release = async () => {};
  if (config.idSlotFixed) return { workerId: config.workerId, processId: config.processId, release };
  if (!config.redisUrl) {
    const slot = (config.workerId * 32 + config.processId + builtHere++) % SLOTS;
    return { ...fromSlot(slot), release };
  }
  return leaseSlot(config.redisUrl, config.redisPrefix, log);
}

async function leaseSlot(url: string, prefix: string, log: FastifyBaseLogger): Promise<IdSlot> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
  redis.on('error', () => {});
  await redis.connect();
  const token = randomUUID();
  const keyOf = (slot: number) => `${prefix}:id-slot:${slot}`;
  // From a random place, so instances starting together rarely race for the same slot.
  const start = randomInt(SLOTS);
  for (let i = 0; i < SLOTS; i++) {
    const slot = (start + i) % SLOTS;
    if ((await redis.set(keyOf(slot), token, 'PX', LEASE_MS, 'NX')) !== 'OK') continue;
    let warned = false;
    const timer = setInterval(async () => {
      try {
        const kept = await redis.eval(RENEW, 1, keyOf(slot), token, LEASE_MS);
        if (kept === 0 && !warned) {
          warned = true;
          log.error(
            { slot },
            'ids: another instance took this instance’s id slot (Redis unreachable for over a minute?); restart this instance',
          );
        }
      } catch {
        // Redis is down: the next tick tries again; the lease outlives short outages.
      }
    }, LEASE_MS / 3);
    timer.unref();
    return {
      ...fromSlot(slot),
      release: async () => {
        clearInterval(timer);
        await redis.eval(RELEASE, 1, keyOf(slot), token).catch(() => {});
        await redis.quit().catch(() => redis.disconnect());
      },
    };
  }
  await redis.quit().catch(() => redis.disconnect());
  throw new Error(`ids: all ${SLOTS} id slots are leased in Redis (prefix ${prefix}); set WORKER_ID and PROCESS_ID`);
}
