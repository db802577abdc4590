import type { Bus, BusEvent, BusHandler, LoggedEvent } from './types.js';

/** How long the event log keeps events: longer than the gateway's resume window. */
export const LOG_RETENTION_MS = 5 * 60_000;
/** Events kept in memory while Redis is unreachable; beyond this, publish fails (the write gets 503). */
export const MAX_PENDING = 50_000;
const RETRY_MS = 250;

export interface BusLog {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

/**
 * XADD to the log and PUBLISH the same event with its log id, atomically: a script runs alone, so
 * every instance receives events in exactly log order, and a session's cursor (the id of the last
 * event it handled) splits the log into "handled" and "to replay" with nothing in between.
 */
const PUBLISH_SCRIPT = `
local id = redis.call('XADD', KEYS[1], 'MINID', '~', ARGV[2], '*', 'e', ARGV[1])
redis.call('PUBLISH', KEYS[2], id .. '\\n' .. ARGV[1])
return id`;

/**
 * Redis bus: every instance publishes to and subscribes on one channel, so an event from any
 * instance reaches sessions on all of them; the same events go to a stream (the log) for resumes.
 *
 * Redis outages: a published event is acknowledged once it is queued here in order; the queue is
 * sent as soon as Redis answers again (at least once: an event cut off mid-send may be sent twice).
 * The subscriber misses pub/sub messages while disconnected, so on reconnect it reads the log after
 * the last event it delivered and delivers the gap before anything newer. ioredis reconnects alone.
 */
export async function createRedisBus(url: string, prefix = 'retrocast', log: BusLog = quietLog): Promise<Bus> {
  // Loaded only with REDIS_URL: ioredis costs start-up time and memory (bench/README.md, issue 16).
  const { Redis } = await import('ioredis');
  const CHANNEL = `${prefix}:events`;
  const LOG = `${prefix}:events:log`;
  // No offline queue: while disconnected a command fails at once and our own queue keeps the event.
  const pub = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
  const sub = new Redis(url, { lazyConnect: true });
  await Promise.all([pub.connect(), sub.connect()]);
  const handlers = new Set<BusHandler>();
  const pending: string[] = [];
  let draining: Promise<void> | null = null;
  let closed = false;
  let subDown = false;
  let pubDown = false;

  // Delivery: ids only move forward; anything at or before `lastId` was delivered already.
  let lastId = (await pub.xrevrange(LOG, '+', '-', 'COUNT', 1))[0]?.[0] ?? '0-0';
  let catchingUp: Array<[string, string]> | null = null;
  /** Newest id this instance published, and `settled()` callers waiting for its delivery. */
  let lastSent = lastId;
  let waiting: Array<{ id: string; resolve: () => void }> = [];
  const deliver = (id: string, json: string) => {
    if (compareIds(id, lastId) <= 0) return;
    lastId = id;
    const event = JSON.parse(json) as BusEvent;
    for (const h of handlers) h(event, id);
    if (waiting.length) {
      const done = waiting.filter((w) => compareIds(w.id, lastId) <= 0);
      waiting = waiting.filter((w) => compareIds(w.id, lastId) > 0);
      for (const w of done) w.resolve();
    }
  };
  sub.on('message', (_channel: string, raw: string) => {
    const nl = raw.indexOf('\n');
    if (catchingUp) catchingUp.push([raw.slice(0, nl), raw.slice(nl + 1)]);
    else deliver(raw.slice(0, nl), raw.slice(nl + 1));
  });
  const readLog = async (afterId: string): Promise<Array<[string, string]>> => {
    const out: Array<[string, string]> = [];
    let start = `(${afterId}`;
    for (;;) {
      const rows = await pub.xrange(LOG, start, '+', 'COUNT', 1000);
      for (const [id, fields] of rows) out.push([id, fields[1]]);
      if (rows.length < 1000) return out;
      start = `(${rows[rows.length - 1][0]}`;
    }
  };
  /** After a reconnect: the log since the last delivered event, then what arrived meanwhile. */
  const catchUp = async () => {
    catchingUp ??= [];
    // The resubscribe was sent before 'ready'; once this PING answers, Redis has processed it, so
    // everything after the log read below also reaches us by pub/sub.
    await sub.ping().catch(() => {});
    while (!closed) {
      try {
        const missed = await readLog(lastId);
        for (const [id, json] of missed) deliver(id, json);
        const held = catchingUp ?? [];
        catchingUp = null;
        for (const [id, json] of held) deliver(id, json);
        if (missed.length) log.info({ missed: missed.length }, 'bus: delivered the events missed while Redis was unreachable');
        return;
      } catch {
        await sleep(RETRY_MS);
      }
    }
  };
  sub.on('error', () => {});
  sub.on('close', () => {
    if (closed || subDown) return;
    subDown = true;
    log.warn({}, 'bus: Redis subscriber disconnected; events are delivered when it reconnects');
  });
  sub.on('ready', () => {
    if (!subDown || closed) return;
    subDown = false;
    log.info({}, 'bus: Redis subscriber reconnected; catching up from the event log');
    catchingUp ??= [];
    void catchUp();
  });
  pub.on('error', () => {});
  pub.on('close', () => {
    if (!closed) pubDown = true;
  });
  pub.on('ready', () => {
    pubDown = false;
    if (pending.length) void drain();
  });
  await sub.subscribe(CHANNEL);

  const send = async (json: string) => {
    const id = String(await pub.eval(PUBLISH_SCRIPT, 2, LOG, CHANNEL, json, String(Date.now() - LOG_RETENTION_MS)));
    if (compareIds(id, lastSent) > 0) lastSent = id;
  };
  /** Sends the queue in order, waiting out the outage; only one drain runs at a time. */
  const drain = (): Promise<void> =>
    (draining ??= (async () => {
      let warned = false;
      while (pending.length && !closed) {
        try {
          await send(pending[0]);
          pending.shift();
        } catch (err) {
          if (!warned)
            log.warn(
              { queued: pending.length, err: { message: (err as Error).message } },
              'bus: Redis unreachable; holding events until it is back',
            );
          warned = true;
          await sleep(RETRY_MS);
        }
      }
      if (warned && !closed) log.info({}, 'bus: Redis reachable again; held events published');
      draining = null;
    })());

  return {
    kind: 'redis',
    async publish(event: BusEvent) {
      const json = JSON.stringify(event);
      if (!pending.length) {
        try {
          await send(json);
          return;
        } catch (err) {
          if (closed) throw err;
        }
      }
      if (pending.length >= MAX_PENDING) throw new Error('redis: unavailable (bus queue full)');
      pending.push(json);
      void drain();
    },
    subscribe(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    async readSince(afterId: string): Promise<LoggedEvent[]> {
      return (await readLog(afterId)).map(([id, json]) => ({ id, event: JSON.parse(json) as BusEvent }));
    },
    async lastId() {
      const rows = await pub.xrevrange(LOG, '+', '-', 'COUNT', 1);
      return rows[0]?.[0] ?? '0-0';
    },
    degraded: () => pending.length > 0 || subDown || pubDown || catchingUp !== null,
    settled: () =>
      compareIds(lastSent, lastId) <= 0 ? Promise.resolve() : new Promise<void>((resolve) => waiting.push({ id: lastSent, resolve })),
    async close() {
      // Give queued events a moment to go out; a shutdown during an outage loses them (logged).
      const deadline = Date.now() + 2_000;
      while (pending.length && Date.now() < deadline) await sleep(50);
      if (pending.length) log.warn({ lost: pending.length }, 'bus: closing with events not yet published');
      closed = true;
      handlers.clear();
      sub.disconnect();
      await pub.quit().catch(() => pub.disconnect());
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const quietLog: BusLog = { warn: () => {}, info: () => {} };

/** Orders Redis stream ids ("ms-seq"). */
function compareIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(BigInt);
  const [bm, bs] = b.split('-').map(BigInt);
  return am !== bm ? (am < bm ? -1 : 1) : as === bs ? 0 : as < bs ? -1 : 1;
}
