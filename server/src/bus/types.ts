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

export type BusHandler = (event: BusEvent) => void;

/** Event fan-out between server instances. In-process by default, Redis pub/sub with REDIS_URL. */
export interface Bus {
  readonly kind: 'memory' | 'redis';
  publish(event: BusEvent): Promise<void>;
  /** Every event published by any instance, in publish order per publisher. */
  subscribe(handler: BusHandler): () => void;
  close(): Promise<void>;
}
