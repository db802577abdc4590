import { Redis } from 'ioredis';
import type { Bus, BusEvent, BusHandler, LoggedEvent } from './types.js';

/** How long the event log keeps events: longer than the gateway's resume window. */
export const LOG_RETENTION_MS = 5 * 60_000;

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
 */
export async function createRedisBus(url: string, prefix = 'retrocast'): Promise<Bus> {
  const CHANNEL = `${prefix}:events`;
  const LOG = `${prefix}:events:log`;
  const pub = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3 });
  const sub = new Redis(url, { lazyConnect: true });
  await Promise.all([pub.connect(), sub.connect()]);
  const handlers = new Set<BusHandler>();
  sub.on('message', (_channel: string, raw: string) => {
    const nl = raw.indexOf('\n');
    const id = raw.slice(0, nl);
    const event = JSON.parse(raw.slice(nl + 1)) as BusEvent;
    for (const h of handlers) h(event, id);
  });
  await sub.subscribe(CHANNEL);
  return {
    kind: 'redis',
    async publish(event: BusEvent) {
      await pub.eval(PUBLISH_SCRIPT, 2, LOG, CHANNEL, JSON.stringify(event), String(Date.now() - LOG_RETENTION_MS));
    },
    subscribe(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    async readSince(afterId: string): Promise<LoggedEvent[]> {
      const out: LoggedEvent[] = [];
      let start = `(${afterId}`;
      for (;;) {
        const rows = await pub.xrange(LOG, start, '+', 'COUNT', 1000);
        for (const [id, fields] of rows) out.push({ id, event: JSON.parse(fields[1]) as BusEvent });
        if (rows.length < 1000) return out;
        start = `(${rows[rows.length - 1][0]}`;
      }
    },
    async lastId() {
      const rows = await pub.xrevrange(LOG, '+', '-', 'COUNT', 1);
      return rows[0]?.[0] ?? '0-0';
    },
    async close() {
      handlers.clear();
      sub.disconnect();
      await pub.quit().catch(() => pub.disconnect());
    },
  };
}
