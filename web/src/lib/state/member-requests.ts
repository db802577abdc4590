/**
 * Members of large guilds, fetched on demand with op 8 REQUEST_GUILD_MEMBERS (Discord's lazy
 * member loading). The GUILD_MEMBERS_CHUNK answers go through the reducers like every dispatch
 * (they merge into the guild's members); this only sends requests and tells callers when their
 * chunks have all arrived. Forgotten on READY: a new session's GUILD_CREATE starts over.
 */
import type { Member } from '../api/types';
import type { Dispatch } from '../gateway/socket';

type Send = (d: Record<string, unknown>) => void;

interface Pending {
  members: Member[];
  seen: number;
  done: (r: { members: Member[]; complete: boolean }) => void;
  timer: ReturnType<typeof setTimeout>;
}

/** Ids per op 8 `user_ids` request (Discord's limit). */
const MAX_IDS = 100;
/** A request whose chunks do not all arrive (socket dropped) resolves with what came. */
const TIMEOUT_MS = 10_000;

export class MemberRequests {
  private pending = new Map<string, Pending>();
  private counter = 0;
  /** Guilds whose whole member list was fetched (or is being fetched) since READY. */
  private everyone = new Map<string, Promise<Member[]>>();
  /** `guild:user` pairs asked for by id since READY (found or not: never asked twice). */
  private asked = new Set<string>();
  private queued = new Map<string, Set<string>>();
  private flushTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly send: Send) {}

  /** Feed every dispatch: chunks complete requests; READY forgets what was fetched. */
  apply({ t, d }: Dispatch) {
    if (t === 'READY') {
      this.everyone.clear();
      this.asked.clear();
      return;
    }
    if (t === 'GUILD_CREATE') this.everyone.delete(d.id);
    if (t !== 'GUILD_MEMBERS_CHUNK' || typeof d.nonce !== 'string') return;
    const p = this.pending.get(d.nonce);
    if (!p) return;
    p.members.push(...(d.members as Member[]));
    if (++p.seen >= d.chunk_count) this.finish(d.nonce, true);
  }

  /** Sends one op 8; resolves with every member its chunks carried (`complete`: all chunks came). */
  private send8(guildId: string, params: Record<string, unknown>): Promise<{ members: Member[]; complete: boolean }> {
    const nonce = `m${Date.now().toString(36)}${(this.counter++).toString(36)}`;
    return new Promise((done) => {
      const timer = setTimeout(() => this.finish(nonce, false), TIMEOUT_MS);
      this.pending.set(nonce, { members: [], seen: 0, done, timer });
      this.send({ guild_id: guildId, ...params, nonce });
    });
  }

  /** Every member of the guild (query "" + limit 0), once per session (again if it did not complete). */
  loadAll(guildId: string): Promise<Member[]> {
    let p = this.everyone.get(guildId);
    if (!p) {
      p = this.send8(guildId, { query: '', limit: 0, presences: true }).then((r) => {
        if (!r.complete) this.everyone.delete(guildId);
        return r.members;
      });
      this.everyone.set(guildId, p);
    }
    return p;
  }

  /** Whether the whole list was asked for since READY. */
  loadingAll(guildId: string): boolean {
    return this.everyone.has(guildId);
  }

  /** Members whose username, display name or nickname starts with `prefix` (at most `limit`). */
  async search(guildId: string, prefix: string, limit = 10): Promise<Member[]> {
    return (await this.send8(guildId, { query: prefix, limit })).members;
  }

  /** Asks for these members by id, batched (≤ 100 per request) a moment later; each id once per session. */
  want(guildId: string, userIds: Iterable<string>) {
    let q = this.queued.get(guildId);
    for (const id of userIds) {
      const key = `${guildId}:${id}`;
      if (this.asked.has(key)) continue;
      this.asked.add(key);
      if (!q) this.queued.set(guildId, (q = new Set()));
      q.add(id);
    }
    if (q?.size && !this.flushTimer) this.flushTimer = setTimeout(() => this.flush(), 50);
  }

  private flush() {
    this.flushTimer = null;
    for (const [guildId, ids] of this.queued) {
      const list = [...ids];
      for (let i = 0; i < list.length; i += MAX_IDS) {
        const batch = list.slice(i, i + MAX_IDS);
        // Unanswered (the socket was down): these may be asked for again.
        void this.send8(guildId, { user_ids: batch }).then((r) => {
          if (!r.complete) for (const id of batch) this.asked.delete(`${guildId}:${id}`);
        });
      }
    }
    this.queued.clear();
  }

  private finish(nonce: string, complete: boolean) {
    const p = this.pending.get(nonce);
    if (!p) return;
    this.pending.delete(nonce);
    clearTimeout(p.timer);
    p.done({ members: p.members, complete });
  }
}
