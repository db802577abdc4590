import type { Queryable } from '../db/client.js';
import { type GuildState, loadGuildState } from '../guild-state/state.js';

// The model is shared with REST's permission cache (guild-state/); this is the gateway's own view.
export { type CachedChannel, GuildState, loadGuildState, toPermissionOverwrites } from '../guild-state/state.js';

/**
 * The instance's guild states: exactly the guilds some local session's user belongs to. Loads are
 * ticketed so that a slow, older load never overwrites a newer one.
 */
export class GuildCache {
  private states = new Map<string, GuildState>();
  private ticket = 0;
  private applied = new Map<string, number>();

  constructor(private readonly db: Queryable) {}

  get(guildId: string): GuildState | undefined {
    return this.states.get(guildId);
  }

  has(guildId: string) {
    return this.states.has(guildId);
  }

  /** Loads (or reloads) a guild; returns the current state, undefined when the guild is gone. */
  async load(guildId: string): Promise<GuildState | undefined> {
    const mine = ++this.ticket;
    const state = await loadGuildState(this.db, guildId);
    if ((this.applied.get(guildId) ?? 0) > mine) return this.states.get(guildId);
    this.applied.set(guildId, mine);
    if (state) this.states.set(guildId, state);
    else this.states.delete(guildId);
    return state ?? undefined;
  }

  async ensure(guildId: string): Promise<GuildState | undefined> {
    return this.states.get(guildId) ?? this.load(guildId);
  }

  drop(guildId: string) {
    this.states.delete(guildId);
    this.applied.delete(guildId);
  }

  ids() {
    return this.states.keys();
  }
}
