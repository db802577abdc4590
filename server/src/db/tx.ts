import type { Bus, BusEvent } from '../bus/types.js';
import { guildStateCacheOf } from '../guild-state/cache.js';
import type { Db, Tx } from './client.js';

export type Emit = (event: BusEvent) => void;

/**
 * Runs `fn` in one transaction and publishes the events it emitted only after COMMIT, so clients
 * never see an event for a write that was rolled back. The one place `bus.publish` is called for
 * domain writes: grep `emit(` to find every event source.
 */
/**
 * For a write that is one autocommitted statement (no BEGIN/COMMIT round trips): call after it
 * returned, i.e. after it committed. Same order as `transact`: this instance's cache, then the bus.
 */
export async function publishCommitted(deps: { db: Db; bus: Bus }, events: BusEvent[]): Promise<void> {
  const cache = guildStateCacheOf(deps.db);
  for (const e of events) cache?.apply(e);
  for (const e of events) await deps.bus.publish(e);
}

export async function transact<T>(deps: { db: Db; bus: Bus }, fn: (tx: Tx, emit: Emit) => Promise<T>): Promise<T> {
  const events: BusEvent[] = [];
  const result = await deps.db.transaction((tx) => fn(tx, (e) => events.push(e)));
  // This instance's permission cache learns of the write before the response goes out (the bus
  // may deliver the event later, e.g. through Redis).
  const cache = guildStateCacheOf(deps.db);
  for (const e of events) cache?.apply(e);
  for (const e of events) await deps.bus.publish(e);
  return result;
}
