import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';

/** V8's young generation when it has shrunk back (1 MiB; 32 MiB after start-up). */
const SHRUNK_NEW_SPACE = 2 * 1024 * 1024;
/** Event-loop utilization above which the server counts as busy (an idle server is at ~0.1%). */
const BUSY_LOOP = 0.05;
const newSpaceSize = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;

/**
 * Garbage collections once start-up is over. Start-up allocates a lot (modules, routes,
 * PostgreSQL's boot), which grows V8's young generation to its 32 MiB maximum; an idle server
 * allocates too little to ever collect again, so it kept that memory for good. V8 shrinks the
 * young generation at a collection that follows a few quiet seconds, so: one collection after
 * start-up, then one every `quietMs` until it has shrunk (at most `tries`; ~30 MiB less RSS when
 * idle). Under load it grows again as it always did. A forced collection is a full, blocking one
 * (~45 ms with a warm heap), so it runs only when the event loop was nearly idle since the last
 * look: a server restarted into a reconnect storm or a burst of messages is not paused. `gc` is
 * taken from a fresh context while the flag is on, so no context of the server ever sees it.
 */
export function collectStartupGarbage(afterMs = 3000, quietMs = 6000, tries = 4) {
  v8.setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  v8.setFlagsFromString('--no-expose-gc');
  let since = performance.eventLoopUtilization();
  const collect = (left: number) => {
    const busy = performance.eventLoopUtilization(since).utilization > BUSY_LOOP;
    since = performance.eventLoopUtilization();
    if (!busy) gc();
    if (left > 0 && newSpaceSize() > SHRUNK_NEW_SPACE) setTimeout(() => collect(left - 1), quietMs).unref();
  };
  setTimeout(() => collect(tries), afterMs).unref();
}
