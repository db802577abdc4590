import { GatewayIntents, Permissions } from '@retrocast/protocol';
import { eq } from 'drizzle-orm';
import type { BusEvent } from '../bus/types.js';
import { channelRecipients } from '../db/schema.js';
import { toWireChannel } from '../guilds/wire.js';
import { loadWireMember } from '../members/store.js';
import { loadWirePresences } from '../presence/service.js';
import { type GuildState, toPermissionOverwrites } from './guild-cache.js';
import { buildGuildCreate, LARGE_THRESHOLD, onShard } from './ready.js';
import type { LogEntry } from './replay-log.js';
import type { Session } from './session.js';
import type { GatewayState } from './types.js';

/** Events after which a guild's permission data is reloaded (and channel visibility re-diffed). */
const STRUCTURAL = new Set([
  'GUILD_UPDATE',
  'GUILD_ROLE_CREATE',
  'GUILD_ROLE_UPDATE',
  'GUILD_ROLE_DELETE',
  'CHANNEL_CREATE',
  'CHANNEL_UPDATE',
  'CHANNEL_DELETE',
]);

/** Member events update the cache from their payload (`user.id`, `roles`): no reload per join in big guilds. */
const MEMBER_EVENTS = new Set(['GUILD_MEMBER_ADD', 'GUILD_MEMBER_UPDATE', 'GUILD_MEMBER_REMOVE']);

const I = GatewayIntents;
/** The intent a bot needs for an event (0: always sent). */
function intentOf(ev: BusEvent): number {
  const t = ev.t;
  const dm = !!ev.channel_id && !ev.guild_id;
  if (t.startsWith('MESSAGE_REACTION_')) return dm ? I.DIRECT_MESSAGE_REACTIONS : I.GUILD_MESSAGE_REACTIONS;
  if (t === 'MESSAGE_CREATE' || t === 'MESSAGE_UPDATE' || t === 'MESSAGE_DELETE' || t === 'MESSAGE_DELETE_BULK')
    return dm ? I.DIRECT_MESSAGES : I.GUILD_MESSAGES;
  if (t === 'TYPING_START') return dm ? I.DIRECT_MESSAGE_TYPING : I.GUILD_MESSAGE_TYPING;
  if (t.startsWith('GUILD_MEMBER_')) return I.GUILD_MEMBERS;
  if (t.startsWith('GUILD_BAN_') || t === 'GUILD_AUDIT_LOG_ENTRY_CREATE') return I.GUILD_MODERATION;
  if (t.startsWith('INVITE_')) return I.GUILD_INVITES;
  if (t === 'PRESENCE_UPDATE') return I.GUILD_PRESENCES;
  if (t === 'VOICE_STATE_UPDATE') return I.GUILD_VOICE_STATES;
  if (t.startsWith('GUILD_') || (t.startsWith('CHANNEL_') && !dm)) return I.GUILDS;
  return 0;
}

/** Bounds the recipient lists kept (they are dropped whenever a session comes or goes anyway). */
const MAX_ROUTES = 10_000;

/**
 * The key under which a guild-channel event's recipients can be reused, or undefined when they
 * depend on more than guild state, channel and intent: targeted or excluded users, a required
 * permission, CHANNEL_* (judged by the overwrites in their payload), presences (not echoed to
 * their own user), DMs.
 */
function routeKey(ev: BusEvent, dm?: Set<string>): string | undefined {
  if (dm || !ev.guild_id || !ev.channel_id || ev.user_ids) return undefined;
  if (ev.meta && (ev.meta.except_user !== undefined || ev.meta.required_permission !== undefined)) return undefined;
  if (ev.t === 'PRESENCE_UPDATE' || ev.t.startsWith('CHANNEL_')) return undefined;
  return `${ev.guild_id}:${ev.channel_id}:${intentOf(ev)}`;
}

/** Strips routing/meta: clients get `d` only. */
const encode = (d: unknown) => JSON.stringify(d ?? null);

/**
 * Decides, for each bus event, which local sessions receive it, and sends it: the payload is
 * encoded once per event and each session only wraps it in its own envelope. Runs inside the
 * gateway's serial queue, so guild reloads finish before the next event is routed.
 */
export class Fanout {
  private dmRecipients = new Map<string, Set<string>>();
  /** Recipients of plain channel events by guild + channel + intent (see `recipients`). */
  private routes = new Map<string, { state: GuildState; version: number; sessions: Session[] }>();
  private routesVersion = -1;

  constructor(private readonly gw: GatewayState) {}

  /** Process one live bus event (`id`: its log id on Redis). */
  async process(ev: BusEvent, id: string | undefined): Promise<void> {
    const meta = ev.meta ?? {};
    const gid = ev.guild_id ?? (meta.guild_id as string | undefined);
    const { cache } = this.gw;
    if (typeof meta.leave === 'string' && gid) cache.get(gid)?.removeMember(meta.leave);
    if (ev.t.startsWith('CHANNEL_') && ev.channel_id) this.dmRecipients.delete(ev.channel_id);
    if (ev.t === 'MESSAGE_CREATE' && gid && ev.channel_id) this.noteLastMessage(gid, ev.channel_id, (ev.d as { id?: unknown } | null)?.id);
    const member = MEMBER_EVENTS.has(ev.t) ? memberOf(ev) : undefined;
    if (gid && cache.has(gid) && member)
      await this.withDiff(gid, ev, async (state) => {
        if (member.roles) state.setMember(member.id, member.roles);
        else state.removeMember(member.id);
        return state;
      });
    else if (gid && ev.t === 'GUILD_CREATE' && typeof meta.join === 'string') {
      // The joiner arrives without roles; GUILD_MEMBER_ADD may already have added them.
      const state = cache.get(gid);
      if (state && !state.members.has(meta.join)) state.setMember(meta.join, []);
    } else if (gid && cache.has(gid) && (STRUCTURAL.has(ev.t) || meta.permissions_changed || meta.join))
      await this.withDiff(gid, ev, () => cache.load(gid));
    if (typeof meta.join === 'string' && gid && this.gw.byUser.has(meta.join) && !cache.has(gid)) await cache.load(gid);
    const dm = ev.channel_id && !ev.guild_id && !ev.user_ids && this.gw.byUser.size ? await this.recipientsOf(ev.channel_id) : undefined;
    if (ev.t === 'GUILD_CREATE' && typeof meta.join === 'string' && gid) await this.sendJoinGuildCreate(ev, meta.join, gid, id);
    else this.deliver(this.withPresenceUser(ev), id, dm);
    // Derived frames (not one per logged event): a takeover cannot rebuild them, so their sessions get a checkpoint.
    for (const peer of await this.peerUpdates(ev)) this.deliver(peer, undefined, undefined, true);
    const joined = await this.joinPresence(ev);
    if (joined) this.deliver(joined, undefined, undefined, true);
    if (typeof meta.drop_graced === 'string') await this.gw.dropGraced(meta.drop_graced);
    if (meta.deleted && gid) cache.drop(gid);
    if (typeof meta.leave === 'string' && gid) this.gw.dropUnusedGuilds();
  }

  /** Keeps cached channel rows' last_message_id current for CHANNEL_CREATE sent on regained sight. */
  private noteLastMessage(gid: string, channelId: string, messageId: unknown) {
    const c = this.gw.cache.get(gid)?.channels.get(channelId);
    if (c && typeof messageId === 'string') c.row = { ...c.row, lastMessageId: messageId };
  }

  /**
   * Rebuilds the frame one logged event gave a session that is being taken over from another
   * instance. Derived frames (peer updates, presences on join, visibility diffs) are not rebuilt:
   * the old owner checkpointed after them, and the takeover skips their sequence numbers.
   */
  async replay(session: Session, ev: BusEvent, id: string): Promise<void> {
    const meta = ev.meta ?? {};
    const gid = ev.guild_id ?? (meta.guild_id as string | undefined);
    const { log } = this.gw;
    if (ev.t === 'GUILD_CREATE' && meta.join === session.userId && gid) {
      const state = await this.gw.cache.ensure(gid);
      if (state && this.accepts(session, ev))
        session.dispatch(
          log.append(
            ev.t,
            encode(await buildGuildCreate(this.gw.ctx, this.gw.presence, state, session.userId, session.largeThreshold)),
            id,
          ),
        );
      return;
    }
    const dm = ev.channel_id && !ev.guild_id && !ev.user_ids ? await this.recipientsOf(ev.channel_id) : undefined;
    if (this.accepts(session, ev, dm)) session.dispatch(log.append(ev.t, encode(this.withPresenceUser(ev).d), id));
  }

  /**
   * A guild PRESENCE_UPDATE carries the whole public user (as Discord's may) where some session may
   * never have been sent the member: guilds above the lowest large_threshold. Smaller guilds keep
   * `{id}`, since every member went out in GUILD_CREATE. Decided once per event, never per session.
   */
  private withPresenceUser(ev: BusEvent): BusEvent {
    const user = ev.meta?.public_user;
    if (ev.t !== 'PRESENCE_UPDATE' || !user || !ev.guild_id) return ev;
    if ((this.gw.cache.get(ev.guild_id)?.members.size ?? 0) <= LARGE_THRESHOLD.min) return ev;
    return { ...ev, d: { ...(ev.d as object), user } };
  }

  /**
   * A member joined: the others learn the newcomer's current presence (if they are visible at
   * all), since no PRESENCE_UPDATE comes until the newcomer's status next changes.
   */
  private async joinPresence(ev: BusEvent): Promise<BusEvent | undefined> {
    const userId = ev.meta?.join;
    if (ev.t !== 'GUILD_MEMBER_ADD' || typeof userId !== 'string' || !ev.guild_id) return undefined;
    if (!this.gw.cache.has(ev.guild_id)) return undefined;
    const [presence] = await loadWirePresences(this.gw.presence, [userId], ev.guild_id);
    return presence ? { t: 'PRESENCE_UPDATE', d: presence, guild_id: ev.guild_id } : undefined;
  }

  /**
   * USER_UPDATE goes to the user's own sessions; everyone sharing a guild with them learns of the
   * new name/avatar through GUILD_MEMBER_UPDATE, one per shared guild (Discord's behaviour). One
   * query per guild per change, never per socket.
   */
  private async peerUpdates(ev: BusEvent): Promise<BusEvent[]> {
    const user = ev.t === 'USER_UPDATE' ? (ev.meta?.public_user as { id?: unknown } | undefined) : undefined;
    if (typeof user?.id !== 'string') return [];
    const out: BusEvent[] = [];
    for (const gid of [...this.gw.cache.ids()]) {
      if (!this.gw.cache.get(gid)?.members.has(user.id)) continue;
      const member = await loadWireMember(this.gw.ctx.db, gid, user.id);
      if (member) out.push({ t: 'GUILD_MEMBER_UPDATE', d: { ...member, guild_id: gid }, guild_id: gid, meta: { except_user: user.id } });
    }
    return out;
  }

  /**
   * Sends an event to every local session that may see it: the payload is encoded once into one
   * log entry, and each session's frame is that entry's shared bytes with its own `s` spliced in.
   */
  private deliver(ev: BusEvent, id: string | undefined, dm?: Set<string>, derived = false) {
    const to = derived ? this.select(ev, dm) : this.recipients(ev, dm);
    if (!to.length) return;
    const entry = this.gw.log.append(ev.t, encode(ev.d), id);
    for (const s of to) {
      s.dispatch(entry);
      if (derived) this.gw.derived(s);
    }
    entry.wire = undefined;
  }

  /** Local sessions that receive the event: candidates that pass `accepts`. */
  private select(ev: BusEvent, dm?: Set<string>): Session[] {
    const out: Session[] = [];
    for (const s of this.candidates(ev, dm)) if (this.accepts(s, ev, dm)) out.push(s);
    return out;
  }

  /**
   * `select`, remembered for plain guild-channel events (messages, reactions, typing…), whose
   * recipients depend only on the guild state, the channel, the intent and the set of sessions:
   * a busy channel's events reuse one list instead of checking every session per event. Any
   * membership/role change (state version), reload (new state) or session coming or going
   * (sessionsVersion, which also empties the map) makes the list be built again.
   */
  private recipients(ev: BusEvent, dm?: Set<string>): Session[] {
    const key = routeKey(ev, dm);
    const state = key === undefined ? undefined : this.gw.cache.get(ev.guild_id as string);
    if (!state || key === undefined) return this.select(ev, dm);
    if (this.routesVersion !== this.gw.sessionsVersion || this.routes.size >= MAX_ROUTES) {
      this.routes.clear();
      this.routesVersion = this.gw.sessionsVersion;
    }
    const hit = this.routes.get(key);
    if (hit && hit.state === state && hit.version === state.version) return hit.sessions;
    const sessions = this.select(ev, dm);
    this.routes.set(key, { state, version: state.version, sessions });
    return sessions;
  }

  /** Local sessions that might receive the event, before permission checks. */
  private *candidates(ev: BusEvent, dm?: Set<string>): Iterable<Session> {
    const { byUser, cache } = this.gw;
    let users: Iterable<string>;
    if (ev.user_ids) users = ev.user_ids;
    else if (dm) users = dm;
    else if (ev.guild_id) {
      const state = cache.get(ev.guild_id);
      if (!state) return;
      users = state.members.size < byUser.size ? state.members.keys() : [...byUser.keys()].filter((u) => state.members.has(u));
    } else return;
    for (const u of users) {
      const mine = byUser.get(u);
      if (mine) yield* mine;
    }
  }

  /** Whether this session may receive the event: targeting, shard, intents, membership, permissions. */
  accepts(s: Session, ev: BusEvent, dm?: Set<string>): boolean {
    if (s.intents !== null) {
      const need = intentOf(ev);
      if (need && !(s.intents & need)) return false;
    }
    if (ev.user_ids && !ev.user_ids.includes(s.userId)) return false;
    if (ev.meta?.except_user === s.userId) return false;
    // Like Discord, a user's own presence changes are not echoed to their sessions.
    if (ev.t === 'PRESENCE_UPDATE' && (ev.d as { user?: { id?: string } } | null)?.user?.id === s.userId) return false;
    if (ev.guild_id && !onShard(s.shard, ev.guild_id)) return false;
    if (ev.user_ids && !ev.channel_id) return true;
    if (ev.channel_id && !ev.guild_id) return !!dm?.has(s.userId) || !!ev.user_ids;
    if (!ev.guild_id) return false;
    const state = this.gw.cache.get(ev.guild_id);
    if (!state?.members.has(s.userId)) return false;
    const required = typeof ev.meta?.required_permission === 'string' ? BigInt(ev.meta.required_permission) : 0n;
    if (!ev.channel_id) return !required || (state.basePermissions(s.userId) & required) === required;
    const perms = this.channelPermissions(state, s.userId, ev);
    if (!(perms & Permissions.VIEW_CHANNEL)) return false;
    return !required || (perms & required) === required;
  }

  /**
   * Channel events carry the channel's overwrites: judge by those (a deleted channel is no longer
   * in the cache, and CHANNEL_DELETE must still reach everyone who could see it).
   */
  private channelPermissions(state: GuildState, userId: string, ev: BusEvent): bigint {
    const d = ev.d as { id?: string; permission_overwrites?: Array<{ id: string; type: number; allow: string; deny: string }> } | null;
    const overwrites = ev.t.startsWith('CHANNEL_') && d?.id === ev.channel_id ? d?.permission_overwrites : undefined;
    if (Array.isArray(overwrites)) {
      return state.channelPermissions(userId, toPermissionOverwrites(overwrites));
    }
    return state.permissionsIn(userId, ev.channel_id as string);
  }

  /**
   * Applies a change to a guild's state (a reload, or a member's roles) and tells members who stay in it about channels they gained or lost sight of
   * (CHANNEL_CREATE / CHANNEL_DELETE), except the event's own channel on create/delete, which the
   * event itself announces.
   */
  private async withDiff(gid: string, ev: BusEvent, change: (state: GuildState) => Promise<GuildState | undefined>) {
    const { cache, byUser } = this.gw;
    const old = cache.get(gid) as GuildState;
    const before = new Map<string, Set<string>>();
    for (const u of old.members.keys()) if (byUser.has(u)) before.set(u, new Set(old.visibleChannels(u)));
    const now = await change(old);
    if (!now) return;
    const skip = ev.t === 'CHANNEL_CREATE' || ev.t === 'CHANNEL_DELETE' ? ev.channel_id : undefined;
    const encoded = new Map<string, LogEntry>();
    const frame = (kind: 'CHANNEL_CREATE' | 'CHANNEL_DELETE', state: GuildState, cid: string) => {
      const key = kind + cid;
      let entry = encoded.get(key);
      if (!entry) {
        const c = state.channels.get(cid);
        if (!c) return undefined;
        entry = this.gw.log.append(kind, encode(toWireChannel(c.row, c.overwriteRows)));
        encoded.set(key, entry);
      }
      return entry;
    };
    const send = (sessions: Session[], entry: LogEntry | undefined) => {
      if (!entry) return;
      for (const s of sessions) {
        s.dispatch(entry);
        this.gw.derived(s);
      }
    };
    for (const [u, was] of before) {
      if (!now.members.has(u)) continue;
      const is = now.visibleChannels(u);
      const sessions = [...(byUser.get(u) ?? [])].filter(
        (s) => onShard(s.shard, gid) && (s.intents === null || s.intents & GatewayIntents.GUILDS),
      );
      for (const cid of was) send(sessions, cid !== skip && !is.has(cid) ? frame('CHANNEL_DELETE', old, cid) : undefined);
      for (const cid of is) send(sessions, cid !== skip && !was.has(cid) ? frame('CHANNEL_CREATE', now, cid) : undefined);
    }
    for (const entry of encoded.values()) entry.wire = undefined;
  }

  /** A user joined: each of their sessions gets a full GUILD_CREATE built for them (one per large_threshold in use). */
  private async sendJoinGuildCreate(ev: BusEvent, userId: string, gid: string, id: string | undefined) {
    const state = this.gw.cache.get(gid);
    const sessions = [...(this.gw.byUser.get(userId) ?? [])].filter((s) => this.accepts(s, ev));
    const entries = new Map<number, LogEntry>();
    for (const s of sessions) {
      let entry = entries.get(s.largeThreshold);
      if (!entry) {
        const json = state ? encode(await buildGuildCreate(this.gw.ctx, this.gw.presence, state, userId, s.largeThreshold)) : encode(ev.d);
        entry = this.gw.log.append(ev.t, json, id);
        entries.set(s.largeThreshold, entry);
      }
      s.dispatch(entry);
    }
    for (const entry of entries.values()) entry.wire = undefined;
  }

  /** DM recipients, cached until a CHANNEL_* event for that channel. One query per event, never per socket. */
  private async recipientsOf(channelId: string): Promise<Set<string>> {
    let set = this.dmRecipients.get(channelId);
    if (!set) {
      const rows = await this.gw.ctx.db
        .select({ userId: channelRecipients.userId })
        .from(channelRecipients)
        .where(eq(channelRecipients.channelId, channelId));
      set = new Set(rows.map((r) => r.userId));
      this.dmRecipients.set(channelId, set);
    }
    return set;
  }
}

/** The member an event is about: REMOVE → no roles (gone); ADD/UPDATE → their role ids. */
function memberOf(ev: BusEvent): { id: string; roles?: string[] } | undefined {
  const d = ev.d as { user?: { id?: string }; roles?: unknown } | null;
  const id = d?.user?.id;
  if (typeof id !== 'string') return undefined;
  if (ev.t === 'GUILD_MEMBER_REMOVE') return { id };
  return Array.isArray(d?.roles) ? { id, roles: d.roles as string[] } : undefined;
}
