import { randomBytes } from 'node:crypto';
import { GatewayCloseCodes, GatewayOpcodes } from '@retrocast/protocol';
import { eq } from 'drizzle-orm';
import { botTokenTag } from '../auth/tokens.js';
import type { AppContext, Caller } from '../context.js';
import { users } from '../db/schema.js';
import { type Activity, doSetSessionPresence, doSweepPresence, PRESENCE_TTL_MS } from '../presence/service.js';
import { createMemoryPresenceStore, createRedisPresenceStore, type PresenceStore, type SessionStatus } from '../presence/store.js';
import { runAfterReady, runSessionEnd } from './extensions.js';
import { Fanout } from './fanout.js';
import { GuildCache } from './guild-cache.js';
import { buildGuildCreate, buildReady, loadUserGuildIds, onShard } from './ready.js';
import { ReplayLog } from './replay-log.js';
import { Session } from './session.js';
import { type Checkpoint, createRedisSessionStore, type SessionStore } from './session-store.js';
import type { GatewayForConnections, GatewaySocket, IdentifyOptions } from './types.js';

/** Close codes after which a session cannot be resumed (client said goodbye, or auth/config errors). */
const FINAL_CLOSES = new Set([1000, 1001, 4004, 4010, 4011, 4012, 4013, 4014]);

export type { IdentifyOptions } from './types.js';

/**
 * The instance's gateway: live and recently disconnected sessions, the guild permission cache, and
 * one serial queue through which every bus event, IDENTIFY registration and cross-instance RESUME
 * passes, so each session sees events in log order with nothing skipped or doubled.
 */
export class Gateway implements GatewayForConnections {
  readonly instanceId = randomBytes(8).toString('hex');
  readonly sessions = new Map<string, Session>();
  readonly byUser = new Map<string, Set<Session>>();
  /** Bumped whenever a session is added to or removed from `byUser`. */
  sessionsVersion = 0;
  readonly connections = new Set<GatewaySocket>();
  /** Each session's last presence activities (op 3 / IDENTIFY), to tell a change from a repeat. */
  private readonly activities = new WeakMap<Session, Activity[]>();
  readonly cache: GuildCache;
  readonly fanout: Fanout;
  readonly log: ReplayLog;
  /** Sessions sent frames a takeover could not rebuild since their last checkpoint (Redis mode). */
  private unsynced = new Set<Session>();
  private flushQueued = false;
  /** Log id of the last bus event fully processed here (Redis mode). */
  doneId?: string;
  private queue: Promise<unknown> = Promise.resolve();
  private unsubscribe?: () => void;
  private timers: NodeJS.Timeout[] = [];
  private stopping = false;
  /** Dropped sessions still counting towards their user's presence (grace period), by user. */
  private graced = new Map<string, Set<Session>>();

  private constructor(
    readonly ctx: AppContext,
    readonly presence: PresenceStore,
    readonly store: SessionStore | null,
  ) {
    this.cache = new GuildCache(ctx.db);
    this.fanout = new Fanout(this);
    // A client may ask for frames it was sent up to a heartbeat before it dropped, then resume up to the window later.
    this.log = new ReplayLog(ctx.config.resumeWindowMs + 2 * ctx.config.heartbeatIntervalMs + 10_000);
  }

  static async create(ctx: AppContext): Promise<Gateway> {
    const { redisUrl, redisPrefix, resumeWindowMs } = ctx.config;
    const presence = redisUrl ? await createRedisPresenceStore(redisUrl, redisPrefix) : createMemoryPresenceStore();
    let gw: Gateway | undefined;
    const store = redisUrl ? await createRedisSessionStore(redisUrl, redisPrefix, resumeWindowMs + 30_000, (id) => gw?.lost(id)) : null;
    gw = new Gateway(ctx, presence, store);
    await gw.start();
    return gw;
  }

  private async start() {
    if (this.ctx.bus.lastId) this.doneId = await this.ctx.bus.lastId();
    this.unsubscribe = this.ctx.bus.subscribe((ev, id) => {
      this.enqueue(async () => {
        await this.fanout.process(ev, id);
        if (typeof ev.meta?.sessions_revoked === 'string') await this.endRevoked(ev.meta.sessions_revoked);
        if (id) this.doneId = id;
        this.flushCheckpoints();
      });
    });
    this.timers.push(setInterval(() => this.refresh(), PRESENCE_TTL_MS / 3).unref());
    this.timers.push(setInterval(() => void doSweepPresence(this.ctx, this.presence).catch(() => {}), 5_000).unref());
  }

  /** Runs `task` after everything queued before it; failures are logged, never break the queue. */
  enqueue<T>(task: () => Promise<T>): Promise<T> {
    const p = this.queue.then(task);
    this.queue = p.catch((err) => this.ctx.log.error({ err }, 'gateway task failed'));
    return p;
  }

  /** Keeps this instance's sessions and presences alive in the shared stores. */
  private refresh() {
    if (this.store) void this.enqueue(async () => this.checkpointAll());
    for (const s of this.sessions.values()) {
      if (s.socket || s.timers.grace) void this.presence.set(s.userId, s.id, s.status, PRESENCE_TTL_MS).catch(() => {});
    }
  }

  /**
   * Redis mode, inside the queue (where every session's seq matches `doneId`): a checkpoint for
   * each session that moved on since its last one, so a takeover rebuilds little; a touch for the rest.
   */
  private checkpointAll() {
    for (const s of this.sessions.values()) {
      if (s.ready && s.seq !== s.checkpointed) this.store?.checkpoint(s, s.seq, this.doneId ?? '0-0');
      else this.store?.touch(s);
    }
    this.unsynced.clear();
  }

  derived(s: Session) {
    if (this.store) this.unsynced.add(s);
  }

  /** Inside the queue: checkpoints the sessions that got frames the bus log cannot rebuild. */
  private flushCheckpoints() {
    if (!this.store || !this.unsynced.size) return;
    for (const s of this.unsynced) if (s.ready && this.sessions.get(s.id) === s) this.store.checkpoint(s, s.seq, this.doneId ?? '0-0');
    this.unsynced.clear();
  }

  sendTo(s: Session, t: string, dJson: string) {
    s.dispatch(this.log.append(t, dJson));
    if (!this.store) return;
    this.unsynced.add(s);
    // Sent outside the queue: the checkpoint is written from inside it, where seq and doneId agree.
    if (this.flushQueued) return;
    this.flushQueued = true;
    void this.enqueue(async () => {
      this.flushQueued = false;
      this.flushCheckpoints();
    });
  }

  private register(s: Session) {
    this.sessionsVersion++;
    this.sessions.set(s.id, s);
    const mine = this.byUser.get(s.userId) ?? new Set<Session>();
    this.byUser.set(s.userId, mine);
    mine.add(s);
  }

  private unregister(s: Session) {
    this.sessionsVersion++;
    s.clearTimers();
    this.ungrace(s);
    this.sessions.delete(s.id);
    const mine = this.byUser.get(s.userId);
    mine?.delete(s);
    if (mine?.size === 0) {
      this.byUser.delete(s.userId);
      this.dropUnusedGuilds();
    }
  }

  /** Forgets guild states no local session needs any more. */
  dropUnusedGuilds() {
    for (const gid of [...this.cache.ids()]) {
      const state = this.cache.get(gid);
      if (state && ![...state.members.keys()].some((u) => this.byUser.has(u))) this.cache.drop(gid);
    }
  }

  private async guildIdsOf(s: Session): Promise<string[]> {
    return (await loadUserGuildIds(this.ctx, s.userId)).filter((g) => onShard(s.shard, g));
  }

  private async ensureGuilds(ids: string[]) {
    for (const gid of ids) await this.cache.ensure(gid);
  }

  /** IDENTIFY: a new session, READY, one GUILD_CREATE per guild, then whatever happened meanwhile. */
  async identify(conn: GatewaySocket, who: Caller, opts: IdentifyOptions, gatewayUrl: string): Promise<void> {
    const session = new Session({ id: randomBytes(16).toString('hex'), userId: who.id, bot: who.bot, ...opts }, this.log);
    session.family = who.family;
    // Membership is read inside the queue: a join is then either in this list or delivered later.
    const { ids: guildIds, cursor } = await this.enqueue(async () => {
      const ids = await this.guildIdsOf(session);
      await this.ensureGuilds(ids);
      session.cursor = this.doneId;
      this.register(session);
      await this.store?.create(session, this.instanceId);
      return { ids, cursor: this.doneId };
    });
    if (!conn.open) return this.detach(session, 1000);
    session.socket = conn;
    conn.session = session;
    const ready = await buildReady(this.ctx, session, guildIds, gatewayUrl);
    if (!ready) return conn.close(GatewayCloseCodes.AUTHENTICATION_FAILED, 'Authentication failed.');
    // READY and the GUILD_CREATEs are sent and dropped (never kept for replay): the largest frames
    // a session gets, and a restart makes every client reconnect at once.
    session.dispatchNow(this.log.transient('READY', JSON.stringify(ready)));
    for (const gid of guildIds) {
      const state = this.cache.get(gid);
      if (state?.members.has(who.id))
        session.dispatchNow(
          this.log.transient(
            'GUILD_CREATE',
            JSON.stringify(await buildGuildCreate(this.ctx, this.presence, state, who.id, session.largeThreshold)),
          ),
        );
    }
    for (const ev of await runAfterReady(this.ctx, who.id)) session.dispatchNow(this.log.transient(ev.t, JSON.stringify(ev.d)));
    // What follows READY is rebuilt from the bus log after `cursor`, numbered from here.
    if (this.store) this.store.checkpoint(session, session.seq, cursor ?? '0-0');
    session.markReady();
    const activities = opts.activities ?? [];
    this.activities.set(session, activities);
    await doSetSessionPresence(this.ctx, this.presence, who.id, session.id, session.status, activities);
  }

  /** RESUME: replays every dispatch after `seq`, then RESUMED. Works for sessions of any instance (Redis). */
  async resume(conn: GatewaySocket, who: Caller, sessionId: string, seq: number): Promise<void> {
    let session = this.sessions.get(sessionId);
    if (!session && this.store) session = (await this.enqueue(() => this.takeOver(sessionId, who, seq))) ?? undefined;
    if (!session || session.userId !== who.id) return conn.invalidSession();
    const frames = session.framesAfter(seq);
    if (!frames || !conn.open) {
      // A session just taken over has no timers yet: it stays resumable for the usual window.
      if (!session.socket) this.detach(session, GatewayCloseCodes.UNKNOWN_ERROR);
      if (!frames) conn.close(GatewayCloseCodes.INVALID_SEQ, 'Invalid seq.');
      return;
    }
    const previous = session.socket;
    if (previous && previous !== conn) (previous as GatewaySocket).release();
    session.clearTimers();
    this.ungrace(session);
    session.socket = conn;
    session.family = who.family;
    conn.session = session;
    for (const [s, entry] of frames) conn.sendDispatch(entry, s);
    this.sendTo(session, 'RESUMED', '{}');
    await doSetSessionPresence(this.ctx, this.presence, who.id, session.id, session.status, this.activities.get(session));
  }

  /**
   * Claims a session another instance owned (maybe dead) and rebuilds what it missed: the log
   * since the session's cursor, up to what this instance has processed, through the same routing
   * rules. Later events arrive through the queue as usual. Runs inside the queue.
   */
  private async takeOver(sessionId: string, who: Caller, clientSeq: number): Promise<Session | null> {
    const bus = this.ctx.bus;
    if (!this.store || !bus.readSince) return null;
    const rec = await this.store.claim(sessionId, this.instanceId, who.id);
    if (!rec) return null;
    // Rebuild from the newest checkpoint the client has seen past (frames before it were READY etc.).
    const start = rec.checkpoints.filter((c) => c.seq <= clientSeq).pop();
    if (!start) return null;
    const later: Checkpoint[] = rec.checkpoints.filter((c) => c.seq > start.seq && compareIds(c.cursor, start.cursor) >= 0);
    const session = new Session({ ...rec, seq: start.seq, cursor: start.cursor }, this.log);
    await this.ensureGuilds(await this.guildIdsOf(session));
    this.register(session);
    const done = this.doneId ?? '0-0';
    let next = 0;
    // At each later checkpoint the numbering lines up with what the old owner sent (frames it
    // could not log, e.g. member chunks, are skipped, not renumbered).
    const catchUp = (upTo: string, inclusive: boolean) => {
      for (; next < later.length; next++) {
        const c = compareIds(later[next].cursor, upTo);
        if (c > 0 || (c === 0 && !inclusive)) break;
        session.jumpTo(later[next].seq);
      }
    };
    for (const { id, event } of await bus.readSince(start.cursor)) {
      if (compareIds(id, done) > 0) break;
      catchUp(id, false);
      await this.fanout.replay(session, event, id);
    }
    catchUp(done, true);
    this.store.checkpoint(session, session.seq, done);
    return session;
  }

  /** The connection is gone: keep the session for the resume window, show presence for the grace period. */
  detach(s: Session, code: number) {
    if (this.sessions.get(s.id) !== s) return;
    s.socket = null;
    s.detachedAt = Date.now();
    s.clearTimers();
    // Shutting down: the session stays in Redis for another instance to resume; nothing to time here.
    if (this.stopping) return;
    const { presenceGraceMs, resumeWindowMs } = this.ctx.config;
    s.timers.grace = setTimeout(
      () => void this.graceOver(s).catch((err) => this.ctx.log.error({ err }, 'presence grace failed')),
      presenceGraceMs,
    ).unref();
    this.graced.set(s.userId, (this.graced.get(s.userId) ?? new Set()).add(s));
    if (FINAL_CLOSES.has(code)) void this.end(s).catch((err) => this.ctx.log.error({ err }, 'session end failed'));
    else
      s.timers.expire = setTimeout(
        () => void this.end(s).catch((err) => this.ctx.log.error({ err }, 'session end failed')),
        resumeWindowMs,
      ).unref();
  }

  /** Grace is over and the session is still disconnected: it stops counting towards presence. */
  private async graceOver(s: Session) {
    s.timers.grace = undefined;
    this.ungrace(s);
    if (s.socket && this.sessions.get(s.id) === s) return;
    // Claimed by another instance in the meantime: the new owner keeps its presence.
    if (this.store && !s.ended && !(await this.store.isOwner(s.id, this.instanceId))) return;
    await doSetSessionPresence(this.ctx, this.presence, s.userId, s.id, null).catch((err) =>
      this.ctx.log.error({ err }, 'presence update failed'),
    );
  }

  /** The session can no longer be resumed. Its presence still waits out the grace period. */
  private async end(s: Session) {
    const graceLeft = s.timers.grace ? Math.max(0, this.ctx.config.presenceGraceMs - (Date.now() - s.detachedAt)) : -1;
    this.unregister(s);
    s.ended = true;
    if (graceLeft >= 0) {
      s.timers.grace = setTimeout(() => void this.graceOver(s).catch(() => {}), graceLeft).unref();
      this.graced.set(s.userId, (this.graced.get(s.userId) ?? new Set()).add(s));
    }
    await this.store?.remove(s.id, this.instanceId);
    await runSessionEnd(this.ctx, s.id, s.userId);
  }

  /**
   * Some of the user's logins were revoked (logout, password change, account disabled or deleted):
   * their sessions here close with 4004 and cannot be resumed; the user's other sessions stay.
   */
  private async endRevoked(userId: string) {
    const sessions = [...(this.byUser.get(userId) ?? [])];
    // A bot's token was reset or the bot deleted: sessions of any other token end.
    const botTag = sessions.some((s) => s.bot) ? await loadBotTokenTag(this.ctx, userId) : null;
    for (const s of sessions) {
      const tokenOk = !s.bot || (botTag !== null && s.family === botTag);
      if (tokenOk && (await this.ctx.sessions.allows(userId, s.bot ? undefined : s.family))) continue;
      const socket = s.socket as GatewaySocket | null;
      if (socket) socket.close(GatewayCloseCodes.AUTHENTICATION_FAILED, 'Authentication failed.');
      else await this.end(s);
    }
  }

  /** Another instance claimed this session: forget it here without touching shared state. */
  private lost(sessionId: string) {
    const s = this.sessions.get(sessionId);
    if (!s) return;
    this.unregister(s);
    (s.socket as GatewaySocket | null)?.release();
  }

  private ungrace(s: Session) {
    const mine = this.graced.get(s.userId);
    mine?.delete(s);
    if (mine?.size === 0) this.graced.delete(s.userId);
  }

  /**
   * op 3. The user's dropped sessions still in their grace period stop counting at once: the user
   * is evidently here, and others must see the new status now, not when the old grace ends. (A
   * resume puts such a session back.) With Redis other instances drop theirs on the bus hint.
   */
  async setStatus(s: Session, status: SessionStatus, activities?: Activity[]) {
    s.status = status;
    this.store?.touch(s);
    const before = this.activities.get(s) ?? [];
    const key = (list: Activity[]) => JSON.stringify(list.map(({ created_at: _t, ...a }) => a));
    // The same activities again keep their start time, so the store sees no change.
    const now = activities && key(activities) !== key(before) ? activities : before;
    this.activities.set(s, now);
    await doSetSessionPresence(this.ctx, this.presence, s.userId, s.id, status, now);
    await this.dropGraced(s.userId);
    if (this.store) await this.ctx.bus.publish({ t: 'PRESENCE_GRACE_DROP', d: null, meta: { drop_graced: s.userId } });
  }

  /** Ends the grace period of this user's dropped sessions here now; runs for `meta.drop_graced` too. */
  async dropGraced(userId: string) {
    for (const ghost of [...(this.graced.get(userId) ?? [])]) {
      this.ungrace(ghost);
      if (!ghost.timers.grace) continue;
      clearTimeout(ghost.timers.grace);
      ghost.timers.grace = undefined;
      await doSetSessionPresence(this.ctx, this.presence, userId, ghost.id, null);
    }
  }

  /** Shutdown: every client is told to RECONNECT (and will RESUME elsewhere or here after restart). */
  async stop() {
    this.stopping = true;
    this.unsubscribe?.();
    for (const t of this.timers) clearInterval(t);
    for (const c of this.connections) c.reconnect();
    await this.queue.catch(() => {});
    // The sessions stay resumable elsewhere: record how far each one got.
    for (const s of this.sessions.values()) if (s.ready && s.seq !== s.checkpointed) this.store?.checkpoint(s, s.seq, this.doneId ?? '0-0');
    for (const s of this.sessions.values()) s.clearTimers();
    await this.store?.flush().catch(() => {});
    await this.store?.close();
    await this.presence.close();
  }
}

/** The tag of a bot's current token (null: deleted, no token). */
async function loadBotTokenTag(ctx: AppContext, userId: string): Promise<string | null> {
  const [row] = await ctx.db.select({ hash: users.botTokenHash }).from(users).where(eq(users.id, userId)).limit(1);
  return row?.hash ? botTokenTag(row.hash) : null;
}

/** Orders Redis stream ids ("ms-seq"). */
export function compareIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(BigInt);
  const [bm, bs] = b.split('-').map(BigInt);
  return am !== bm ? (am < bm ? -1 : 1) : as === bs ? 0 : as < bs ? -1 : 1;
}

export { GatewayOpcodes };
