import { Redis } from 'ioredis';
import type { SessionStatus } from '../presence/store.js';
import { REPLAY_LIMIT, type Session, type SessionInit } from './session.js';

/**
 * Sessions in Redis, so that any instance can resume any session (only with REDIS_URL; without it
 * sessions live in the process that owns them).
 *
 * Per session: a hash `gw:s:<id>` {user_id, owner, seq, cursor, status, bot, intents, shard} and a
 * list `gw:b:<id>` of its last frames as "<seq> <frame>". The owning instance appends every frame
 * it sequences, together with the new seq and cursor (the log id of the bus event that produced
 * it), in one script that first checks it is still the owner. `claim` makes another instance the
 * owner atomically and returns the state, after which the old owner's writes are refused.
 */
export interface SessionStore {
  create(session: Session, ownerId: string): Promise<void>;
  /** Fire-and-forget, ordered; `onLost` runs when the write was refused (someone else owns it). */
  append(session: Session, seq: number, frame: string, cursor: string | undefined): void;
  /** Keeps the session alive and records that every event up to `cursor` has been handled. */
  touch(session: Session, cursor: string | undefined): void;
  /** Takes the session over if it exists and belongs to `userId`. */
  claim(sessionId: string, ownerId: string, userId: string): Promise<SessionInit | null>;
  isOwner(sessionId: string, ownerId: string): Promise<boolean>;
  /** Deletes the session if this instance still owns it. */
  remove(sessionId: string, ownerId: string): Promise<void>;
  /** Resolves once every write issued so far has reached Redis. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

// 0: another instance owns it; 2: the record is gone (Redis restarted without its data).
const APPEND = `
local o = redis.call('HGET', KEYS[1], 'owner')
if o == false then return 2 end
if o ~= ARGV[1] then return 0 end
redis.call('RPUSH', KEYS[2], ARGV[2] .. ' ' .. ARGV[4])
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[5]), -1)
redis.call('HSET', KEYS[1], 'seq', ARGV[2])
if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], 'cursor', ARGV[3]) end
redis.call('PEXPIRE', KEYS[1], ARGV[6])
redis.call('PEXPIRE', KEYS[2], ARGV[6])
return 1`;

const TOUCH = `
local o = redis.call('HGET', KEYS[1], 'owner')
if o == false then return 2 end
if o ~= ARGV[1] then return 0 end
if ARGV[2] ~= '' then redis.call('HSET', KEYS[1], 'cursor', ARGV[2]) end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return 1`;

const CLAIM = `
if redis.call('HGET', KEYS[1], 'user_id') ~= ARGV[3] then return false end
redis.call('HSET', KEYS[1], 'owner', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return { redis.call('HGETALL', KEYS[1]), redis.call('LRANGE', KEYS[2], 0, -1) }`;

// Writes the record again only if it is still missing (several appends may notice at once).
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
  // No offline queue: during an outage a command fails at once ("Stream isn't writeable" → 503)
  // instead of waiting in memory for a reconnect. Outages are reported by the bus and /healthz.
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
  redis.on('error', () => {});
  await redis.connect();
  // EVALSHA instead of sending each script with every frame.
  const scripts = { gwAppend: APPEND, gwTouch: TOUCH, gwClaim: CLAIM, gwRemove: REMOVE, gwReseed: RESEED };
  for (const [name, lua] of Object.entries(scripts)) redis.defineCommand(name, { numberOfKeys: 2, lua });
  const run = redis as unknown as Record<keyof typeof scripts, (...args: string[]) => Promise<unknown>>;
  const h = (id: string) => `${prefix}:gw:s:${id}`;
  const b = (id: string) => `${prefix}:gw:b:${id}`;
  let owner = '';
  const fields = (s: Session, ownerId: string) => ({
    user_id: s.userId,
    owner: ownerId,
    seq: String(s.seq),
    cursor: s.cursor ?? '',
    status: s.status,
    bot: s.bot ? '1' : '0',
    intents: s.intents === null ? '' : String(s.intents),
    shard: s.shard ? s.shard.join(',') : '',
  });
  /** Refused: someone else owns it now. Missing: Redis lost it; this instance still serves it, so write it back. */
  const lostIf = (s: Session) => (r: unknown) => {
    if (r === 0) onLost(s.id);
    if (r === 2) run.gwReseed(h(s.id), b(s.id), String(ttlMs), ...Object.entries(fields(s, owner)).flat()).catch(fail);
  };
  const fail = () => {};
  return {
    async create(s, ownerId) {
      owner = ownerId;
      await redis.multi().del(b(s.id)).hset(h(s.id), fields(s, ownerId)).pexpire(h(s.id), ttlMs).exec();
    },
    append(s, seq, frame, cursor) {
      run.gwAppend(h(s.id), b(s.id), owner, String(seq), cursor ?? '', frame, String(REPLAY_LIMIT), String(ttlMs)).then(lostIf(s), fail);
    },
    touch(s, cursor) {
      run.gwTouch(h(s.id), b(s.id), owner, cursor ?? '', String(ttlMs)).then(lostIf(s), fail);
    },
    async claim(sessionId, ownerId, userId) {
      owner = ownerId;
      const r = (await run.gwClaim(h(sessionId), b(sessionId), ownerId, String(ttlMs), userId)) as [string[], string[]] | null;
      if (!r) return null;
      const f: Record<string, string> = {};
      for (let i = 0; i < r[0].length; i += 2) f[r[0][i]] = r[0][i + 1];
      const buffer = r[1].map((line): [number, string] => {
        const sp = line.indexOf(' ');
        return [Number(line.slice(0, sp)), line.slice(sp + 1)];
      });
      return {
        id: sessionId,
        userId: f.user_id,
        bot: f.bot === '1',
        intents: f.intents ? Number(f.intents) : null,
        shard: f.shard ? (f.shard.split(',').map(Number) as [number, number]) : null,
        status: (f.status || 'online') as SessionStatus,
        seq: Number(f.seq || 0),
        cursor: f.cursor || undefined,
        buffer,
      };
    },
    async isOwner(sessionId, ownerId) {
      return (await redis.hget(h(sessionId), 'owner')) === ownerId;
    },
    async remove(sessionId, ownerId) {
      await run.gwRemove(h(sessionId), b(sessionId), ownerId);
    },
    async flush() {
      await redis.ping();
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
