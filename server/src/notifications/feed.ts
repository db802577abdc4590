import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { FastifyBaseLogger } from 'fastify';
import type { Bus, BusEvent } from '../bus/types.js';

/**
 * Where the worker's MESSAGE_CREATEs come from. In process: the bus (every event, after commit).
 * With Redis: the bus's event log read through a consumer group, so each event goes to exactly one
 * instance of the server — one push per notification however many instances run.
 */
export interface NotificationFeed {
  start(handle: (event: BusEvent) => Promise<void>): void;
  close(): Promise<void>;
}

const WANTED = new Set(['MESSAGE_CREATE']);

export function createBusFeed(bus: Bus): NotificationFeed {
  let off: (() => void) | undefined;
  let chain = Promise.resolve();
  return {
    start(handle) {
      off = bus.subscribe((event) => {
        if (!WANTED.has(event.t)) return;
        chain = chain.then(() => handle(event)).catch(() => {});
      });
    },
    async close() {
      off?.();
      await chain;
    },
  };
}

const GROUP = 'notify';
/** Entries a consumer read but never acknowledged (it died) are taken over after this long. */
const CLAIM_IDLE_MS = 30_000;

export async function createRedisFeed(url: string, prefix: string, log: FastifyBaseLogger): Promise<NotificationFeed> {
  // Loaded only with REDIS_URL: ioredis costs start-up time and memory (bench/README.md, issue 16).
  const { Redis } = await import('ioredis');
  // The bus's log stream (bus/redis.ts): every event, in publish order, kept 5 minutes.
  const stream = `${prefix}:events:log`;
  const consumer = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  // No offline queue (as every Redis store here): during an outage a command fails at once and the
  // loop below waits and retries, instead of commands piling up in memory. Outages are reported by
  // the bus and /healthz; ioredis reconnects by itself.
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
  redis.on('error', () => {});
  let stopped = false;
  /** While XREADGROUP blocks: close() cuts it rather than sitting out the block (up to 1 s per shutdown). */
  let blocked = false;
  let loop: Promise<void> | undefined;

  const handleEntries = async (entries: Array<[string, string[]]>, handle: (e: BusEvent) => Promise<void>) => {
    for (const [id, fields] of entries) {
      try {
        const event = JSON.parse(fields[1]) as BusEvent;
        if (WANTED.has(event.t)) await handle(event);
      } catch (err) {
        log.error({ err }, 'notification worker failed on an event');
      }
      await redis.xack(stream, GROUP, id);
    }
  };

  // '$': events published before the first instance started are not notified about.
  const createGroup = () =>
    redis.xgroup('CREATE', stream, GROUP, '$', 'MKSTREAM').catch((err: Error) => {
      if (!String(err.message).includes('BUSYGROUP')) throw err;
    });

  const run = async (handle: (e: BusEvent) => Promise<void>) => {
    await redis.connect();
    await createGroup();
    let lastClaim = Date.now();
    let down = false;
    while (!stopped) {
      try {
        lastClaim = await step(handle, lastClaim);
        if (down) log.info('notification feed: Redis is back');
        down = false;
      } catch (err) {
        if (stopped) break;
        if (!down) log.warn({ err: { message: (err as Error).message } }, 'notification feed: Redis unavailable, retrying');
        down = true;
        await new Promise((r) => setTimeout(r, 1000));
        // A Redis that lost its data lost the group too.
        if (String((err as Error).message).includes('NOGROUP')) await createGroup().catch(() => {});
      }
    }
  };

  /** One read (and, every CLAIM_IDLE_MS, one take-over of abandoned entries); returns lastClaim. */
  const step = async (handle: (e: BusEvent) => Promise<void>, lastClaim: number) => {
    if (Date.now() - lastClaim > CLAIM_IDLE_MS) {
      lastClaim = Date.now();
      const [, claimed] = (await redis.xautoclaim(stream, GROUP, consumer, CLAIM_IDLE_MS, '0-0', 'COUNT', 100)) as [
        string,
        Array<[string, string[]]>,
      ];
      await handleEntries(claimed.filter(Boolean), handle);
    }
    if (stopped) return lastClaim;
    let res: Array<[string, Array<[string, string[]]>]> | null;
    blocked = true;
    try {
      res = (await redis.xreadgroup('GROUP', GROUP, consumer, 'COUNT', 100, 'BLOCK', 1000, 'STREAMS', stream, '>')) as typeof res;
    } finally {
      blocked = false;
    }
    if (res) await handleEntries(res[0][1], handle);
    return lastClaim;
  };

  return {
    start(handle) {
      loop = run(handle).catch((err) => {
        if (!stopped) log.error({ err }, 'notification feed stopped');
      });
    },
    async close() {
      stopped = true;
      // Cutting the connection ends a blocked XREADGROUP at once (the loop sees `stopped` and
      // returns). Entries it was being handed stay pending and are claimed after CLAIM_IDLE_MS, as
      // after a crash; entries being handled are finished and acknowledged first.
      if (blocked) redis.disconnect();
      await loop;
      redis.disconnect();
    },
  };
}
