import { eq } from 'drizzle-orm';
import type { Bus, BusEvent } from '../bus/types.js';
import type { Db } from '../db/client.js';
import { channels } from '../db/schema.js';
import { type GuildState, loadGuildState } from './state.js';

/** Events after which a guild's cached permission inputs are dropped (reloaded on next use). */
const INVALIDATING = new Set([
  'GUILD_CREATE',
  'GUILD_UPDATE',
  'GUILD_DELETE',
  'GUILD_ROLE_CREATE',
  'GUILD_ROLE_UPDATE',
  'GUILD_ROLE_DELETE',
  'GUILD_MEMBER_ADD',
  'GUILD_MEMBER_UPDATE',
  'GUILD_MEMBER_REMOVE',
  'CHANNEL_CREATE',
  'CHANNEL_UPDATE',
  'CHANNEL_DELETE',
  // The cached channel row carries last_message_id and last_pin_timestamp.
  'CHANNEL_PINS_UPDATE',
  'MESSAGE_DELETE',
  'MESSAGE_DELETE_BULK',
]);

export type GuildCacheMode = 'on' | 'off' | 'verify';

/**
 * REST's guild states: the permission inputs of every guild a request touched lately, so a REST
 * permission check costs no query instead of six. Kept current by the committed events themselves:
 * `apply` runs for each event this instance commits (db/tx.ts, synchronously, before the response)
 * and for each event the bus delivers from any instance (Redis). Any event that can change
 * permissions drops the guild; the next request reloads it from the database. Dropping (never
 * patching) makes applying an event twice or late harmless, and a load that was running while its
 * guild was dropped is used by its own request only, never stored (generation check).
 *
 * While the Redis bus is degraded (events may be missing), nothing is served from the cache.
 */
export class GuildStateCache {
  private states = new Map<string, GuildState>();
  private loading = new Map<string, Promise<GuildState | null>>();
  private generation = new Map<string, number>();
  /** Channel id → guild id (null: a DM or group DM), from loaded states and channel lookups. */
  private channelGuild = new Map<string, string | null>();
  private epoch = 0;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly db: Db,
    private readonly bus: Bus,
    readonly mode: GuildCacheMode = 'on',
    private readonly maxGuilds = 1000,
    /** Runs before a guild is read from the database (pending write-behind of channel rows). */
    private readonly beforeLoad?: () => Promise<void>,
  ) {
    this.unsubscribe = bus.subscribe((ev) => this.apply(ev));
  }

  /** Applies one committed event (idempotent; order does not matter). */
  apply(ev: BusEvent) {
    const gid = ev.guild_id ?? (ev.meta?.guild_id as string | undefined);
    if (ev.t === 'MESSAGE_CREATE' && gid && ev.channel_id) return this.noteLastMessage(gid, ev.channel_id, ev.d);
    // Names and avatars are kept with guild states (messages/authors.ts).
    if (ev.t === 'USER_UPDATE')
      return this.dropGuildsOf((ev.meta?.public_user as { id?: string } | undefined)?.id ?? (ev.d as { id?: string })?.id);
    if (gid && (INVALIDATING.has(ev.t) || ev.meta?.permissions_changed || ev.meta?.join || ev.meta?.leave)) this.drop(gid);
  }

  /** Forgets a guild; loads already running for it are not stored. */
  drop(guildId: string) {
    this.generation.set(guildId, (this.generation.get(guildId) ?? 0) + 1);
    this.states.delete(guildId);
    this.loading.delete(guildId);
  }

  private dropGuildsOf(userId: string | undefined) {
    if (!userId) return;
    for (const [gid, state] of this.states) if (state.members.has(userId)) this.drop(gid);
  }

  /** Forgets everything (e.g. when events may have been missed). */
  clear() {
    this.epoch++;
    this.states.clear();
    this.loading.clear();
    this.generation.clear();
    this.channelGuild.clear();
  }

  close() {
    this.unsubscribe();
    this.clear();
  }

  private usable() {
    if (this.mode === 'off') return false;
    if (this.bus.degraded?.()) {
      if (this.states.size) this.clear();
      return false;
    }
    return true;
  }

  /** The guild's current state (null: no such guild). */
  async guild(guildId: string): Promise<GuildState | null> {
    if (!this.usable()) return loadGuildState(this.db, guildId);
    const hit = this.states.get(guildId);
    if (hit) {
      // Least recently used goes first when the cache is full.
      this.states.delete(guildId);
      this.states.set(guildId, hit);
      return hit;
    }
    let pending = this.loading.get(guildId);
    if (!pending) {
      pending = this.load(guildId);
      this.loading.set(guildId, pending);
    }
    return pending;
  }

  private async load(guildId: string): Promise<GuildState | null> {
    const gen = this.generation.get(guildId) ?? 0;
    const epoch = this.epoch;
    const current = () => (this.generation.get(guildId) ?? 0) === gen && this.epoch === epoch;
    try {
      await this.beforeLoad?.();
      const state = await loadGuildState(this.db, guildId);
      if (state && current()) {
        this.states.set(guildId, state);
        for (const id of state.channels.keys()) this.channelGuild.set(id, guildId);
        while (this.states.size > this.maxGuilds) this.states.delete(this.states.keys().next().value as string);
      }
      return state;
    } finally {
      if (current()) this.loading.delete(guildId);
    }
  }

  /**
   * The guild a channel belongs to: a guild id, null for DMs, undefined when there is no such
   * channel. A channel never changes guild, so the answer is kept (without the channel row).
   */
  async guildOf(channelId: string): Promise<string | null | undefined> {
    const known = this.usable() ? this.channelGuild.get(channelId) : undefined;
    if (known !== undefined) return known;
    const [row] = await this.db.select({ guildId: channels.guildId }).from(channels).where(eq(channels.id, channelId)).limit(1);
    if (!row) return undefined;
    if (this.channelGuild.size > 100_000) this.channelGuild.clear();
    this.channelGuild.set(channelId, row.guildId);
    return row.guildId;
  }

  /** MESSAGE_CREATE: the cached channel row follows last_message_id (it only moves forward). */
  private noteLastMessage(guildId: string, channelId: string, d: unknown) {
    const id = (d as { id?: unknown } | null)?.id;
    const c = this.states.get(guildId)?.channels.get(channelId);
    if (!c || typeof id !== 'string') return;
    const last = c.row.lastMessageId;
    if (!last || BigInt(id) > BigInt(last)) c.row = { ...c.row, lastMessageId: id };
  }
}

/** The cache of each open database (the access functions find it from the `db` they are given). */
const caches = new WeakMap<Db, GuildStateCache>();

export function installGuildStateCache(cache: GuildStateCache, db: Db) {
  caches.set(db, cache);
}

/** The cache for `q` when it is a database with one; undefined inside a transaction (those read fresh). */
export function guildStateCacheOf(q: unknown): GuildStateCache | undefined {
  return caches.get(q as Db);
}
