/** A session's chosen status; `offline` is only ever an aggregate (what others see). */
export type SessionStatus = 'online' | 'idle' | 'dnd' | 'invisible';
export type VisibleStatus = 'online' | 'idle' | 'dnd' | 'offline';

/** A presence activity as relayed: "Playing dice" is `{name: 'dice', type: 0}`; custom status is type 4 with `state`. */
export interface Activity {
  name: string;
  type: number;
  state?: string;
  details?: string;
  url?: string;
  created_at?: number;
}

/** Most present first: a user with an online session and an idle one shows online. */
const RANK: Record<string, number> = { online: 4, dnd: 3, idle: 2, invisible: 1 };

/** What others see for a set of session statuses: the most present; invisible reads as offline. */
export function aggregateStatus(statuses: Iterable<string>): VisibleStatus {
  let best = '';
  for (const s of statuses) if ((RANK[s] ?? 0) > (RANK[best] ?? 0)) best = s;
  return best === '' || best === 'invisible' ? 'offline' : (best as VisibleStatus);
}

/**
 * Per-session statuses of every user and their aggregate, shared by all instances. Each entry
 * expires unless its owner refreshes it, so sessions of a crashed instance go offline on their own
 * (`sweep`). Writes return the new aggregate only when it changed, so exactly one caller — the one
 * whose write flipped it — announces the change.
 */
export interface PresenceStore {
  /** Set (or with `status` null, remove) one session's status. Returns the new aggregate if it changed. */
  set(userId: string, sessionId: string, status: SessionStatus | null, ttlMs: number): Promise<VisibleStatus | null>;
  /** Aggregates of these users; users who are offline are left out. */
  get(userIds: string[]): Promise<Map<string, VisibleStatus>>;
  /**
   * Sets the activities one session shows. Others see the activities of the session that set them
   * last; an empty list (or the session ending) clears them only when this session is that one, so
   * a web tab changing its status does not wipe the game a bot or another device set. Returns true
   * when what others see changed.
   */
  setActivities(userId: string, sessionId: string, list: Activity[]): Promise<boolean>;
  /** Current activities of these users; users without any are left out. */
  activities(userIds: string[]): Promise<Map<string, Activity[]>>;
  /** Drops expired session entries (and their activities); returns users whose aggregate changed. */
  sweep(): Promise<Array<{ userId: string; status: VisibleStatus }>>;
  close(): Promise<void>;
}

export function createMemoryPresenceStore(): PresenceStore {
  const sessions = new Map<string, Map<string, { status: SessionStatus; expires: number }>>();
  const agg = new Map<string, VisibleStatus>();
  const acts = new Map<string, { sessionId: string; list: Activity[] }>();
  const recompute = (userId: string): VisibleStatus | null => {
    const now = aggregateStatus([...(sessions.get(userId)?.values() ?? [])].map((e) => e.status));
    if ((agg.get(userId) ?? 'offline') === now) return null;
    if (now === 'offline') agg.delete(userId);
    else agg.set(userId, now);
    return now;
  };
  return {
    async set(userId, sessionId, status, ttlMs) {
      const mine = sessions.get(userId) ?? new Map<string, { status: SessionStatus; expires: number }>();
      sessions.set(userId, mine);
      if (status) mine.set(sessionId, { status, expires: Date.now() + ttlMs });
      else mine.delete(sessionId);
      if (mine.size === 0) sessions.delete(userId);
      return recompute(userId);
    },
    async get(userIds) {
      const out = new Map<string, VisibleStatus>();
      for (const id of userIds) {
        const s = agg.get(id);
        if (s) out.set(id, s);
      }
      return out;
    },
    async setActivities(userId, sessionId, list) {
      const cur = acts.get(userId);
      if (list.length === 0) return cur?.sessionId === sessionId && acts.delete(userId);
      if (cur?.sessionId === sessionId && JSON.stringify(cur.list) === JSON.stringify(list)) return false;
      acts.set(userId, { sessionId, list });
      return true;
    },
    async activities(userIds) {
      const out = new Map<string, Activity[]>();
      for (const id of userIds) {
        const a = acts.get(id);
        if (a) out.set(id, a.list);
      }
      return out;
    },
    async sweep() {
      const now = Date.now();
      const changed: Array<{ userId: string; status: VisibleStatus }> = [];
      for (const [userId, mine] of sessions) {
        for (const [sid, e] of mine)
          if (e.expires <= now) {
            mine.delete(sid);
            if (acts.get(userId)?.sessionId === sid) acts.delete(userId);
          }
        if (mine.size === 0) sessions.delete(userId);
        const status = recompute(userId);
        if (status) changed.push({ userId, status });
      }
      return changed;
    },
    async close() {},
  };
}

// Aggregation in Lua so that set/sweep and the "did it change" answer are one atomic step.
const AGGREGATE = `
local function aggregate(key)
  local rank = { online = 4, dnd = 3, idle = 2, invisible = 1 }
  local best, bestRank = 'offline', 0
  local vals = redis.call('HVALS', key)
  for _, v in ipairs(vals) do
    local r = rank[v] or 0
    if r > bestRank then best, bestRank = v, r end
  end
  if best == 'invisible' then return 'offline' end
  return best
end
local function publishIfChanged(aggKey, uid, sessKey)
  local now = aggregate(sessKey)
  local old = redis.call('HGET', aggKey, uid) or 'offline'
  if old == now then return false end
  if now == 'offline' then redis.call('HDEL', aggKey, uid) else redis.call('HSET', aggKey, uid, now) end
  return now
end
`;

// KEYS: sessions hash of the user, aggregate hash, expiry zset. ARGV: uid, sid, status|'', expiresAt
const SET_SCRIPT = `${AGGREGATE}
local member = ARGV[1] .. ':' .. ARGV[2]
if ARGV[3] == '' then
  redis.call('HDEL', KEYS[1], ARGV[2])
  redis.call('ZREM', KEYS[3], member)
else
  redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
  redis.call('ZADD', KEYS[3], ARGV[4], member)
end
return publishIfChanged(KEYS[2], ARGV[1], KEYS[1])`;

// KEYS: aggregate hash, expiry zset, activities hash. ARGV: now, key prefix of per-user session hashes
const SWEEP_SCRIPT = `${AGGREGATE}
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, 500)
local out = {}
for _, member in ipairs(expired) do
  local uid, sid = string.match(member, '^([^:]+):(.+)$')
  local sessKey = ARGV[2] .. uid
  redis.call('HDEL', sessKey, sid)
  redis.call('ZREM', KEYS[2], member)
  local act = redis.call('HGET', KEYS[3], uid)
  if act and string.sub(act, 1, #sid + 1) == sid .. '\\n' then redis.call('HDEL', KEYS[3], uid) end
  local changed = publishIfChanged(KEYS[1], uid, sessKey)
  if changed then table.insert(out, uid); table.insert(out, changed) end
end
return out`;

// Activities per user as "<session id>\n<json>". KEYS: activities hash. ARGV: uid, sid, json|''
const ACTIVITIES_SCRIPT = `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if ARGV[3] == '' then
  if cur and string.sub(cur, 1, #ARGV[2] + 1) == ARGV[2] .. '\\n' then redis.call('HDEL', KEYS[1], ARGV[1]) return 1 end
  return 0
end
local v = ARGV[2] .. '\\n' .. ARGV[3]
if cur == v then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], v)
return 1`;

export async function createRedisPresenceStore(url: string, prefix: string): Promise<PresenceStore> {
  // Loaded only with REDIS_URL: ioredis costs start-up time and memory (bench/README.md, issue 16).
  const { Redis } = await import('ioredis');
  // No offline queue: during an outage a command fails at once instead of hanging (see session-store.ts).
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
  redis.on('error', () => {});
  await redis.connect();
  const sessKey = `${prefix}:presence:s:`;
  const aggKey = `${prefix}:presence:agg`;
  const expKey = `${prefix}:presence:exp`;
  const actKey = `${prefix}:presence:act`;
  return {
    async set(userId, sessionId, status, ttlMs) {
      const r = await redis.eval(
        SET_SCRIPT,
        3,
        sessKey + userId,
        aggKey,
        expKey,
        userId,
        sessionId,
        status ?? '',
        String(Date.now() + ttlMs),
      );
      return (r as VisibleStatus | null) || null;
    },
    async get(userIds) {
      const out = new Map<string, VisibleStatus>();
      if (userIds.length === 0) return out;
      const vals = await redis.hmget(aggKey, ...userIds);
      userIds.forEach((id, i) => {
        if (vals[i]) out.set(id, vals[i] as VisibleStatus);
      });
      return out;
    },
    async setActivities(userId, sessionId, list) {
      const json = list.length ? JSON.stringify(list) : '';
      return (await redis.eval(ACTIVITIES_SCRIPT, 1, actKey, userId, sessionId, json)) === 1;
    },
    async activities(userIds) {
      const out = new Map<string, Activity[]>();
      if (userIds.length === 0) return out;
      const vals = await redis.hmget(actKey, ...userIds);
      userIds.forEach((id, i) => {
        const v = vals[i];
        if (v) out.set(id, JSON.parse(v.slice(v.indexOf('\n') + 1)) as Activity[]);
      });
      return out;
    },
    async sweep() {
      const flat = (await redis.eval(SWEEP_SCRIPT, 3, aggKey, expKey, actKey, String(Date.now()), sessKey)) as string[];
      const out: Array<{ userId: string; status: VisibleStatus }> = [];
      for (let i = 0; i < flat.length; i += 2) out.push({ userId: flat[i], status: flat[i + 1] as VisibleStatus });
      return out;
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
