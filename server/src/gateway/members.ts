import { GatewayIntents, isSnowflake } from '@retrocast/protocol';
import { loadWireMembers } from '../members/store.js';
import { loadWirePresences } from '../presence/service.js';
import { onShard } from './ready.js';
import type { Session } from './session.js';
import type { GatewayState } from './types.js';

/** Members per GUILD_MEMBERS_CHUNK (Discord's). */
const CHUNK = 1000;
/** Most members a `query` search or a `user_ids` request returns (Discord's). */
const MAX_PICK = 100;

interface MemberRequest {
  guildIds: string[];
  query: string;
  limit: number;
  userIds?: string[];
  presences: boolean;
  nonce?: string;
}

/** op 8's `d`, or null when malformed (the connection closes with 4002). */
function parseRequest(d: unknown): MemberRequest | null {
  if (typeof d !== 'object' || d === null) return null;
  const req = d as { guild_id?: unknown; query?: unknown; limit?: unknown; user_ids?: unknown; presences?: unknown; nonce?: unknown };
  const guildIds = Array.isArray(req.guild_id) ? req.guild_id : [req.guild_id];
  if (!guildIds.length || !guildIds.every((g) => typeof g === 'string' && isSnowflake(g))) return null;
  const userIds = req.user_ids === undefined ? undefined : Array.isArray(req.user_ids) ? req.user_ids : [req.user_ids];
  if (userIds && (userIds.length > MAX_PICK || !userIds.every((u) => typeof u === 'string' && isSnowflake(u)))) return null;
  if (req.query !== undefined && typeof req.query !== 'string') return null;
  const limit = req.limit === undefined ? 0 : Number(req.limit);
  if (!Number.isInteger(limit) || limit < 0) return null;
  // Discord ignores a nonce longer than 32 bytes (the chunks then carry none).
  const nonce = typeof req.nonce === 'string' && Buffer.byteLength(req.nonce) <= 32 ? req.nonce : undefined;
  return {
    guildIds: guildIds as string[],
    query: req.query ?? '',
    limit,
    userIds: userIds as string[] | undefined,
    presences: req.presences === true,
    nonce,
  };
}

/**
 * REQUEST_GUILD_MEMBERS (op 8): GUILD_MEMBERS_CHUNK dispatches to the asking session only, for
 * guilds it is a member of (others are ignored: nothing is said about them). `query` matches the
 * start of username, display name or nickname, up to `limit` (at most 100); `query: ""` with
 * `limit: 0` is everyone, in chunks of 1000; `user_ids` (at most 100) picks members by id and
 * reports the rest in `not_found`. As on Discord, a bot that chose intents needs GUILD_MEMBERS for
 * the whole list (else one empty chunk) and GUILD_PRESENCES for `presences`. Returns false for a
 * malformed request.
 */
export async function requestGuildMembers(gw: GatewayState, s: Session, d: unknown): Promise<boolean> {
  const req = parseRequest(d);
  if (!req) return false;
  const everyone = !req.userIds && req.query === '' && req.limit === 0;
  const allowed = !everyone || s.intents === null || (s.intents & GatewayIntents.GUILD_MEMBERS) !== 0;
  const withPresences = req.presences && (s.intents === null || (s.intents & GatewayIntents.GUILD_PRESENCES) !== 0);
  for (const gid of req.guildIds) {
    if (!onShard(s.shard, gid) || !gw.cache.get(gid)?.members.has(s.userId)) continue;
    const list = !allowed
      ? []
      : req.userIds
        ? await loadWireMembers(gw.ctx.db, gid, { userIds: req.userIds })
        : await loadWireMembers(gw.ctx.db, gid, {
            prefix: req.query || undefined,
            limit: everyone ? undefined : Math.min(req.limit || MAX_PICK, MAX_PICK),
          });
    const found = new Set(list.map((m) => m.user.id));
    const notFound = req.userIds?.filter((u) => !found.has(u));
    const presences = withPresences ? await loadWirePresences(gw.presence, [...found]) : undefined;
    const count = Math.max(1, Math.ceil(list.length / CHUNK));
    for (let i = 0; i < count; i++) {
      const members = list.slice(i * CHUNK, (i + 1) * CHUNK);
      const ids = new Set(members.map((m) => m.user.id));
      const chunk = {
        guild_id: gid,
        members,
        chunk_index: i,
        chunk_count: count,
        ...(notFound && i === 0 ? { not_found: notFound } : {}),
        ...(presences ? { presences: presences.filter((p) => ids.has(p.user.id)) } : {}),
        ...(req.nonce ? { nonce: req.nonce } : {}),
      };
      gw.sendTo(s, 'GUILD_MEMBERS_CHUNK', JSON.stringify(chunk));
    }
  }
  return true;
}
