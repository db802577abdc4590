import type { SessionStatus } from '../presence/store.js';
import type { Session, SessionInit } from './session.js';

/** Checkpoints kept per session: enough to reach back past a client's last acknowledged frame. */
const CHECKPOINTS = 16;

/**
 * A point in a session's stream: once every bus event up to log id `cursor` was handled, the
 * session's sequence number was `seq`. Frames between two checkpoints are rebuilt from the bus log.
 */
export interface Checkpoint {
  seq: number;
  cursor: string;
}

export interface ClaimedSession extends SessionInit {
  /** Oldest first. */
  checkpoints: Checkpoint[];
}

/**
 * Sessions in Redis, so that any instance can resume any session (only with REDIS_URL; without it
 * sessions live in the process that owns them).
 *
 * Per session: a hash `gw:s:<id>` {user_id, owner, status, bot, intents, shard, large_threshold} and a list
 * `gw:k:<id>` of its last checkpoints "<seq> <cursor>", newest first. Frames are never written:
 * the owner writes a checkpoint only after frames that cannot be rebuilt from the bus log (READY,
 * member chunks, RESUMED, visibility diffs…), on its periodic touch when the session moved on, and
 * at shutdown. Every write first checks that this instance still owns the session. `claim` makes
 * another instance the owner atomically, after which the old owner's writes are refused.
 */
export interface SessionStore {
  create(session: Session, ownerId: string): Promise<void>;
  /** Fire-and-forget, ordered; `onLost` runs when the write was refused (someone else owns it). */
  checkpoint(session: Session, seq: number, cursor: string): void;
  /** Keeps the session alive. */
  touch(session: Session): void;
  /** Takes the session over if it exists and belongs to `userId`. */
  claim(sessionId: string, ownerId: string, userId: string): Promise<ClaimedSession | null>;
  isOwner(sessionId: string, ownerId: string): Promise<boolean>;
  /** Deletes the session if this instance still owns it. */
  remove(sessionId: string, ownerId: string): Promise<void>;
  /** Resolves once every write issued so far has reached Redis. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

// 0: another instance owns it; 2: the record is gone (Redis restarted without its data).
const CHECKPOINT = `
local o = redis.call('HGET', KEYS[1], 'owner')
if o == false then return 2 end
if o ~= ARGV[1] then return 0 end
redis.call('LPUSH', KEYS[2], ARGV[2])
redis.call('LTRIM', KEYS[2], 0, tonumber(ARGV[3]) - 1)
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
return 1`;

const TOUCH = `
local o = redis.call('HGET', KEYS[1], 'owner')
if o == false then return 2 end
if o ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return 1`;

const CLAIM = `
if redis.call('HGET', KEYS[1], 'user_id') ~= ARGV[3] then return false end
redis.call('HSET', KEYS[1], 'owner', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return { redis.call('HGETALL', KEYS[1]), redis.call('LRANGE', KEYS[2], 0, -1) }`;

// Writes the record again only if it is still missing (several writes may notice at once).
const RESEED = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1`;

const REMOVE = `
if redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1], KEYS[2])
return 1`;

export async function createRedisSessionStore(
  url: string,
  prefix: string,
  ttlMs: number,
  onLost: (sessionId: string) => void,
): Promise<SessionStore> {
  // Loaded only with REDIS_URL: ioredis costs start-up time and memory (bench/README.md, issue 16).
  const { Redis } = await import('ioredis');
  // No offline queue: during an outage a command fails at once ("Stream isn't writeable" → 503)
  // instead of waiting in memory for a reconnect. Outages are reported by the bus and /healthz.
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
  redis.on('error', () => {});
  await redis.connect();
  // EVALSHA instead of sending each script every time.
  const scripts = { gwCheckpoint: CHECKPOINT, gwTouch: TOUCH, gwClaim: CLAIM, gwRemove: REMOVE, gwReseed: RESEED };
  for (const [name, lua] of Object.entries(scripts)) redis.defineCommand(name, { numberOfKeys: 2, lua });
  const run = redis as unknown as Record<keyof typeof scripts, (...args: string[]) => Promise<unknown>>;
  const h = (id: string) => `${prefix}:gw:s:${id}`;
  const k = (id: string) => `${prefix}:gw:k:${id}`;
  let owner = '';
  const fields = (s: Session, ownerId: string) => ({
    user_id: s.userId,
    owner: ownerId,
    status: s.status,
    bot: s.bot ? '1' : '0',
    intents: s.intents === null ? '' : String(s.intents),
    shard: s.shard ? s.shard.join(',') : '',
    large_threshold: String(s.largeThreshold),
  });
  /** Refused: someone else owns it now. Missing: Redis lost it; this instance still serves it, so write it back. */
  const lostIf = (s: Session) => (r: unknown) => {
    if (r === 0) onLost(s.id);
    if (r === 2) run.gwReseed(h(s.id), k(s.id), String(ttlMs), ...Object.entries(fields(s, owner)).flat()).catch(fail);
  };
  const fail = () => {};
  return {
    async create(s, ownerId) {
      owner = ownerId;
      await redis.multi().del(k(s.id)).hset(h(s.id), fields(s, ownerId)).pexpire(h(s.id), ttlMs).exec();
    },
    checkpoint(s, seq, cursor) {
      s.checkpointed = seq;
      run.gwCheckpoint(h(s.id), k(s.id), owner, `${seq} ${cursor}`, String(CHECKPOINTS), String(ttlMs)).then(lostIf(s), fail);
    },
    touch(s) {
      run.gwTouch(h(s.id), k(s.id), owner, String(ttlMs)).then(lostIf(s), fail);
    },
    async claim(sessionId, ownerId, userId) {
      owner = ownerId;
      const r = (await run.gwClaim(h(sessionId), k(sessionId), ownerId, String(ttlMs), userId)) as [string[], string[]] | null;
      if (!r) return null;
      const f: Record<string, string> = {};
      for (let i = 0; i < r[0].length; i += 2) f[r[0][i]] = r[0][i + 1];
      const checkpoints = r[1]
        .map((line): Checkpoint => {
          const sp = line.indexOf(' ');
          return { seq: Number(line.slice(0, sp)), cursor: line.slice(sp + 1) };
        })
        .reverse();
      return {
        id: sessionId,
        userId: f.user_id,
        bot: f.bot === '1',
        intents: f.intents ? Number(f.intents) : null,
        shard: f.shard ? (f.shard.split(',').map(Number) as [number, number]) : null,
        status: (f.status || 'online') as SessionStatus,
        largeThreshold: f.large_threshold ? Number(f.large_threshold) : undefined,
        checkpoints,
      };
    },
    async isOwner(sessionId, ownerId) {
      return (await redis.hget(h(sessionId), 'owner')) === ownerId;
    },
    async remove(sessionId, ownerId) {
      await run.gwRemove(h(sessionId), k(sessionId), ownerId);
    },
    async flush() {
      await redis.ping();
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
