/**
 * One user's voice connection (Discord's voice state, minus `member`), plus internal fields that
 * are never sent: whether LiveKit confirmed the participant, and its participant sid (so a stale
 * `participant_left` for an older connection of the same user does not remove the new one).
 */
export interface VoiceState {
  /** null: a call in a DM or group DM. */
  guild_id: string | null;
  channel_id: string;
  user_id: string;
  session_id: string;
  deaf: boolean;
  mute: boolean;
  self_deaf: boolean;
  self_mute: boolean;
  connected?: boolean;
  participant_sid?: string;
  /** The canPublish last granted at LiveKit, to notice when SPEAK changes. */
  can_publish?: boolean;
  /** Our origin as the user's client reached it, so a moderator's move hands out a URL it can reach. */
  origin?: string;
}

/** Conditions for an atomic change; every given field must match the stored state. */
export interface Match {
  guild_id?: string | null;
  channel_id?: string;
  session_id?: string;
  participant_sid?: string;
}

/**
 * Voice states keyed by user (one voice channel per user). In memory, or in one Redis hash when
 * REDIS_URL is set so every instance sees the same states. Changes are atomic compare-and-set, so
 * when several instances react to the same bus event only one of them wins and dispatches.
 */
export interface VoiceStore {
  get(userId: string): Promise<VoiceState | null>;
  /** Stores `state`, returning the one it replaced. */
  put(state: VoiceState): Promise<VoiceState | null>;
  /** Merges `patch` if the stored state matches; returns the new state or null. */
  update(userId: string, match: Match, patch: Partial<VoiceState>): Promise<VoiceState | null>;
  /** Removes the state if it matches; returns what was removed or null. */
  remove(userId: string, match?: Match): Promise<VoiceState | null>;
  list(guildId?: string): Promise<VoiceState[]>;
  close(): Promise<void>;
}

function matches(s: VoiceState, m: Match): boolean {
  return (
    (m.guild_id === undefined || s.guild_id === m.guild_id) &&
    (m.channel_id === undefined || s.channel_id === m.channel_id) &&
    (m.session_id === undefined || s.session_id === m.session_id) &&
    (m.participant_sid === undefined || s.participant_sid === m.participant_sid)
  );
}

export function createMemoryVoiceStore(): VoiceStore {
  const states = new Map<string, VoiceState>();
  return {
    get: async (userId) => states.get(userId) ?? null,
    put: async (state) => {
      const old = states.get(state.user_id) ?? null;
      states.set(state.user_id, state);
      return old;
    },
    update: async (userId, match, patch) => {
      const s = states.get(userId);
      if (!s || !matches(s, match)) return null;
      const next = { ...s, ...patch };
      states.set(userId, next);
      return next;
    },
    remove: async (userId, match = {}) => {
      const s = states.get(userId);
      if (!s || !matches(s, match)) return null;
      states.delete(userId);
      return s;
    },
    list: async (guildId) => [...states.values()].filter((s) => !guildId || s.guild_id === guildId),
    close: async () => {},
  };
}

// KEYS[1] = hash, ARGV[1] = user id, ARGV[2] = match (JSON), ARGV[3] = patch (JSON) or '' to delete.
// The match logic mirrors `matches` above.
const COMPARE_AND_SET = `
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return nil end
local s = cjson.decode(raw)
local m = cjson.decode(ARGV[2])
for _, k in ipairs({'guild_id', 'channel_id', 'session_id', 'participant_sid'}) do
  if m[k] ~= nil and s[k] ~= m[k] then return nil end
end
if ARGV[3] == '' then
  redis.call('HDEL', KEYS[1], ARGV[1])
  return raw
end
for k, v in pairs(cjson.decode(ARGV[3])) do s[k] = v end
local out = cjson.encode(s)
redis.call('HSET', KEYS[1], ARGV[1], out)
return out
`;

export async function createRedisVoiceStore(url: string, prefix: string): Promise<VoiceStore> {
  // Loaded only with REDIS_URL: ioredis costs start-up time and memory (bench/README.md, issue 16).
  const { Redis } = await import('ioredis');
  // No offline queue: during an outage a command fails at once instead of hanging (see
  // gateway/session-store.ts), so connect before the first command.
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
  redis.on('error', () => {});
  await redis.connect();
  const key = `${prefix}:voice-states`;
  const parse = (raw: string | null): VoiceState | null => (raw ? JSON.parse(raw) : null);
  const cas = async (userId: string, match: Match, patch: Partial<VoiceState> | null) =>
    parse((await redis.eval(COMPARE_AND_SET, 1, key, userId, JSON.stringify(match), patch ? JSON.stringify(patch) : '')) as string | null);
  return {
    get: async (userId) => parse(await redis.hget(key, userId)),
    put: async (state) => {
      const [[, old]] = (await redis.multi().hget(key, state.user_id).hset(key, state.user_id, JSON.stringify(state)).exec()) as [
        [unknown, string | null],
      ];
      return parse(old);
    },
    update: (userId, match, patch) => cas(userId, match, patch),
    remove: (userId, match = {}) => cas(userId, match, null),
    list: async (guildId) =>
      Object.values(await redis.hgetall(key))
        .map((raw) => JSON.parse(raw) as VoiceState)
        .filter((s) => !guildId || s.guild_id === guildId),
    close: async () => {
      redis.disconnect();
    },
  };
}
