/**
 * A domain event on its way to gateway sessions. Published only after the write that caused it
 * has committed (see `transact` in db/tx.ts). The routing fields say who may receive it; the
 * gateway applies permissions per session.
 */
export interface BusEvent {
  /** Gateway dispatch name, e.g. MESSAGE_CREATE. */
  t: string;
  /** Dispatch payload exactly as clients receive it. */
  d: unknown;
  /** Guild-scoped: members of this guild. */
  guild_id?: string;
  /** Channel-scoped: only users who can VIEW_CHANNEL here (in guild_id, or DM recipients). */
  channel_id?: string;
  /** Only these users (e.g. USER_UPDATE, MESSAGE_ACK, GUILD_CREATE on join). */
  user_ids?: string[];
  /** Retrocast-internal hints for the gateway (membership changes etc.). Never sent to clients. */
  meta?: Record<string, unknown>;
}

/**
 * `id` is the event's position in the shared event log (Redis stream id, e.g. "1700000000000-0");
 * undefined on the in-process bus, which keeps no log.
 */
export type BusHandler = (event: BusEvent, id?: string) => void;

/** An event read back from the log, for sessions resumed on another instance. */
export interface LoggedEvent {
  id: string;
  event: BusEvent;
}

/** Event fan-out between server instances. In-process by default, Redis pub/sub with REDIS_URL. */
export interface Bus {
  readonly kind: 'memory' | 'redis';
  publish(event: BusEvent): Promise<void>;
  /** Every event published by any instance, in publish order per publisher. */
  subscribe(handler: BusHandler): () => void;
  /**
   * Events published after log position `afterId`, oldest first (Redis only: the log keeps at
   * least the last `logRetentionMs`). The gateway uses it to rebuild what a session missed while
   * the instance that owned it was gone.
   */
  readSince?(afterId: string): Promise<LoggedEvent[]>;
  /** Position of the newest logged event ("0-0" when empty); Redis only. */
  lastId?(): Promise<string>;
  /** True while events wait to be published or delivery lags (Redis unreachable); Redis only. */
  degraded?(): boolean;
  /**
   * Resolves once this instance's subscribers have been handed every event it published so far
   * (Redis: the pub/sub echo of its own publishes can arrive after the publish's answer). Tests
   * await it before looking at what a subscriber saw; Redis only.
   */
  settled?(): Promise<void>;
  close(): Promise<void>;
}
